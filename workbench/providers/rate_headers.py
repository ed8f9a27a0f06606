"""Rate-limit state read from response headers: OpenAI's `x-ratelimit-*`, Anthropic's `anthropic-ratelimit-*`.

OpenAI (and OpenAI-compatible servers that copy it: Azure, Groq, OpenRouter, vLLM behind LiteLLM, ...)
reports requests and tokens per minute:

    x-ratelimit-limit-requests: 5000        x-ratelimit-limit-tokens: 160000
    x-ratelimit-remaining-requests: 4999    x-ratelimit-remaining-tokens: 159976
    x-ratelimit-reset-requests: 12ms        x-ratelimit-reset-tokens: 6m0s

where "reset" is the time until the limit is fully replenished, as a Go-style duration. Anthropic
reports requests, input tokens and output tokens per minute, with RFC 3339 timestamps for the reset:

    anthropic-ratelimit-requests-limit: 50            anthropic-ratelimit-requests-remaining: 49
    anthropic-ratelimit-input-tokens-limit: 20000     anthropic-ratelimit-input-tokens-remaining: 19000
    anthropic-ratelimit-output-tokens-limit: 8000     anthropic-ratelimit-output-tokens-reset: 2026-12-01T10:00:05Z

plus `anthropic-ratelimit-tokens-*`, the most restrictive of the two token limits (used here only when
the input/output headers are missing, so the same budget is never counted twice).

The dimensions are named as the runner's budgets: "requests", "tokens" (input + output), "input_tokens",
"output_tokens". Values that make no sense (Azure's `-1` limits, unparsable resets) are left out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

DIMENSIONS = ("requests", "tokens", "input_tokens", "output_tokens")

_OPENAI = {"requests": "requests", "tokens": "tokens"}
_ANTHROPIC = {"requests": "requests", "input_tokens": "input-tokens", "output_tokens": "output-tokens"}
# Go's time.Duration format as OpenAI prints it: "1s", "12ms", "6m0s", "1m30.5s", "2h1m0s".
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$")


@dataclass(frozen=True)
class LimitReading:
    """One limit as the server reported it with a response."""

    limit: float  # per minute
    remaining: float
    reset_s: float | None = None  # seconds until fully replenished; None when not given or unreadable


def parse_duration(value: str) -> float | None:
    """Seconds in an OpenAI reset value ("6m0s", "12ms", "1.5s"), or a plain number of seconds; else None."""
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds, millis = (float(part) if part else 0.0 for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def parse_timestamp(value: str, now: float) -> float | None:
    """Seconds from `now` (epoch seconds) until an RFC 3339 time ("2026-12-01T10:00:05Z"); else None."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:  # RFC 3339 always carries an offset; a bare time is not one we can place
        return None
    return max(0.0, when.timestamp() - now)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number >= 0 else None


def _reading(limit: str | None, remaining: str | None, reset_s: float | None) -> LimitReading | None:
    top, left = _number(limit), _number(remaining)
    if top is None or left is None or top <= 0:
        return None
    return LimitReading(limit=top, remaining=min(left, top), reset_s=reset_s)


def _readings(
    headers: Mapping[str, str],
    names: Mapping[str, str],
    header: Callable[[str, str], str],
    reset_seconds: Callable[[str], float | None],
) -> dict[str, LimitReading]:
    """Readings for `names` (dimension -> name in the header), `header(field, name)` giving a header's name."""
    readings: dict[str, LimitReading] = {}
    for dimension, name in names.items():
        reset = headers.get(header("reset", name))
        reading = _reading(
            headers.get(header("limit", name)),
            headers.get(header("remaining", name)),
            reset_seconds(reset) if reset is not None else None,
        )
        if reading is not None:
            readings[dimension] = reading
    return readings


def read_openai(headers: Mapping[str, str]) -> dict[str, LimitReading]:
    """OpenAI's requests/tokens limits (`headers` with lower-case names)."""
    return _readings(headers, _OPENAI, lambda field, name: f"x-ratelimit-{field}-{name}", parse_duration)


def read_anthropic(headers: Mapping[str, str], now: float) -> dict[str, LimitReading]:
    """Anthropic's requests/input/output token limits (`headers` with lower-case names; `now` in epoch s)."""
    names = dict(_ANTHROPIC)
    if not any(f"anthropic-ratelimit-{name}-limit" in headers for name in ("input-tokens", "output-tokens")):
        names["tokens"] = "tokens"  # an older or trimmed response: the combined limit is all there is
    return _readings(
        headers, names, lambda field, name: f"anthropic-ratelimit-{name}-{field}", lambda v: parse_timestamp(v, now)
    )


def read_rate_limits(headers: Mapping[str, str] | None, *, now: float | None = None) -> dict[str, LimitReading] | None:
    """The limits a response reports, by dimension; None when it reports none.

    `headers`: any mapping of header names (any case) to values, e.g. an httpx Headers.
    `now`: the current epoch time (for Anthropic's timestamps); default time.time().
    """
    if not headers:
        return None
    names = {key.lower(): value for key, value in headers.items()}
    readings = read_openai(names)
    if any(key.startswith("anthropic-ratelimit-") for key in names):
        readings.update(read_anthropic(names, time.time() if now is None else now))
    return readings or None
