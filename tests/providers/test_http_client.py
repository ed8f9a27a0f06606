"""The providers' HTTP client (the SDKs' aiohttp client): pooling, limits, cancellation, framing, choice.

Everything goes through the real SDK request path of a provider (or its httpx2 client) to loopback
servers: the fake LLM server, or a scripted raw-bytes server for what the fake never sends.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import anthropic
import httpx2
import openai
import pytest

from tests.providers.mock_api import SECRET_KEY
from tests.support.fake_llm_server import FakeLLMServer
from workbench.errors import ProviderConfigError
from workbench.providers import http
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, RetryableError
from workbench.providers.openai_chat import OpenAIProvider
from workbench.providers.openai_compatible import OpenAICompatibleProvider

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
REQ = CompletionRequest("openai", "gpt-4o-mini", (Message("user", "hi"),))
CHAT = {"id": "c1", "model": "gpt-4o-mini", "choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}


def transport_of(provider: OpenAIProvider | AnthropicProvider, url: str) -> httpx2.AsyncBaseTransport:
    return provider.client._client._transport_for_url(httpx2.URL(url))


class RawServer:
    """A loopback TCP server whose handler writes raw bytes; counts connections."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/v1"


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Handler], Awaitable[RawServer]]]:
    servers: list[RawServer] = []

    async def make(handler: Handler) -> RawServer:
        raw = RawServer(handler)
        raw.server = await asyncio.start_server(raw._serve, "127.0.0.1", 0)
        servers.append(raw)
        return raw

    yield make
    for raw in servers:
        assert raw.server is not None
        raw.server.close()
        await raw.server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + (await reader.readexactly(length) if length else b"")


def test_providers_use_their_sdks_aiohttp_client(fake_llm_server: FakeLLMServer) -> None:
    o = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url, max_connections=7)
    a = AnthropicProvider(api_key=SECRET_KEY, base_url=fake_llm_server.anthropic_base_url)
    c = OpenAICompatibleProvider(base_url="https://llm.example.internal/v1")
    assert isinstance(o.client._client, openai.DefaultAioHttpClient)
    assert isinstance(a.client._client, anthropic.DefaultAioHttpClient)
    assert isinstance(c.client._client, openai.DefaultAioHttpClient)
    for provider, url in ((o, fake_llm_server.openai_base_url), (c, "https://llm.example.internal/v1")):
        transport = transport_of(provider, url)
        assert type(transport).__name__ == "AiohttpTransport"
        assert transport.ssl_context.verify_mode.name == "CERT_REQUIRED"  # type: ignore[attr-defined]
    limits = transport_of(o, fake_llm_server.openai_base_url).limits  # type: ignore[attr-defined]
    assert (limits.max_connections, limits.keepalive_expiry) == (7, http.KEEPALIVE_EXPIRY)


def test_transport_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(http.TRANSPORT_ENV, "httpx")
    p = OpenAIProvider(api_key=SECRET_KEY, base_url="http://127.0.0.1:1/v1")
    assert type(p.client._client) is httpx2.AsyncClient
    assert isinstance(transport_of(p, "http://127.0.0.1:1/v1"), httpx2.AsyncHTTPTransport)
    monkeypatch.setenv(http.TRANSPORT_ENV, "fast")  # the removed hand-written transport
    with pytest.raises(ProviderConfigError, match=r"WORKBENCH_HTTP_TRANSPORT='fast' is not a transport; use aiohttp"):
        OpenAIProvider(api_key=SECRET_KEY, base_url="http://127.0.0.1:1/v1")


def test_proxies_from_the_environment_go_through_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")  # NO_PROXY (no_network) covers loopback
    p = OpenAIProvider(api_key=SECRET_KEY, base_url="https://api.openai.com/v1")
    remote = transport_of(p, "https://api.openai.com/v1")
    local = transport_of(p, "http://127.0.0.1:8000/v1")
    assert type(remote).__name__ == type(local).__name__ == "AiohttpTransport"
    assert str(remote.proxy.url) == "http://proxy.invalid:3128"  # type: ignore[attr-defined]
    assert local.proxy is None  # type: ignore[attr-defined]


async def test_sequential_calls_reuse_one_keep_alive_connection(fake_llm_server: FakeLLMServer) -> None:
    p = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url)
    for _ in range(5):
        assert (await p.complete(REQ)).text
    await p.aclose()
    assert fake_llm_server.stats.connections == 1


async def test_pool_is_capped_at_max_connections(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(latency_ms=50)
    p = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url, max_connections=3)
    results = await asyncio.gather(*(p.complete(REQ) for _ in range(12)))
    await p.aclose()
    assert all(r.text for r in results)
    stats = fake_llm_server.stats
    assert stats.max_in_flight == 3 and stats.connections == 3


async def test_waiting_for_a_pool_slot_times_out(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(latency_ms=500)
    client = http.build_http_client(openai.DefaultAioHttpClient, 5.0, max_connections=1)
    url = fake_llm_server.openai_base_url + "/chat/completions"
    timeout = httpx2.Timeout(5.0, pool=0.05)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    results = await asyncio.gather(
        *(client.post(url, json=body, timeout=timeout) for _ in range(2)), return_exceptions=True
    )
    await client.aclose()
    assert sum(isinstance(r, httpx2.Response) and r.status_code == 200 for r in results) == 1
    assert sum(isinstance(r, httpx2.TimeoutException) for r in results) == 1


async def test_a_cancelled_call_frees_its_connection_slot(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(latency_ms=300)
    p = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url, max_connections=1)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(p.complete(REQ), 0.05)
    fake_llm_server.configure(latency_ms=0)
    assert (await asyncio.wait_for(p.complete(REQ), 5.0)).text
    await p.aclose()


async def test_idle_connection_closed_by_the_server_is_replaced(raw_server) -> None:
    async def one_shot(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        body = json.dumps(CHAT).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        writer.write(body)
        await writer.drain()  # then the handler returns and the server closes the idle connection

    server = await raw_server(one_shot)
    p = OpenAICompatibleProvider(base_url=server.url)
    assert (await p.complete(REQ)).text == "ok"
    await asyncio.sleep(0.05)  # the close (EOF) reaches the client's event loop
    assert (await p.complete(REQ)).text == "ok"
    await p.aclose()
    assert server.connections == 2


async def test_chunked_gzip_body_after_100_continue(raw_server) -> None:
    body = gzip.compress(json.dumps(CHAT).encode())

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n")
        writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
        for part in (body[:10], body[10:]):
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
            await asyncio.sleep(0.01)  # arrives in pieces
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    server = await raw_server(handler)
    p = OpenAICompatibleProvider(base_url=server.url)
    completion = await p.complete(REQ)
    await p.aclose()
    assert (completion.text, completion.finish_reason) == ("ok", "stop")


async def test_connection_reset_and_silence_are_retryable(raw_server) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.transport.abort()  # RST instead of an answer

    async def half_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Le")
        await writer.drain()

    for handler in (reset, half_head):
        server = await raw_server(handler)
        p = OpenAICompatibleProvider(base_url=server.url)
        with pytest.raises(RetryableError, match=rf"cannot reach {server.url} \(connection (closed|reset)"):
            await p.complete(REQ)
        await p.aclose()
