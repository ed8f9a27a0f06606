"""The no-network guard: both SDKs honour the env it sets, and sockets can't leave the machine."""

from __future__ import annotations

import os
import socket

import aiohttp.connector
import aiohttp.resolver
import anthropic
import httpx2
import openai
import pytest

from tests.support.no_network import DUMMY_ANTHROPIC_KEY, DUMMY_OPENAI_KEY, NoNetwork
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, RetryableError
from workbench.providers.openai_chat import OpenAIProvider

REQ = CompletionRequest(provider="openai", model="gpt-4o-mini", messages=(Message("user", "hi"),))


def test_environment_is_pinned(no_network: NoNetwork) -> None:
    assert os.environ["OPENAI_BASE_URL"] == f"http://127.0.0.1:{no_network.port}/v1"
    assert os.environ["ANTHROPIC_BASE_URL"] == f"http://127.0.0.1:{no_network.port}"
    assert os.environ["OPENAI_API_KEY"] == DUMMY_OPENAI_KEY
    assert os.environ["ANTHROPIC_API_KEY"] == DUMMY_ANTHROPIC_KEY
    assert "ANTHROPIC_AUTH_TOKEN" not in os.environ and "OPENAI_ADMIN_KEY" not in os.environ
    with socket.socket() as sock:  # the port really is closed
        assert sock.connect_ex(("127.0.0.1", no_network.port)) != 0


async def test_openai_sdk_honours_the_env(no_network: NoNetwork) -> None:
    client = openai.AsyncOpenAI(max_retries=0)
    assert str(client.base_url).rstrip("/") == no_network.openai_base_url
    assert client.api_key == DUMMY_OPENAI_KEY
    with pytest.raises(openai.APIConnectionError):
        await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    await client.close()


async def test_anthropic_sdk_honours_the_env(no_network: NoNetwork) -> None:
    client = anthropic.AsyncAnthropic(max_retries=0)
    assert str(client.base_url).rstrip("/") == no_network.anthropic_base_url
    assert client.api_key == DUMMY_ANTHROPIC_KEY
    with pytest.raises(anthropic.APIConnectionError):
        await client.messages.create(
            model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    await client.close()


async def test_providers_without_base_url_hit_the_closed_port(no_network: NoNetwork) -> None:
    o, a = OpenAIProvider(), AnthropicProvider()
    assert o.base_url == no_network.openai_base_url and a.base_url == no_network.anthropic_base_url
    with pytest.raises(RetryableError, match=r"cannot reach .*127\.0\.0\.1.* \(connection refused\)"):
        await o.complete(REQ)
    with pytest.raises(RetryableError, match="connection refused"):
        await a.complete(REQ)
    await o.aclose()
    await a.aclose()


def test_non_loopback_connections_are_refused() -> None:
    with pytest.raises(ConnectionRefusedError, match="may not open network connections"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1, never routable anyway
    with pytest.raises(socket.gaierror, match="may not resolve host names"):
        socket.getaddrinfo("api.openai.com", 443)


async def test_public_hosts_fail_fast_through_httpx2() -> None:
    async with httpx2.AsyncClient() as http:
        with pytest.raises(httpx2.ConnectError):
            await http.get("https://api.anthropic.com/v1/models")
        with pytest.raises(httpx2.ConnectError):
            await http.get("http://203.0.113.7/")  # TEST-NET-3 literal: connect() is refused


def _chain_text(exc: BaseException) -> str:
    parts = []
    seen: BaseException | None = exc
    while seen is not None:
        parts.append(f"{type(seen).__name__}: {seen}")
        seen = seen.__cause__ or seen.__context__
    return " <- ".join(parts)


async def test_the_providers_aiohttp_client_is_held_by_the_guard() -> None:
    """The default client (the SDK's aiohttp one) resolves and connects through the guarded socket calls."""
    assert aiohttp.connector.DefaultResolver is aiohttp.resolver.ThreadedResolver  # even with aiodns installed
    named = OpenAIProvider(base_url="https://api.openai.com/v1")
    literal = OpenAIProvider(base_url="http://203.0.113.7/v1")  # TEST-NET-3: no DNS, connect() is refused
    for provider in (named, literal):
        transport = provider.client._client._transport_for_url(httpx2.URL(provider.base_url))
        assert type(transport).__name__ == "AiohttpTransport"
    with pytest.raises(openai.APIConnectionError) as dns:
        await named.client.post("/chat/completions", body={}, cast_to=httpx2.Response)
    assert "tests may not resolve host names ('api.openai.com')" in _chain_text(dns.value)
    with pytest.raises(openai.APIConnectionError) as connect:
        await literal.client.post("/chat/completions", body={}, cast_to=httpx2.Response)
    assert "tests may not open network connections (to ('203.0.113.7', 80))" in _chain_text(connect.value)
    with pytest.raises(RetryableError, match=r"^openai: cannot reach https://api.openai.com/v1 \(unknown host\)$"):
        await named.complete(REQ)
    with pytest.raises(RetryableError, match=r"^openai: cannot reach http://203.0.113.7/v1 \(connection refused\)$"):
        await literal.complete(REQ)
    await named.aclose()
    await literal.aclose()
