"""Anthropic Messages provider (`anthropic.AsyncAnthropic`, SDK retries off: the runner owns retries).

Like the OpenAI provider, calls go through the SDK's request path (see `sdk_provider`) and the 2xx
body is decoded here rather than into the SDK's pydantic `Message` model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

from workbench.providers.base import (
    Completion,
    CompletionRequest,
    PermanentError,
    RetryableError,
)
from workbench.providers.errors import redact
from workbench.providers.registry import ProviderInfo, batch_backend, register
from workbench.providers.sdk_provider import ClientArgs, SDKProvider, field_of

# The Messages API requires max_tokens: sent when the spec sets none (and reserved against output-token limits).
DEFAULT_MAX_TOKENS = 1024
# OpenAI-only knobs a shared params block may carry; the Messages API rejects unknown fields with a 400.
# (temperature/top_p/top_k are plain body fields: anthropic >= 1.0 only dropped them from `create`.)
_DROPPED = frozenset({"seed"})
_ALIASES = {"stop": "stop_sequences", "max_completion_tokens": "max_tokens"}
# Error types of an `errored` batch result that a resubmission may fix (the rest are the request's fault).
_TRANSIENT_BATCH_ERRORS = frozenset({"api_error", "overloaded_error", "rate_limit_error", "timeout_error"})
# Request params the Messages API defines; anything else in a spec is an error (the API would answer 400).
MESSAGES_PARAMS = frozenset({
    "temperature", "top_p", "top_k", "max_tokens", "max_completion_tokens", "stop", "stop_sequences", "seed",
    "metadata", "thinking", "service_tier",
})
_MESSAGES_OPTIONS: Any = {}  # `messages.create` adds no per-request options for a plain call


_field = field_of


class AnthropicProvider(SDKProvider):
    """Messages API: system prompt as top-level `system`, text = concatenated text blocks."""

    path = "/v1/messages"
    _request_options = _MESSAGES_OPTIONS

    default_name = "anthropic"
    default_key_env: ClassVar[str | None] = "ANTHROPIC_API_KEY"

    def __init__(self, *, default_max_tokens: int = DEFAULT_MAX_TOKENS, **args: Unpack[ClientArgs]) -> None:
        import anthropic  # ~1.5 s: only when a client is built

        options = self._setup(args, anthropic.DefaultAioHttpClient)
        self._default_max_tokens = default_max_tokens
        self._client = anthropic.AsyncAnthropic(**options)
        self.base_url = str(self._client.base_url).rstrip("/")

    def _body(self, request: CompletionRequest) -> dict[str, Any]:
        """The JSON body of a Messages call: system prompt top-level, OpenAI-style names mapped."""
        body: dict[str, Any] = {
            "model": request.model,
            "messages": request.chat_messages,
            "max_tokens": self._default_max_tokens,
        }
        system = request.system
        if system:
            body["system"] = system
        for key, value in request.params.items():
            if value is None or key in _DROPPED:
                continue
            key = _ALIASES.get(key, key)
            if key == "stop_sequences" and isinstance(value, str):
                value = [value]
            body[key] = value
        return body

    def _completion(self, data: Any, model: str, latency: float, *, batch: bool = False) -> Completion:
        """A decoded Message body as a Completion; shared by `complete()` and batch results."""
        content = _field(data, "content")
        if not isinstance(content, list):  # non-JSON 200 (decoded as None) or `{}`: broken, retry it
            raise RetryableError(f"{self.name}: response from {self.base_url} has no content (not a message)")
        text = "".join(
            str(block.get("text") or "")
            for block in content
            if isinstance(block, Mapping) and block.get("type") == "text"
        )
        usage = _field(data, "usage")
        # input_tokens excludes prompt-cache reads/writes; count them so totals match what was sent.
        input_tokens = sum(
            int(_field(usage, name) or 0)
            for name in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        output_tokens = int(_field(usage, "output_tokens") or 0)
        reported = _field(data, "model")
        return self._priced(text, input_tokens, output_tokens, latency=latency, model=model, reported=reported,
                            finish_reason=_field(data, "stop_reason"), batch=batch)

    def parse_batch_result(self, line: Mapping[str, Any], model: str) -> Completion:
        """One `{"custom_id", "result"}` line of batch results as a Completion priced at batch rates.

        Raises RetryableError/PermanentError for an errored, canceled or expired request.
        """
        result = line.get("result") or {}
        kind = result.get("type")
        if kind == "succeeded":
            return self._completion(result.get("message"), model, 0.0, batch=True)
        if kind == "errored":
            outer = result.get("error") or {}
            inner = outer.get("error", outer) if isinstance(outer, Mapping) else {}
            etype, detail = inner.get("type"), inner.get("message")
            text = redact(f"{self.name}: batch request errored ({etype}): {detail}", self._secrets)
            error_type = RetryableError if etype in _TRANSIENT_BATCH_ERRORS else PermanentError
            raise error_type(text)
        # canceled / expired: never processed, so resubmitting is exactly right.
        raise RetryableError(f"{self.name}: batch request {kind or 'missing'} before it was processed")


register(ProviderInfo(
    name="anthropic", factory=AnthropicProvider.from_spec,
    description="Anthropic Messages API (api.anthropic.com or its base_url)",
    key_env="ANTHROPIC_API_KEY", price_id="anthropic", sdk="anthropic", params=MESSAGES_PARAMS,
    batch=batch_backend("workbench.runner.batch_anthropic:AnthropicBatches"),
    default_max_tokens=DEFAULT_MAX_TOKENS,
))
