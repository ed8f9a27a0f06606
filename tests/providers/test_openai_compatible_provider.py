"""OpenAICompatibleProvider: required base_url, optional key, no OpenAI account data leaks, prices."""

from __future__ import annotations

import pytest

from tests.providers.mock_api import SECRET_KEY, MockAPI
from workbench.errors import ProviderConfigError
from workbench.providers.base import CompletionRequest, Message, PermanentError
from workbench.providers.errors import MissingAPIKeyError
from workbench.providers.openai_compatible import PLACEHOLDER_KEY, OpenAICompatibleProvider

BASE = "http://127.0.0.1:11434/v1"
REQ = CompletionRequest(
    provider="openai_compatible", model="llama3.1:8b", messages=(Message("user", "hi"),), params={"top_k": 3}
)
REPLY = {
    "id": "x",
    "object": "chat.completion",
    "created": 0,
    "model": "llama3.1:8b",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
}


def test_base_url_is_required() -> None:
    with pytest.raises(ProviderConfigError, match="base_url is required"):
        OpenAICompatibleProvider(base_url="")


async def test_placeholder_key_and_no_openai_account_headers(
    mock_api: MockAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real OpenAI key / org / project in the environment must not be sent to a third-party server.
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-secret")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-secret")
    mock_api.reply(200, REPLY)
    p = OpenAICompatibleProvider(base_url=BASE, http_client=mock_api.client)
    assert p.name == "openai_compatible" and p.base_url == BASE
    result = await p.complete(REQ)
    headers = mock_api.requests[-1].headers
    assert headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"
    assert "openai-organization" not in headers and "openai-project" not in headers
    assert mock_api.last_json["top_k"] == 3  # server-specific params travel in the body
    assert result.text == "ok" and result.cost_usd is None


async def test_key_from_named_variable(mock_api: MockAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk-123456")
    mock_api.reply(200, REPLY)
    p = OpenAICompatibleProvider(base_url=BASE, api_key_env="GROQ_API_KEY", http_client=mock_api.client)
    await p.complete(REQ)
    assert mock_api.requests[-1].headers["authorization"] == "Bearer gsk-123456"
    monkeypatch.delenv("GROQ_API_KEY")
    with pytest.raises(MissingAPIKeyError, match="openai_compatible: GROQ_API_KEY is not set"):
        OpenAICompatibleProvider(base_url=BASE, api_key_env="GROQ_API_KEY")


async def test_configured_prices(mock_api: MockAPI) -> None:
    mock_api.reply(200, REPLY)
    prices = {"input_per_mtok": 0.5, "output_per_mtok": 1.5}
    p = OpenAICompatibleProvider(base_url=BASE, prices=prices, http_client=mock_api.client)
    result = await p.complete(REQ)
    assert result.cost_usd == pytest.approx((10 * 0.5 + 2 * 1.5) / 1e6)


async def test_401_names_the_variable_when_there_is_one(mock_api: MockAPI) -> None:
    mock_api.reply(401, {"error": {"message": "bad key"}})
    p = OpenAICompatibleProvider(base_url=BASE, http_client=mock_api.client)
    with pytest.raises(PermanentError) as info:
        await p.complete(REQ)
    assert (
        str(info.value)
        == "openai_compatible: authentication failed (401) — the server wants an API key (set api_key_env)"
    )
