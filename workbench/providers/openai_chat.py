"""OpenAI Chat Completions provider (`openai.AsyncOpenAI`, SDK retries off: the runner owns retries).

The call path (`client.post` with a plain JSON body, see `sdk_provider`) skips the two costly per-call
steps of `chat.completions.create`, which do nothing for plain dicts of strings and numbers: the
TypedDict transform of the params and the pydantic `ChatCompletion` model (~0.75 ms of CPU per call).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Unpack

from workbench.providers.base import (
    Completion,
    CompletionRequest,
    PermanentError,
    ProviderError,
    RetryableError,
)
from workbench.providers.errors import redact
from workbench.providers.http import DEFAULT_MAX_CONNECTIONS
from workbench.providers.registry import ProviderInfo, batch_backend, register
from workbench.providers.sdk_provider import ClientArgs, SDKProvider, field_of

__all__ = ["CHAT_PARAMS", "DEFAULT_MAX_CONNECTIONS", "MaxTokensField", "OpenAIProvider"]

MaxTokensField = Literal["max_tokens", "max_completion_tokens"]
# Request params Chat Completions defines; anything else in a spec is an error (the API would answer 400).
CHAT_PARAMS = frozenset({
    "temperature", "top_p", "max_tokens", "max_completion_tokens", "seed", "stop", "presence_penalty",
    "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "n", "response_format", "reasoning_effort",
    "service_tier", "user", "metadata", "store", "verbosity", "prediction", "modalities",
})
# The request options `chat.completions.create` passes: bearer auth from the client's api_key.
_CHAT_OPTIONS: Any = {"security": {"bearer_auth": True}}


_field = field_of


class OpenAIProvider(SDKProvider):
    """Chat Completions against api.openai.com (or anything speaking the same API).

    `max_tokens` in the request params is sent as `max_completion_tokens` by default: OpenAI deprecated
    `max_tokens` on Chat Completions and reasoning models (o1/o3/o4, gpt-5) reject it, while every
    current model accepts `max_completion_tokens`. Pass `max_tokens_field="max_tokens"` for servers that
    only know the old name (OpenAICompatibleProvider does). An explicit `max_completion_tokens` param
    is always sent as is.
    """

    path = "/chat/completions"
    _request_options = _CHAT_OPTIONS

    default_name = "openai"
    default_key_env: ClassVar[str | None] = "OPENAI_API_KEY"

    def __init__(self, *, max_tokens_field: MaxTokensField = "max_completion_tokens", **args: Unpack[ClientArgs]
                 ) -> None:
        import openai  # ~1 s: only when a client is built

        options = self._setup(args, openai.DefaultAioHttpClient)
        self._max_tokens_field = max_tokens_field
        self._client = openai.AsyncOpenAI(**options)
        self.base_url = str(self._client.base_url).rstrip("/")

    def _body(self, request: CompletionRequest) -> dict[str, Any]:
        """The JSON body of a chat completion; params the API does not define still go in it (vLLM's top_k)."""
        messages: list[dict[str, str]] = []
        system = request.system
        if system:
            messages.append({"role": "system", "content": system})
        messages.extend(request.chat_messages)
        body: dict[str, Any] = {"model": request.model, "messages": messages}
        for key, value in request.params.items():
            if value is None:
                continue
            body[self._max_tokens_field if key == "max_tokens" else key] = value
        return body

    def _completion(self, data: Any, model: str, latency: float, *, batch: bool = False) -> Completion:
        """A decoded chat.completion body as a Completion; shared by `complete()` and batches."""
        # A 200 with a non-JSON body decodes to None, `{}` has no choices: both are a broken response
        # from a proxy or overloaded server, and worth retrying.
        choices = _field(data, "choices")
        if not choices or not isinstance(choices, list):
            raise RetryableError(f"{self.name}: response from {self.base_url} is not a chat completion")
        choice = choices[0]
        usage = _field(data, "usage")
        input_tokens = int(_field(usage, "prompt_tokens") or 0)
        output_tokens = int(_field(usage, "completion_tokens") or 0)
        reported = _field(data, "model")
        text = _field(_field(choice, "message"), "content") or ""
        return self._priced(text, input_tokens, output_tokens, latency=latency, model=model, reported=reported,
                            finish_reason=_field(choice, "finish_reason"), batch=batch)

    def parse_batch_result(self, line: Mapping[str, Any], model: str) -> Completion:
        """One line of a batch output/error file as a Completion priced at batch rates.

        Raises RetryableError/PermanentError for a request that failed inside the batch.
        """
        response = line.get("response") or {}
        status = int(response.get("status_code") or 0)
        body = response.get("body")
        if line.get("error") or status != 200:
            raise self._batch_line_error(status, line.get("error") or body)
        return self._completion(body, model, 0.0, batch=True)

    def _batch_line_error(self, status: int, detail: Any) -> ProviderError:
        inner = detail.get("error", detail) if isinstance(detail, Mapping) else detail
        message = inner.get("message") if isinstance(inner, Mapping) else None
        code = inner.get("code") if isinstance(inner, Mapping) else None
        text = f"{self.name}: batch request failed ({status or code}): {message or detail}"
        text = redact(text, self._secrets)
        # Expired/cancelled lines and 429/5xx may well succeed when resubmitted.
        retryable = status == 429 or status >= 500 or code in ("batch_expired", "batch_cancelled")
        return (RetryableError if retryable else PermanentError)(text, status=status or None)


register(ProviderInfo(
    name="openai", factory=OpenAIProvider.from_spec,
    description="OpenAI Chat Completions (api.openai.com or its base_url)",
    key_env="OPENAI_API_KEY", price_id="openai", sdk="openai", params=CHAT_PARAMS,
    batch=batch_backend("workbench.runner.batch_openai:OpenAIBatches"),
))
