"""OpenAI-compatible servers: Ollama, vLLM, LM Studio, llama.cpp, Azure OpenAI, Groq, OpenRouter, ..."""

from __future__ import annotations

import os
from typing import Any, Unpack

from workbench.errors import ProviderConfigError
from workbench.providers.base import ProviderError
from workbench.providers.errors import MissingAPIKeyError
from workbench.providers.http import response_json
from workbench.providers.openai_chat import CHAT_PARAMS, MaxTokensField, OpenAIProvider
from workbench.providers.registry import ProviderInfo, register
from workbench.providers.sdk_provider import ClientArgs, field_of

# Local servers ignore the key but the SDK insists on one; this placeholder is what gets sent.
PLACEHOLDER_KEY = "not-needed"
EXAMPLE_BASE_URL = "http://localhost:11434/v1"  # Ollama's
MODELS_TIMEOUT = 10.0  # seconds for GET /models: a list, answered at once even by a busy CPU server


class OpenAICompatibleProvider(OpenAIProvider):
    """The OpenAI adapter pointed at a required `base_url`, with an optional key.

    The key comes from `api_key`, else from the env var named by `api_key_env` (never implicitly from
    OPENAI_API_KEY: that would hand a real OpenAI key to a third-party server), else a placeholder.
    Sends `max_tokens` (the name every compatible server understands). Cost is None unless
    `prices={"input_per_mtok": ..., "output_per_mtok": ...}` is given.
    """

    default_name = "openai_compatible"
    default_key_env = None

    def __init__(self, *, max_tokens_field: MaxTokensField = "max_tokens", **args: Unpack[ClientArgs]) -> None:
        name, api_key, api_key_env = args.get("name", self.default_name), args.get("api_key"), args.get("api_key_env")
        if not args.get("base_url"):
            raise ProviderConfigError(f"{name}: base_url is required (e.g. {EXAMPLE_BASE_URL})")
        if api_key is None and api_key_env is not None:
            api_key = os.environ.get(api_key_env) or None
            if api_key is None:  # naming a variable that is unset is a mistake, not "no key needed"
                raise MissingAPIKeyError(f"{name}: {api_key_env} is not set")
        resolved: ClientArgs = {**args, "name": name, "api_key": api_key or PLACEHOLDER_KEY}
        super().__init__(max_tokens_field=max_tokens_field, **resolved)
        # The SDK adds OpenAI-Organization / OpenAI-Project from OPENAI_ORG_ID / OPENAI_PROJECT_ID env
        # vars; they identify the user's OpenAI account and have no business going to another server.
        self._client.organization = None
        self._client.project = None
        if api_key is None:
            self._secrets = ()

    async def served_models(self) -> list[str] | None:
        """The model ids `GET /models` lists, or None when the server does not offer the list.

        A 4xx/5xx or a body that is not an OpenAI-style list means "not offered" (some proxies have no
        such endpoint); an unreachable server raises the mapped, retryable ProviderError.
        """
        import openai

        options: Any = {"timeout": MODELS_TIMEOUT}
        error: ProviderError | None = None
        try:
            response = await self._client.get("/models", cast_to=self._raw_response, options=options)
            data = response_json(response)
        except openai.APIStatusError:
            return None
        except Exception as exc:
            error = self.map_error(exc, "", MODELS_TIMEOUT)
            if error is None:
                raise
        if error is not None:
            raise error  # outside the except block: the SDK exception may quote the key
        entries = field_of(data, "data")
        if not isinstance(entries, list):
            return None
        return [str(field_of(entry, "id")) for entry in entries if field_of(entry, "id")]


register(ProviderInfo(
    name="openai_compatible", factory=OpenAICompatibleProvider.from_spec,
    description="Any server speaking the OpenAI Chat Completions API (Ollama, vLLM, LM Studio, llama.cpp, ...)",
    sdk="openai", needs_base_url=True, example_base_url=EXAMPLE_BASE_URL, lists_models=True,
    params=CHAT_PARAMS | {"top_k", "min_p", "repetition_penalty", "repeat_penalty"}, extra_params=True,
))
