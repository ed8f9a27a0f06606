"""End to end: providers -> real SDKs -> real sockets -> the fake LLM server."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator

import pytest

from tests.providers.mock_api import SECRET_KEY
from tests.support.fake_llm_server import FakeLLMServer
from tests.support.no_network import NoNetwork
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, PermanentError, ProviderError, RetryableError
from workbench.providers.openai_chat import OpenAIProvider
from workbench.providers.openai_compatible import OpenAICompatibleProvider


def req(
    provider: str, model: str, text: str = "Write a vacancy for a nurse.", **params: object
) -> CompletionRequest:
    return CompletionRequest(
        provider=provider,
        model=model,
        messages=(Message("system", "You are a recruiter."), Message("user", text)),
        params=dict(params),
    )


OPENAI_REQ = req("openai", "gpt-4o-mini")
ANTHROPIC_REQ = req("anthropic", "claude-haiku-4-5")


@pytest.fixture
async def openai_p(fake_llm_server: FakeLLMServer) -> AsyncIterator[OpenAIProvider]:
    provider = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url, timeout=5.0)
    yield provider
    await provider.aclose()


@pytest.fixture
async def anthropic_p(fake_llm_server: FakeLLMServer) -> AsyncIterator[AnthropicProvider]:
    provider = AnthropicProvider(api_key=SECRET_KEY, base_url=fake_llm_server.anthropic_base_url, timeout=5.0)
    yield provider
    await provider.aclose()


async def test_openai_success(fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider) -> None:
    result = await openai_p.complete(req("openai", "gpt-4o-mini", temperature=0.1, max_tokens=200))
    again = await openai_p.complete(req("openai", "gpt-4o-mini", temperature=0.1, max_tokens=200))
    other = await openai_p.complete(req("openai", "gpt-4o-mini", text="Something else entirely."))
    assert result.text.startswith("[fake gpt-4o-mini #") and "Write a vacancy" in result.text
    assert result.text == again.text != other.text  # deterministic, prompt-dependent
    assert result.input_tokens > 0 and result.output_tokens > 0
    assert result.cost_usd is not None and result.cost_usd > 0
    sent = fake_llm_server.stats.recent[0]["json"]
    assert sent["max_completion_tokens"] == 200 and sent["temperature"] == 0.1
    assert fake_llm_server.stats.requests["POST /v1/chat/completions"] == 3
    await openai_p.aclose()


async def test_anthropic_success_and_temperature_on_the_wire(
    fake_llm_server: FakeLLMServer, anthropic_p: AnthropicProvider
) -> None:
    result = await anthropic_p.complete(req("anthropic", "claude-haiku-4-5", temperature=0.7, top_k=5))
    assert result.text.startswith("[fake claude-haiku-4-5 #")
    assert result.finish_reason == "end_turn"
    assert result.cost_usd is not None and result.cost_usd > 0
    sent = fake_llm_server.stats.last_json
    assert sent["temperature"] == 0.7 and sent["top_k"] == 5
    assert sent["system"] == "You are a recruiter." and sent["max_tokens"] == 1024
    assert fake_llm_server.stats.requests["POST /v1/messages"] == 1
    await anthropic_p.aclose()


async def test_openai_compatible_success_without_key(fake_llm_server: FakeLLMServer) -> None:
    p = OpenAICompatibleProvider(base_url=fake_llm_server.openai_base_url)
    result = await p.complete(req("openai_compatible", "llama3.1:8b", max_tokens=50))
    assert result.text.startswith("[fake llama3.1:8b #")
    assert result.cost_usd is None  # no price configured
    recent = fake_llm_server.stats.recent[-1]
    assert recent["headers"]["authorization"] == "Bearer not-needed"
    assert recent["json"]["max_tokens"] == 50 and "max_completion_tokens" not in recent["json"]
    priced = OpenAICompatibleProvider(
        base_url=fake_llm_server.openai_base_url, prices={"input_per_mtok": 1.0, "output_per_mtok": 1.0}
    )
    costed = await priced.complete(req("openai_compatible", "llama3.1:8b"))
    assert costed.cost_usd == pytest.approx((costed.input_tokens + costed.output_tokens) / 1e6)
    await p.aclose()
    await priced.aclose()


async def test_scripted_429_with_retry_after_seconds_then_ok(
    fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider
) -> None:
    fake_llm_server.configure(script=["429", "ok"], retry_after="3")
    with pytest.raises(RetryableError) as info:
        await openai_p.complete(req("openai", "gpt-4o-mini"))
    assert (info.value.status, info.value.retry_after) == (429, 3.0)
    assert (await openai_p.complete(req("openai", "gpt-4o-mini"))).text
    stats = fake_llm_server.stats
    assert stats.statuses[429] == 1 and stats.statuses[200] == 1 and stats.faults["429"] == 1


async def test_429_with_http_date(fake_llm_server: FakeLLMServer, anthropic_p: AnthropicProvider) -> None:
    sent = time.time()
    fake_llm_server.configure(script=["429"], retry_after=email.utils.formatdate(sent + 20, usegmt=True))
    with pytest.raises(RetryableError) as info:
        await anthropic_p.complete(req("anthropic", "claude-haiku-4-5"))
    # the date (whole seconds) minus the moment it was read, which lies between `sent` and now:
    # bounds from measured times, so a slow machine cannot fail this
    assert info.value.retry_after is not None
    assert int(sent + 20) - time.time() - 0.01 <= info.value.retry_after <= 20.01


@pytest.mark.parametrize("status", ["500", "503", "529"])
async def test_server_errors_are_retryable(
    fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider, anthropic_p: AnthropicProvider, status: str
) -> None:
    fake_llm_server.configure(script=[status, status])
    for p, r in (
        (openai_p, req("openai", "gpt-4o-mini")),
        (anthropic_p, req("anthropic", "claude-haiku-4-5")),
    ):
        with pytest.raises(RetryableError) as info:
            await p.complete(r)
        assert info.value.status == int(status)


async def test_hanging_request_times_out(fake_llm_server: FakeLLMServer) -> None:
    # The server holds both requests for ten minutes: only the clients' own 0.3 s timeout can end them
    # with "timed out" (a hang that ran out would be a closed connection), so no clock is needed here.
    fake_llm_server.configure(script=["hang", "hang"], hang_s=600.0)
    o = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url, timeout=0.3)
    a = AnthropicProvider(api_key=SECRET_KEY, base_url=fake_llm_server.anthropic_base_url, timeout=0.3)
    with pytest.raises(RetryableError, match="timed out"):
        await o.complete(req("openai", "gpt-4o-mini"))
    with pytest.raises(RetryableError, match="timed out"):
        await a.complete(req("anthropic", "claude-haiku-4-5"))
    await o.aclose()
    await a.aclose()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("malformed", "malformed JSON"),
        ("truncate", "connection closed before the response was complete"),
        ("close", "connection closed before the response was complete"),
        ("html", "not a"),
        ("empty", "not a"),
    ],
)
async def test_broken_responses_are_retryable(
    fake_llm_server: FakeLLMServer,
    openai_p: OpenAIProvider,
    anthropic_p: AnthropicProvider,
    fault: str,
    expected: str,
) -> None:
    fake_llm_server.configure(script=[fault, fault])
    with pytest.raises(RetryableError, match=expected):
        await openai_p.complete(req("openai", "gpt-4o-mini"))
    with pytest.raises(RetryableError, match=expected):
        await anthropic_p.complete(req("anthropic", "claude-haiku-4-5"))


async def test_connection_refused_message(no_network: NoNetwork) -> None:
    url = no_network.closed_url
    p = OpenAICompatibleProvider(base_url=url)
    with pytest.raises(RetryableError) as info:
        await p.complete(req("openai_compatible", "llama3.1:8b"))
    assert str(info.value) == f"openai_compatible: cannot reach {url} (connection refused)"
    await p.aclose()


async def test_401_echoing_the_key_never_leaks_it(
    fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider, anthropic_p: AnthropicProvider, no_secret
) -> None:
    fake_llm_server.configure(require_key="the-right-key")  # the server's 401 quotes the key it got
    with pytest.raises(PermanentError) as o_info:
        await openai_p.complete(req("openai", "gpt-4o-mini"))
    with pytest.raises(PermanentError) as a_info:
        await anthropic_p.complete(req("anthropic", "claude-haiku-4-5"))
    assert str(o_info.value) == "openai: authentication failed (401) — check OPENAI_API_KEY"
    assert str(a_info.value) == "anthropic: authentication failed (401) — check ANTHROPIC_API_KEY"
    no_secret(o_info.value)
    no_secret(a_info.value)


async def test_no_key_in_any_error_message(
    fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider, anthropic_p: AnthropicProvider, no_secret
) -> None:
    faults = ["400", "401", "403", "404", "429", "500", "529", "malformed", "truncate", "close", "html"]
    fake_llm_server.configure(script=faults * 2)
    errors: list[ProviderError] = []
    for p, r in (
        (openai_p, req("openai", "gpt-4o-mini")),
        (anthropic_p, req("anthropic", "claude-haiku-4-5")),
    ):
        for _ in faults:
            with pytest.raises(ProviderError) as info:
                await p.complete(r)
            errors.append(info.value)
    assert len(errors) == 2 * len(faults)
    for error in errors:
        no_secret(error)


async def test_unknown_model_is_a_permanent_404(
    fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider
) -> None:
    fake_llm_server.configure(models=["gpt-4o-mini"])
    with pytest.raises(PermanentError) as info:
        await openai_p.complete(req("openai", "gpt-nope"))
    assert info.value.status == 404 and "gpt-nope" in str(info.value)


async def test_concurrent_requests_share_a_keepalive_pool(
    fake_llm_server: FakeLLMServer, openai_p: OpenAIProvider
) -> None:
    fake_llm_server.configure(latency_ms=20)
    results = await asyncio.gather(
        *(openai_p.complete(req("openai", "gpt-4o-mini", text=f"q{i}")) for i in range(200))
    )
    assert len({r.text for r in results}) == 200
    stats = fake_llm_server.stats
    assert stats.requests["POST /v1/chat/completions"] == 200
    assert stats.max_in_flight > 50  # really concurrent, not serialised by the client pool
    await openai_p.aclose()
