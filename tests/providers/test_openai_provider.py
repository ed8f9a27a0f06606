"""OpenAIProvider through the real openai SDK, with httpx2.MockTransport underneath."""

from __future__ import annotations

import email.utils
import time

import httpx2
import pytest

from tests.providers.mock_api import SECRET_KEY, MockAPI
from workbench.errors import ProviderConfigError
from workbench.providers import pricing
from workbench.providers.base import CompletionRequest, Message, PermanentError, Provider, RetryableError
from workbench.providers.errors import MissingAPIKeyError
from workbench.providers.openai_chat import OpenAIProvider

BASE = "http://mock.invalid/v1"


def chat_completion(text: str = "Hello!", model: str = "gpt-4o-mini-2024-07-18") -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500},
    }


def request(params: dict[str, object] | None = None, model: str = "gpt-4o-mini") -> CompletionRequest:
    return CompletionRequest(
        provider="openai",
        model=model,
        messages=(Message("system", "You are a recruiter."), Message("user", "Write a vacancy.")),
        params=params or {},
    )


def provider(mock: MockAPI, **kwargs: object) -> OpenAIProvider:
    return OpenAIProvider(api_key=SECRET_KEY, base_url=BASE, http_client=mock.client, **kwargs)  # type: ignore[arg-type]


async def test_success_text_tokens_cost_latency(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion("A great job."))
    p = provider(mock_api)
    assert isinstance(p, Provider)
    result = await p.complete(request())
    assert result.text == "A great job."
    assert (result.input_tokens, result.output_tokens) == (1200, 300)
    assert result.finish_reason == "stop"
    assert result.model == "gpt-4o-mini-2024-07-18"
    assert result.latency_s > 0
    assert result.simulated is False
    assert result.cost_usd == pytest.approx(pricing.price("openai", "gpt-4o-mini", 1200, 300))
    assert result.cost_usd is not None and result.cost_usd > 0


async def test_request_body_messages_and_params(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion())
    params = {
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 256,
        "seed": 7,
        "stop": ["\n\n"],
        "presence_penalty": 0.1,
        "frequency_penalty": 0.3,
        "top_k": 40,  # not an OpenAI parameter: must travel in extra_body
    }
    await provider(mock_api).complete(request(params))
    sent = mock_api.last_json
    assert sent["messages"] == [
        {"role": "system", "content": "You are a recruiter."},
        {"role": "user", "content": "Write a vacancy."},
    ]
    assert sent["model"] == "gpt-4o-mini"
    assert sent["max_completion_tokens"] == 256 and "max_tokens" not in sent
    for key in ("temperature", "top_p", "seed", "stop", "presence_penalty", "frequency_penalty", "top_k"):
        assert sent[key] == params[key]
    assert mock_api.requests[-1].url.path == "/v1/chat/completions"
    assert mock_api.requests[-1].headers["authorization"] == f"Bearer {SECRET_KEY}"


async def test_max_tokens_field_can_be_legacy(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion())
    await provider(mock_api, max_tokens_field="max_tokens").complete(request({"max_tokens": 64}))
    assert mock_api.last_json["max_tokens"] == 64
    assert "max_completion_tokens" not in mock_api.last_json


async def test_explicit_max_completion_tokens_passes_through(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion())
    await provider(mock_api, max_tokens_field="max_tokens").complete(request({"max_completion_tokens": 99}))
    assert mock_api.last_json["max_completion_tokens"] == 99


async def test_no_system_message_when_none(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion())
    req = CompletionRequest(provider="openai", model="gpt-4o-mini", messages=(Message("user", "hi"),))
    await provider(mock_api).complete(req)
    assert mock_api.last_json["messages"] == [{"role": "user", "content": "hi"}]


async def test_sdk_retries_are_off(mock_api: MockAPI) -> None:
    mock_api.reply(500, {"error": {"message": "boom"}})
    mock_api.reply(200, chat_completion())
    with pytest.raises(RetryableError):
        await provider(mock_api).complete(request())
    assert len(mock_api.requests) == 1  # the runner, not the SDK, decides about retries


async def test_429_retry_after_seconds(mock_api: MockAPI) -> None:
    mock_api.reply(429, {"error": {"message": "Rate limit reached"}}, headers={"retry-after": "7"})
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert info.value.status == 429
    assert info.value.retry_after == 7.0
    assert "rate limited (429" in str(info.value) and "Rate limit reached" in str(info.value)


async def test_429_retry_after_http_date(mock_api: MockAPI) -> None:
    sent = time.time()
    when = email.utils.formatdate(sent + 30, usegmt=True)
    mock_api.reply(429, {"error": {"message": "slow down"}}, headers={"retry-after": when})
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert info.value.retry_after is not None  # the date minus the moment it was read (between sent and now)
    assert int(sent + 30) - time.time() - 0.01 <= info.value.retry_after <= 30.01


async def test_429_retry_after_ms_wins(mock_api: MockAPI) -> None:
    headers = {"retry-after-ms": "1500", "retry-after": "9"}
    mock_api.reply(429, {"error": {"message": "slow down"}}, headers=headers)
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert info.value.retry_after == 1.5


@pytest.mark.parametrize("status", [500, 502, 503, 504, 529, 408, 409])
async def test_transient_statuses_are_retryable(mock_api: MockAPI, status: int) -> None:
    mock_api.reply(status, {"error": {"message": "try later"}})
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert info.value.status == status
    assert info.value.retry_after is None


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_are_permanent_and_name_the_variable(
    mock_api: MockAPI, status: int, no_secret
) -> None:
    # Real OpenAI quotes (part of) the key in its 401 message; here the whole key, worst case.
    mock_api.reply(status, {"error": {"message": f"Incorrect API key provided: {SECRET_KEY}."}})
    with pytest.raises(PermanentError) as info:
        await provider(mock_api).complete(request())
    message = str(info.value)
    assert info.value.status == status
    assert "check OPENAI_API_KEY" in message
    if status == 401:
        assert message == "openai: authentication failed (401) — check OPENAI_API_KEY"
    no_secret(info.value)


async def test_bad_request_includes_api_message(mock_api: MockAPI) -> None:
    body = {"error": {"message": "Unsupported parameter: 'max_tokens'", "type": "invalid_request_error"}}
    mock_api.reply(400, body)
    with pytest.raises(PermanentError) as info:
        await provider(mock_api).complete(request())
    assert info.value.status == 400
    assert "bad request (400)" in str(info.value)
    assert "Unsupported parameter: 'max_tokens'" in str(info.value)


async def test_not_found_names_the_model(mock_api: MockAPI) -> None:
    mock_api.reply(404, {"error": {"message": "The model `gpt-9` does not exist"}})
    with pytest.raises(PermanentError) as info:
        await provider(mock_api).complete(request(model="gpt-9"))
    assert "not found (404)" in str(info.value) and "'gpt-9'" in str(info.value)
    assert "does not exist" in str(info.value)


async def test_malformed_json_is_retryable(mock_api: MockAPI) -> None:
    # The SDK lets json.JSONDecodeError escape for a 200 application/json with a broken body.
    mock_api.reply(200, raw=b'{"id": "chatcmpl-1", "choices": [')
    with pytest.raises(RetryableError, match="malformed JSON"):
        await provider(mock_api).complete(request())


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [(b"<html>502 Bad Gateway</html>", "text/html"), (b"{}", "application/json")],
)
async def test_non_completion_200_is_retryable(mock_api: MockAPI, raw: bytes, content_type: str) -> None:
    # For non-JSON content types the SDK returns the body as `str`; for `{}` a model full of None.
    mock_api.reply(200, raw=raw, content_type=content_type)
    with pytest.raises(RetryableError, match="not a chat completion"):
        await provider(mock_api).complete(request())


async def test_transport_errors_are_retryable(mock_api: MockAPI) -> None:
    mock_api.fail(httpx2.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert str(info.value) == f"openai: cannot reach {BASE} (connection refused)"
    mock_api.fail(httpx2.ReadTimeout("timed out"))
    with pytest.raises(RetryableError, match="timed out"):
        await provider(mock_api).complete(request())
    mock_api.fail(httpx2.RemoteProtocolError("peer closed connection without sending complete message body"))
    with pytest.raises(RetryableError, match="closed before the response was complete"):
        await provider(mock_api).complete(request())


def test_missing_key_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(PermanentError) as info:
        OpenAIProvider()
    assert str(info.value) == "openai: OPENAI_API_KEY is not set"
    assert isinstance(info.value, MissingAPIKeyError) and isinstance(info.value, ProviderConfigError)


def test_key_from_environment_and_custom_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_OPENAI_KEY", SECRET_KEY)
    p = OpenAIProvider(api_key_env="MY_OPENAI_KEY", base_url=BASE)
    assert SECRET_KEY not in repr(p)
    monkeypatch.delenv("MY_OPENAI_KEY")
    with pytest.raises(PermanentError, match="openai: MY_OPENAI_KEY is not set"):
        OpenAIProvider(api_key_env="MY_OPENAI_KEY")


async def test_unknown_model_has_no_cost(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion(model="my-finetune-xyz"))
    result = await provider(mock_api).complete(request(model="my-finetune-xyz"))
    assert result.cost_usd is None
    assert result.text == "Hello!"


async def test_configured_prices_override(mock_api: MockAPI) -> None:
    mock_api.reply(200, chat_completion())
    p = provider(mock_api, prices={"input_per_mtok": 1.0, "output_per_mtok": 2.0})
    result = await p.complete(request())
    assert result.cost_usd == pytest.approx((1200 * 1.0 + 300 * 2.0) / 1e6)


async def test_aclose_leaves_a_caller_owned_client_open(mock_api: MockAPI) -> None:
    p = provider(mock_api)
    await p.aclose()
    assert not mock_api.client.is_closed
    own = OpenAIProvider(api_key=SECRET_KEY, base_url=BASE)
    await own.aclose()
