"""Rate-limit headers as OpenAI and Anthropic send them, parsed into per-dimension readings."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pytest

from workbench.providers.rate_headers import LimitReading, parse_duration, read_rate_limits

NOW = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC).timestamp()

# As api.openai.com answers a chat completion (names and formats from the OpenAI rate-limit docs).
OPENAI = {
    "x-ratelimit-limit-requests": "5000",
    "x-ratelimit-limit-tokens": "160000",
    "x-ratelimit-remaining-requests": "4999",
    "x-ratelimit-remaining-tokens": "159976",
    "x-ratelimit-reset-requests": "12ms",
    "x-ratelimit-reset-tokens": "6m0s",
}
# As api.anthropic.com answers a message (RFC 3339 resets; tokens-* is the stricter of input/output).
ANTHROPIC = {
    "anthropic-ratelimit-requests-limit": "1000",
    "anthropic-ratelimit-requests-remaining": "999",
    "anthropic-ratelimit-requests-reset": "2026-12-01T10:00:00Z",
    "anthropic-ratelimit-input-tokens-limit": "80000",
    "anthropic-ratelimit-input-tokens-remaining": "79000",
    "anthropic-ratelimit-input-tokens-reset": "2026-12-01T10:00:01Z",
    "anthropic-ratelimit-output-tokens-limit": "16000",
    "anthropic-ratelimit-output-tokens-remaining": "15000",
    "anthropic-ratelimit-output-tokens-reset": "2026-12-01T10:00:04Z",
    "anthropic-ratelimit-tokens-limit": "96000",
    "anthropic-ratelimit-tokens-remaining": "94000",
    "anthropic-ratelimit-tokens-reset": "2026-12-01T10:00:01Z",
}


def test_openai_headers() -> None:
    assert read_rate_limits(OPENAI, now=NOW) == {
        "requests": LimitReading(5000, 4999, 0.012),
        "tokens": LimitReading(160000, 159976, 360.0),
    }


def test_anthropic_headers_use_input_and_output_limits_not_the_combined_one() -> None:
    assert read_rate_limits(ANTHROPIC, now=NOW) == {
        "requests": LimitReading(1000, 999, 0.0),
        "input_tokens": LimitReading(80000, 79000, 1.0),
        "output_tokens": LimitReading(16000, 15000, 4.0),
    }


def test_anthropic_combined_token_limit_when_it_is_all_there_is() -> None:
    trimmed = {k: v for k, v in ANTHROPIC.items() if "-input-" not in k and "-output-" not in k}
    assert read_rate_limits(trimmed, now=NOW)["tokens"] == LimitReading(96000, 94000, 1.0)


def test_header_names_in_any_case_through_httpx_headers() -> None:
    headers = httpx2.Headers({k.upper(): v for k, v in OPENAI.items()})
    assert read_rate_limits(headers, now=NOW) == read_rate_limits(OPENAI, now=NOW)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("12ms", 0.012), ("1s", 1.0), ("1.5s", 1.5), ("6m0s", 360.0), ("1m30.5s", 90.5), ("2h1m0s", 7260.0),
     ("20", 20.0), ("0.25", 0.25), ("soon", None), ("", None), ("5x", None)],
)
def test_openai_reset_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_nonsense_is_left_out() -> None:
    azure = {"x-ratelimit-limit-tokens": "-1", "x-ratelimit-remaining-tokens": "-1", "x-ratelimit-reset-tokens": "0",
             "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "many"}
    assert read_rate_limits(azure, now=NOW) is None  # Azure's -1 "no limit"; an unreadable remaining
    bad_reset = {**OPENAI, "x-ratelimit-reset-tokens": "later"}
    assert read_rate_limits(bad_reset, now=NOW)["tokens"] == LimitReading(160000, 159976, None)
    naive_time = {**ANTHROPIC, "anthropic-ratelimit-requests-reset": "2026-12-01T10:00:00"}
    assert read_rate_limits(naive_time, now=NOW)["requests"].reset_s is None
    assert read_rate_limits({"content-type": "application/json"}) is None
    assert read_rate_limits(None) is None
