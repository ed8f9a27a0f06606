"""Translate openai/anthropic SDK exceptions into the workbench's RetryableError / PermanentError.

Both SDKs are generated from the same template, so their exception trees are parallel but distinct
classes; the mapping below checks both. Every message passes through `redact` because error bodies
can echo the API key (OpenAI's 401 does, masked only partially).
"""

from __future__ import annotations

import email.utils
import errno
import json
import re
import socket
import ssl
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.errors import ProviderConfigError
from workbench.providers import registry
from workbench.providers.base import PermanentError, ProviderError, RetryableError
from workbench.providers.rate_headers import read_rate_limits

# 408/409/425 are transient by HTTP semantics (and both SDKs retry them); 5xx includes Anthropic's 529.
_RETRYABLE_4XX = frozenset({408, 409, 425, 429})
_MAX_DETAIL = 300
# Key-shaped tokens: OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), including masked forms like sk-ab***yz.
_KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-*]{3,}")

if TYPE_CHECKING:
    import anthropic
    import openai


def _sdk_classes(name: str) -> tuple[Any, ...]:
    """An exception class from each registered provider's SDK that is loaded: an SDK error can only come
    from an imported SDK, and importing `anthropic` just for these checks costs ~1.5 s at start-up on
    OpenAI-only runs."""
    loaded = (sys.modules.get(sdk) for sdk in registry.sdk_modules())
    return tuple(cls for module in loaded if module is not None and (cls := getattr(module, name, None)))


def _loaded_errors(module: str, name: str) -> tuple[type[BaseException], ...]:
    """`module`'s exception class `name` if that module is loaded: httpx2 comes with every SDK client,
    aiohttp with the first request; an exception of theirs can only come from an imported module."""
    loaded = sys.modules.get(module)
    return (getattr(loaded, name),) if loaded is not None else ()


def _httpx2_errors(name: str) -> tuple[type[BaseException], ...]:
    return _loaded_errors("httpx2", name)


class MissingAPIKeyError(PermanentError, ProviderConfigError):
    """No API key configured. Also a ProviderConfigError so the CLI prints it as a one-line exit-2 error."""


@dataclass(frozen=True)
class ErrorContext:
    """What a message needs to be actionable: who failed, where, and which env var holds the key."""

    provider: str  # message prefix, e.g. "openai" or "openai_compatible"
    endpoint: str  # base URL, shown for connection problems
    model: str
    key_env: str | None = None  # e.g. "OPENAI_API_KEY"; None when the endpoint needs no key
    secrets: tuple[str, ...] = ()  # strings that must never appear in a message
    timeout: float | None = None  # seconds the call was allowed, named when it timed out


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove API keys (the configured ones and anything key-shaped) from `text`."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEY_PATTERN.sub("sk-***", text)


def parse_retry_after(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds to wait, from `retry-after-ms`, or `Retry-After` as seconds or an HTTP-date; None if absent."""
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT; be lenient with servers that omit it
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _api_message(exc: openai.APIStatusError | anthropic.APIStatusError) -> str:
    """The human-readable `error.message` of an error body (both SDK layouts), else a text snippet."""
    body: object = exc.body
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            message = inner.get("message")
            if isinstance(message, str) and message:
                return message
        return json.dumps(body, default=str)[:_MAX_DETAIL]
    if isinstance(body, str) and body.strip():
        return body.strip()
    return ""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _status_error(exc: openai.APIStatusError | anthropic.APIStatusError, ctx: ErrorContext) -> ProviderError:
    status = exc.status_code
    p = ctx.provider
    detail = _clip(_api_message(exc))
    suffix = f": {detail}" if detail else ""
    check_key = (
        f" — check {ctx.key_env}" if ctx.key_env else " — the server wants an API key (set api_key_env)"
    )
    if status == 401:
        return PermanentError(f"{p}: authentication failed (401){check_key}", status=status)
    if status == 403:
        message = f"{p}: permission denied (403){check_key} and access to model {ctx.model!r}{suffix}"
        return PermanentError(message, status=status)
    if status == 404:
        message = f"{p}: not found (404), model {ctx.model!r} at {ctx.endpoint}{suffix}"
        return PermanentError(message, status=status)
    if status == 429 or status >= 500 or status in _RETRYABLE_4XX:
        retry_after = parse_retry_after(exc.response.headers)
        default = "server error" if status >= 500 else "error"
        kind = {429: "rate limited", 529: "overloaded"}.get(status, default)
        wait = f", retry after {retry_after:g}s" if retry_after is not None else ""
        limits = read_rate_limits(exc.response.headers)
        return RetryableError(
            f"{p}: {kind} ({status}{wait}){suffix}", status=status, retry_after=retry_after, rate_limits=limits
        )
    label = {400: "bad request", 402: "payment required", 413: "request too large", 422: "invalid request"}
    return PermanentError(f"{p}: {label.get(status, 'request rejected')} ({status}){suffix}", status=status)


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it was raised from (cause/context, exception-group members)."""
    out: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if any(current is seen for seen in out):
            continue
        out.append(current)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        todo.extend(getattr(current, "exceptions", ()))  # anyio may raise ExceptionGroups
    return out


def _aiohttp_errors(name: str) -> tuple[type[BaseException], ...]:
    return _loaded_errors("aiohttp", name)


def _refused(cause: BaseException) -> bool:
    return isinstance(cause, ConnectionRefusedError) or (
        isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
    )


def _not_a_timeout(exc: BaseException) -> bool:
    """An SDK "timeout" that is really a failed connection.

    The SDKs' aiohttp adapter maps every aiohttp connection error (refused, unknown host, server
    disconnected, reset) to httpx2.ConnectTimeout, so the SDK raises APITimeoutError for them; the
    exception chain still holds aiohttp's own error, which says what happened. aiohttp's real timeouts
    subclass TimeoutError.
    """
    chain = _chain(exc)
    if any(isinstance(cause, TimeoutError) for cause in chain):
        return False
    connection_errors = _aiohttp_errors("ClientConnectionError")
    return any(
        _refused(cause) or isinstance(cause, (socket.gaierror, *connection_errors)) for cause in chain
    )


_TRUST_HINT = " — if the server's certificate is signed by your own CA, point SSL_CERT_FILE at that CA's PEM file"


def _untrusted(exc: BaseException) -> str | None:
    """"TLS certificate not trusted (<reason>)" when certificate verification failed, else None.

    Not retryable: the same certificate will fail the same way until the CA is configured.
    """
    failures = [cause for cause in _chain(exc) if isinstance(cause, ssl.SSLCertVerificationError)]
    if not failures:
        return None
    # aiohttp's ClientConnectorCertificateError is an SSLCertVerificationError too, without OpenSSL's text.
    reasons = [getattr(cause, "verify_message", None) for cause in failures]
    return f"TLS certificate not trusted ({next(filter(None, reasons), 'certificate verify failed')})"


def _connection_reason(exc: BaseException) -> str:
    """Describe the underlying transport failure in a few words."""
    chain = _chain(exc)
    # anyio wraps a refused connect as OSError("All connection attempts failed"); the errno is deeper.
    for cause in chain:
        if _refused(cause):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "unknown host"
    cut_short = (*_aiohttp_errors("ServerDisconnectedError"), *_aiohttp_errors("ClientPayloadError"))
    for cause in chain:
        if isinstance(cause, cut_short):
            return "connection closed before the response was complete"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
    for cause in chain:
        if isinstance(cause, _httpx2_errors("ConnectError")):
            if "refused" in str(cause).lower():
                return "connection refused"
            return f"connect failed: {cause}" if str(cause) else "connect failed"
        if isinstance(cause, _httpx2_errors("RemoteProtocolError")):
            return "connection closed before the response was complete"
        if isinstance(cause, _httpx2_errors("ReadError")):
            return "connection dropped while reading the response"
        if isinstance(cause, _httpx2_errors("WriteError")):
            return "connection dropped while sending the request"
    return type(exc.__cause__ or exc).__name__


def map_sdk_error(exc: BaseException, ctx: ErrorContext) -> ProviderError | None:
    """The ProviderError for an SDK/transport exception, or None when `exc` is not a provider failure."""
    error: ProviderError | None = None
    transport_error = _httpx2_errors("TransportError")
    if isinstance(exc, ProviderError):
        error = exc
    elif isinstance(exc, _sdk_classes("APIStatusError")):
        error = _status_error(exc, ctx)
    elif isinstance(exc, (*_sdk_classes("APIConnectionError"), *transport_error)) and _untrusted(exc):
        error = PermanentError(f"{ctx.provider}: {_untrusted(exc)} at {ctx.endpoint}{_TRUST_HINT}")
    elif isinstance(exc, _sdk_classes("APITimeoutError")) and not _not_a_timeout(exc):
        after = f" after {ctx.timeout:g}s (raise `timeout:` for this model in the spec)" if ctx.timeout else ""
        error = RetryableError(f"{ctx.provider}: request to {ctx.endpoint} timed out{after}")
    elif isinstance(exc, _sdk_classes("APIConnectionError")):
        error = RetryableError(f"{ctx.provider}: cannot reach {ctx.endpoint} ({_connection_reason(exc)})")
    elif isinstance(exc, _sdk_classes("APIResponseValidationError")):
        error = RetryableError(f"{ctx.provider}: invalid response from {ctx.endpoint}: {_clip(str(exc))}")
    elif isinstance(exc, json.JSONDecodeError):
        # Both SDKs let json.JSONDecodeError escape for a 2xx with Content-Type JSON and a broken body.
        error = RetryableError(f"{ctx.provider}: malformed JSON in response from {ctx.endpoint} ({exc.msg})")
    elif isinstance(exc, transport_error):
        error = RetryableError(f"{ctx.provider}: cannot reach {ctx.endpoint} ({_connection_reason(exc)})")
    if error is None:
        return None
    clean = redact(str(error), (*ctx.secrets,))
    if clean != str(error):
        error = type(error)(clean, status=error.status, retry_after=error.retry_after, rate_limits=error.rate_limits)
    return error
