"""Unit tests of the SDK-exception mapping helpers."""

from __future__ import annotations

import email.utils
import time

import pytest

from workbench.providers.errors import parse_retry_after, redact


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "12"}, 12.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "30"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "3"}, 3.0),
        ({"retry-after": "-5"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str] | None, expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    now = 1_750_000_000.0
    header = {"retry-after": email.utils.formatdate(now + 45, usegmt=True)}
    assert parse_retry_after(header, now=now) == pytest.approx(45.0)
    past = {"retry-after": email.utils.formatdate(now - 45, usegmt=True)}
    assert parse_retry_after(past, now=now) == 0.0
    sent = time.time()  # without `now`: the clock at parse time, between `sent` and the check below
    parsed = parse_retry_after({"retry-after": email.utils.formatdate(sent + 10, usegmt=True)})
    assert int(sent + 10) - time.time() - 0.01 <= parsed <= 10.01


def test_redact_removes_configured_and_key_shaped_secrets() -> None:
    text = "Incorrect API key provided: sk-proj-abc123XYZ. Also sk-ant-api03-***xyz and mykey-1234."
    clean = redact(text, ["mykey-1234"])
    assert "abc123XYZ" not in clean and "api03" not in clean and "mykey-1234" not in clean
    assert "Incorrect API key provided" in clean
    assert redact("nothing here", ["", "abc"]) == "nothing here"  # short/empty secrets are ignored
