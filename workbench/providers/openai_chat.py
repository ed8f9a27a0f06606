"""OpenAI Chat Completions provider (`openai.AsyncOpenAI`, SDK retries off: the runner owns retries)."""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Mapping
from typing import Any, Literal

import httpx2
import openai
from openai.resources.chat.completions import AsyncCompletions
from openai.types.chat import ChatCompletion

from workbench.providers import pricing
from workbench.providers.base import (
    Completion,
    CompletionRequest,
    PermanentError,
    ProviderError,
    RetryableError,
)
from workbench.providers.errors import ErrorContext, MissingAPIKeyError, map_sdk_error, redact

MaxTokensField = Literal["max_tokens", "max_completion_tokens"]

# Keyword arguments `chat.completions.create` accepts natively; any other param goes to `extra_body`
# so provider-specific knobs (top_k, min_p, repetition_penalty on vLLM/Ollama) still reach the server.
_RESERVED = {"self", "messages", "model", "stream", "extra_headers", "extra_query", "extra_body", "timeout"}
_SDK_PARAMS = frozenset(inspect.signature(AsyncCompletions.create).parameters) - _RESERVED
# HTTP/1.1 carries one request per connection, so the pool must be >= the runner's concurrency, and all
# of it kept alive (the SDK default keeps 100, so at 256 in flight 156 connections would churn). The
# runner should pass max_connections=concurrency: httpx2's pool gets CPU-costlier as it grows.
DEFAULT_MAX_CONNECTIONS = 1024


def build_http_client(timeout: float, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> httpx2.AsyncClient:
    """An httpx2 client sized for high concurrency: every connection stays in the keep-alive pool."""
    limits = httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return httpx2.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True)


class OpenAIProvider:
    """Chat Completions against api.openai.com (or anything speaking the same API).

    `max_tokens` in the request params is sent as `max_completion_tokens` by default: OpenAI deprecated
    `max_tokens` on Chat Completions and reasoning models (o1/o3/o4, gpt-5) reject it, while every
    current model accepts `max_completion_tokens`. Pass `max_tokens_field="max_tokens"` for servers that
    only know the old name (OpenAICompatibleProvider does). An explicit `max_completion_tokens` param
    is always sent as is.
    """

    simulated = False
    price_provider: str | None = "openai"  # genai-prices lookup; None = cost only from `prices`

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        http_client: httpx2.AsyncClient | None = None,
        name: str = "openai",
        *,
        api_key_env: str | None = "OPENAI_API_KEY",
        default_headers: Mapping[str, str] | None = None,
        max_tokens_field: MaxTokensField = "max_completion_tokens",
        prices: Mapping[str, float] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        key = api_key or (os.environ.get(api_key_env) if api_key_env else None)
        if not key:
            raise MissingAPIKeyError(f"{name}: {api_key_env or 'api_key'} is not set")
        self.name = name
        self._key_env = api_key_env
        self._secrets = (key,)
        self._max_tokens_field = max_tokens_field
        self._prices = dict(prices) if prices else None
        self._owns_http_client = http_client is None
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=base_url,  # None -> SDK reads OPENAI_BASE_URL, then the public endpoint
            timeout=timeout,
            max_retries=0,
            http_client=http_client or build_http_client(timeout, max_connections),
            default_headers=dict(default_headers) if default_headers else None,
        )
        self.base_url = str(self._client.base_url).rstrip("/")

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"

    def _build_kwargs(self, request: CompletionRequest) -> dict[str, Any]:
        messages: list[dict[str, str]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.extend(request.chat_messages)
        kwargs: dict[str, Any] = {"model": request.model, "messages": messages}
        extra_body: dict[str, Any] = {}
        for key, value in request.params.items():
            if value is None:
                continue
            if key == "max_tokens":
                key = self._max_tokens_field
            if key in _SDK_PARAMS:
                kwargs[key] = value
            else:
                extra_body[key] = value
        if extra_body:
            kwargs["extra_body"] = extra_body
        return kwargs

    @property
    def client(self) -> openai.AsyncOpenAI:
        """The SDK client, for endpoints beyond chat completions (Files and Batches for `--batch`)."""
        return self._client

    def _cost(
        self, model: str, reported: str | None, input_tokens: int, output_tokens: int, *, batch: bool = False
    ) -> float | None:
        if self._prices:
            return pricing.price_from_rates(self._prices, input_tokens, output_tokens, batch=batch)
        if self.price_provider is None:
            return None
        for candidate in (reported, model):  # the dated name the API reports is the most precise
            if candidate:
                cost = pricing.price(self.price_provider, candidate, input_tokens, output_tokens, batch=batch)
                if cost is not None:
                    return cost
        return None

    def _error(self, exc: BaseException, model: str) -> ProviderError | None:
        ctx = ErrorContext(self.name, self.base_url, model, self._key_env, self._secrets)
        return map_sdk_error(exc, ctx)

    def map_error(self, exc: BaseException, model: str) -> ProviderError | None:
        """`exc` as a redacted ProviderError (None when it is not a provider failure)."""
        return self._error(exc, model)

    def _completion(self, response: Any, model: str, latency: float, *, batch: bool = False) -> Completion:
        """A chat.completion response (SDK object) as a Completion; shared by `complete()` and batches."""
        # A 200 with a non-JSON content type comes back as `str`, `{}` as a model full of None: both are
        # a broken response from a proxy or overloaded server, and worth retrying.
        choices = getattr(response, "choices", None)
        if not choices:
            raise RetryableError(f"{self.name}: response from {self.base_url} is not a chat completion")
        choice = choices[0]
        usage = getattr(response, "usage", None)
        input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        message = getattr(choice, "message", None)
        reported = getattr(response, "model", None)
        return Completion(
            text=(getattr(message, "content", None) or ""),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_s=latency,
            cost_usd=self._cost(model, reported, input_tokens, output_tokens, batch=batch),
            model=reported or model,
            finish_reason=getattr(choice, "finish_reason", None),
        )

    def batch_body(self, request: CompletionRequest) -> dict[str, Any]:
        """The JSON body `complete()` sends for `request`: the `body` of a Batch API input line."""
        kwargs = self._build_kwargs(request)
        extra_body = kwargs.pop("extra_body", {})  # the SDK merges extra_body into the JSON body
        return {**kwargs, **extra_body}

    def parse_batch_result(self, line: Mapping[str, Any], model: str) -> Completion:
        """One line of a batch output/error file as a Completion priced at batch rates.

        Raises RetryableError/PermanentError for a request that failed inside the batch.
        """
        response = line.get("response") or {}
        status = int(response.get("status_code") or 0)
        body = response.get("body")
        if line.get("error") or status != 200:
            raise self._batch_line_error(status, line.get("error") or body)
        # model_construct builds the nested SDK objects leniently, as the SDK does for a live response.
        parsed = ChatCompletion.model_construct(**(body if isinstance(body, Mapping) else {}))
        return self._completion(parsed, model, 0.0, batch=True)

    def _batch_line_error(self, status: int, detail: Any) -> ProviderError:
        inner = detail.get("error", detail) if isinstance(detail, Mapping) else detail
        message = inner.get("message") if isinstance(inner, Mapping) else None
        code = inner.get("code") if isinstance(inner, Mapping) else None
        text = f"{self.name}: batch request failed ({status or code}): {message or detail}"
        text = redact(text, self._secrets)
        # Expired/cancelled lines and 429/5xx may well succeed when resubmitted.
        retryable = status == 429 or status >= 500 or code in ("batch_expired", "batch_cancelled")
        return (RetryableError if retryable else PermanentError)(text, status=status or None)

    async def complete(self, request: CompletionRequest) -> Completion:
        kwargs = self._build_kwargs(request)
        start = time.perf_counter()
        response: Any = None
        error: ProviderError | None = None
        try:
            response = await self._client.chat.completions.create(**kwargs)
        except Exception as exc:
            error = self._error(exc, request.model)
            if error is None:
                raise
        if error is not None:
            # Raised outside the except block so the SDK exception (whose text can quote the key) is
            # not even attached as __context__; the mapped message is redacted and self-contained.
            raise error
        return self._completion(response, request.model, time.perf_counter() - start)

    async def aclose(self) -> None:
        # Closes the pooled connections; a caller-supplied http_client is the caller's to close.
        if self._owns_http_client:
            await self._client.close()
