"""Anthropic Messages provider (`anthropic.AsyncAnthropic`, SDK retries off: the runner owns retries)."""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Mapping
from typing import Any

import anthropic
import httpx2
from anthropic.resources.messages.messages import AsyncMessages
from anthropic.types import Message

from workbench.providers import pricing
from workbench.providers.base import (
    Completion,
    CompletionRequest,
    PermanentError,
    ProviderError,
    RetryableError,
)
from workbench.providers.errors import ErrorContext, MissingAPIKeyError, map_sdk_error, redact
from workbench.providers.openai_chat import DEFAULT_MAX_CONNECTIONS, build_http_client

DEFAULT_MAX_TOKENS = 1024  # the Messages API requires max_tokens
_RESERVED = {"self", "messages", "model", "system", "stream", "timeout"}
_RESERVED |= {"extra_headers", "extra_query", "extra_body"}
# anthropic >= 1.0 dropped temperature/top_p/top_k from `messages.create`; they (and anything else the
# signature lacks) still go in the JSON body through `extra_body`, which the API accepts.
_SDK_PARAMS = frozenset(inspect.signature(AsyncMessages.create).parameters) - _RESERVED
# OpenAI-only knobs a shared params block may carry; the Messages API rejects unknown fields with a 400.
_DROPPED = frozenset({"seed"})
_ALIASES = {"stop": "stop_sequences", "max_completion_tokens": "max_tokens"}
# Error types of an `errored` batch result that a resubmission may fix (the rest are the request's fault).
_TRANSIENT_BATCH_ERRORS = frozenset({"api_error", "overloaded_error", "rate_limit_error", "timeout_error"})


class AnthropicProvider:
    """Messages API: system prompt as top-level `system`, text = concatenated text blocks."""

    simulated = False

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        http_client: httpx2.AsyncClient | None = None,
        name: str = "anthropic",
        *,
        api_key_env: str = "ANTHROPIC_API_KEY",
        default_headers: Mapping[str, str] | None = None,
        default_max_tokens: int = DEFAULT_MAX_TOKENS,
        prices: Mapping[str, float] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        key = api_key or os.environ.get(api_key_env)
        if not key:
            raise MissingAPIKeyError(f"{name}: {api_key_env} is not set")
        self.name = name
        self._key_env = api_key_env
        self._secrets = (key,)
        self._default_max_tokens = default_max_tokens
        self._prices = dict(prices) if prices else None
        self._owns_http_client = http_client is None
        # An explicit api_key also stops the SDK from consulting profiles / workload-identity files.
        self._client = anthropic.AsyncAnthropic(
            api_key=key,
            base_url=base_url,  # None -> SDK reads ANTHROPIC_BASE_URL, then the public endpoint
            timeout=timeout,
            max_retries=0,
            http_client=http_client or build_http_client(timeout, max_connections),
            default_headers=dict(default_headers) if default_headers else None,
        )
        self.base_url = str(self._client.base_url).rstrip("/")

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"

    def _build_kwargs(self, request: CompletionRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": request.model,
            "messages": request.chat_messages,
            "max_tokens": self._default_max_tokens,
        }
        if request.system:
            kwargs["system"] = request.system
        extra_body: dict[str, Any] = {}
        for key, value in request.params.items():
            if value is None or key in _DROPPED:
                continue
            key = _ALIASES.get(key, key)
            if key == "stop_sequences" and isinstance(value, str):
                value = [value]
            if key in _SDK_PARAMS:
                kwargs[key] = value
            else:
                extra_body[key] = value
        if extra_body:
            kwargs["extra_body"] = extra_body
        return kwargs

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        """The SDK client, for endpoints beyond messages (Message Batches for `--batch`)."""
        return self._client

    def _cost(
        self, model: str, reported: str | None, input_tokens: int, output_tokens: int, *, batch: bool = False
    ) -> float | None:
        if self._prices:
            return pricing.price_from_rates(self._prices, input_tokens, output_tokens, batch=batch)
        for candidate in (reported, model):
            if candidate:
                cost = pricing.price("anthropic", candidate, input_tokens, output_tokens, batch=batch)
                if cost is not None:
                    return cost
        return None

    def _error(self, exc: BaseException, model: str) -> ProviderError | None:
        return map_sdk_error(exc, ErrorContext(self.name, self.base_url, model, self._key_env, self._secrets))

    def map_error(self, exc: BaseException, model: str) -> ProviderError | None:
        """`exc` as a redacted ProviderError (None when it is not a provider failure)."""
        return self._error(exc, model)

    def _completion(self, response: Any, model: str, latency: float, *, batch: bool = False) -> Completion:
        """A Message (SDK object) as a Completion; shared by `complete()` and batch results."""
        content = getattr(response, "content", None)
        if content is None:  # non-JSON 200 (returned as str) or `{}`: a broken response, retry it
            raise RetryableError(f"{self.name}: response from {self.base_url} has no content (not a message)")
        text = "".join(block.text for block in content if getattr(block, "type", None) == "text")
        usage = getattr(response, "usage", None)
        # input_tokens excludes prompt-cache reads/writes; count them so totals match what was sent.
        input_tokens = sum(
            int(getattr(usage, field, 0) or 0)
            for field in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        output_tokens = int(getattr(usage, "output_tokens", 0) or 0)
        reported = getattr(response, "model", None)
        return Completion(
            text=text,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_s=latency,
            cost_usd=self._cost(model, reported, input_tokens, output_tokens, batch=batch),
            model=reported or model,
            finish_reason=getattr(response, "stop_reason", None),
        )

    def batch_body(self, request: CompletionRequest) -> dict[str, Any]:
        """The JSON body `complete()` sends for `request`: the `params` of a Message Batches request."""
        kwargs = self._build_kwargs(request)
        extra_body = kwargs.pop("extra_body", {})  # the SDK merges extra_body into the JSON body
        return {**kwargs, **extra_body}

    def parse_batch_result(self, line: Mapping[str, Any], model: str) -> Completion:
        """One `{"custom_id", "result"}` line of batch results as a Completion priced at batch rates.

        Raises RetryableError/PermanentError for an errored, canceled or expired request.
        """
        result = line.get("result") or {}
        kind = result.get("type")
        if kind == "succeeded":
            message = result.get("message")
            # model_construct builds the nested SDK objects leniently, as the SDK does for a live response.
            parsed = Message.model_construct(**(message if isinstance(message, Mapping) else {}))
            return self._completion(parsed, model, 0.0, batch=True)
        if kind == "errored":
            outer = result.get("error") or {}
            inner = outer.get("error", outer) if isinstance(outer, Mapping) else {}
            etype, detail = inner.get("type"), inner.get("message")
            text = redact(f"{self.name}: batch request errored ({etype}): {detail}", self._secrets)
            error_type = RetryableError if etype in _TRANSIENT_BATCH_ERRORS else PermanentError
            raise error_type(text)
        # canceled / expired: never processed, so resubmitting is exactly right.
        raise RetryableError(f"{self.name}: batch request {kind or 'missing'} before it was processed")

    async def complete(self, request: CompletionRequest) -> Completion:
        kwargs = self._build_kwargs(request)
        start = time.perf_counter()
        response: Any = None
        error: ProviderError | None = None
        try:
            response = await self._client.messages.create(**kwargs)
        except Exception as exc:
            error = self._error(exc, request.model)
            if error is None:
                raise
        if error is not None:
            raise error  # outside the except block: no SDK exception (which may quote the key) attached
        return self._completion(response, request.model, time.perf_counter() - start)

    async def aclose(self) -> None:
        if self._owns_http_client:
            await self._client.close()
