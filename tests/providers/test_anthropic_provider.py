"""AnthropicProvider through the real anthropic SDK, with httpx2.MockTransport underneath."""

from __future__ import annotations

import inspect

import httpx2
import pytest
from anthropic.resources.messages.messages import AsyncMessages

from tests.providers.mock_api import SECRET_KEY, MockAPI
from workbench.providers import pricing
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, PermanentError, Provider, RetryableError
from workbench.providers.errors import MissingAPIKeyError

BASE = "http://mock.invalid"
MODEL = "claude-haiku-4-5"


def message(blocks: list[dict[str, object]] | None = None, model: str = MODEL) -> dict[str, object]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks if blocks is not None else [{"type": "text", "text": "Dear candidate,"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 900, "output_tokens": 120},
    }


def request(params: dict[str, object] | None = None, model: str = MODEL) -> CompletionRequest:
    return CompletionRequest(
        provider="anthropic",
        model=model,
        messages=(
            Message("system", "You are a recruiter."),
            Message("system", "Be kind."),
            Message("user", "Write a rejection."),
        ),
        params=params or {},
    )


def provider(mock: MockAPI, **kwargs: object) -> AnthropicProvider:
    return AnthropicProvider(api_key=SECRET_KEY, base_url=BASE, http_client=mock.client, **kwargs)  # type: ignore[arg-type]


def test_sdk_create_has_no_sampling_parameters() -> None:
    # Why temperature & co. go through extra_body: anthropic>=1.0 removed them from the signature.
    params = inspect.signature(AsyncMessages.create).parameters
    assert not {"temperature", "top_p", "top_k"} & set(params)
    assert "extra_body" in params


async def test_success(mock_api: MockAPI) -> None:
    mock_api.reply(200, message())
    p = provider(mock_api)
    assert isinstance(p, Provider)
    result = await p.complete(request())
    assert result.text == "Dear candidate,"
    assert (result.input_tokens, result.output_tokens) == (900, 120)
    assert result.finish_reason == "end_turn"
    assert result.model == MODEL
    assert result.latency_s > 0
    assert result.cost_usd == pytest.approx(pricing.price("anthropic", MODEL, 900, 120))
    assert result.cost_usd is not None and result.cost_usd > 0


async def test_sampling_params_really_reach_the_json_body(mock_api: MockAPI) -> None:
    mock_api.reply(200, message())
    params = {"temperature": 0.3, "top_p": 0.8, "top_k": 20, "max_tokens": 300, "stop": "###", "seed": 1}
    await provider(mock_api).complete(request(params))
    sent = mock_api.last_json
    assert mock_api.requests[-1].url.path == "/v1/messages"
    assert sent["temperature"] == 0.3
    assert sent["top_p"] == 0.8
    assert sent["top_k"] == 20
    assert sent["max_tokens"] == 300
    assert sent["stop_sequences"] == ["###"]
    assert "seed" not in sent  # OpenAI-only; the Messages API would reject it with a 400
    assert sent["system"] == "You are a recruiter.\n\nBe kind."
    assert sent["messages"] == [{"role": "user", "content": "Write a rejection."}]


async def test_max_tokens_defaults_and_is_configurable(mock_api: MockAPI) -> None:
    mock_api.reply(200, message())
    await provider(mock_api).complete(request())
    assert mock_api.last_json["max_tokens"] == 1024
    assert "temperature" not in mock_api.last_json
    mock_api.reply(200, message())
    await provider(mock_api, default_max_tokens=77).complete(request())
    assert mock_api.last_json["max_tokens"] == 77


async def test_text_is_the_concatenation_of_text_blocks(mock_api: MockAPI) -> None:
    blocks = [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "text", "text": "Part one. "},
        {"type": "text", "text": "Part two."},
    ]
    mock_api.reply(200, message(blocks))
    result = await provider(mock_api).complete(request())
    assert result.text == "Part one. Part two."


async def test_cache_tokens_count_as_input(mock_api: MockAPI) -> None:
    body = message()
    body["usage"] = {
        "input_tokens": 10,
        "cache_read_input_tokens": 500,
        "cache_creation_input_tokens": 90,
        "output_tokens": 5,
    }
    mock_api.reply(200, body)
    result = await provider(mock_api).complete(request())
    assert result.input_tokens == 600


async def test_529_overloaded_is_retryable(mock_api: MockAPI) -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    mock_api.reply(529, body, headers={"retry-after": "4"})
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert info.value.status == 529 and info.value.retry_after == 4.0
    assert str(info.value) == "anthropic: overloaded (529, retry after 4s): Overloaded"


async def test_429_rate_limit(mock_api: MockAPI) -> None:
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests too high"}}
    mock_api.reply(429, body, headers={"retry-after": "2"})
    with pytest.raises(RetryableError) as info:
        await provider(mock_api).complete(request())
    assert info.value.retry_after == 2.0 and "Number of requests too high" in str(info.value)


async def test_401_is_permanent_and_redacted(mock_api: MockAPI, no_secret) -> None:
    body = {
        "type": "error",
        "error": {"type": "authentication_error", "message": f"invalid key {SECRET_KEY}"},
    }
    mock_api.reply(401, body)
    with pytest.raises(PermanentError) as info:
        await provider(mock_api).complete(request())
    assert str(info.value) == "anthropic: authentication failed (401) — check ANTHROPIC_API_KEY"
    no_secret(info.value)


async def test_400_carries_the_api_message(mock_api: MockAPI) -> None:
    body = {"type": "error", "error": {"type": "invalid_request_error", "message": "top_k: bad value"}}
    mock_api.reply(400, body)
    with pytest.raises(PermanentError, match=r"bad request \(400\): top_k: bad value"):
        await provider(mock_api).complete(request())


async def test_malformed_and_non_message_bodies_are_retryable(mock_api: MockAPI) -> None:
    mock_api.reply(200, raw=b'{"id": "msg_1", "content": [{"type": "te')
    with pytest.raises(RetryableError, match="malformed JSON"):
        await provider(mock_api).complete(request())
    mock_api.reply(200, raw=b"<html>oops</html>", content_type="text/html")
    with pytest.raises(RetryableError, match="not a message"):
        await provider(mock_api).complete(request())


async def test_connect_error(mock_api: MockAPI) -> None:
    mock_api.fail(httpx2.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(
        RetryableError, match=r"anthropic: cannot reach http://mock.invalid \(connection refused\)"
    ):
        await provider(mock_api).complete(request())
    assert len(mock_api.requests) == 1  # SDK retries are off


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError) as info:
        AnthropicProvider()
    assert str(info.value) == "anthropic: ANTHROPIC_API_KEY is not set"
