"""FastHTTPTransport: HTTP/1.1 framing, keep-alive pooling, limits and failures, against scripted servers."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx2
import pytest

from tests.support.fake_llm_server import FakeLLMServer
from tests.support.no_network import NoNetwork
from workbench.providers import http
from workbench.providers.transport import FastHTTPTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


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
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"


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


def client(**kwargs: object) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=FastHTTPTransport(**kwargs), timeout=5.0)  # type: ignore[arg-type]


async def test_keep_alive_reuses_one_connection(raw_server) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
            await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        for _ in range(5):
            response = await c.post(server.url + "/x", content=b"hello")
            assert (response.status_code, response.text) == (200, "ok")
    assert server.connections == 1


async def test_chunked_body_and_trailers(raw_server) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for part in (b"4\r\nWiki\r\n", b"5;ext=1\r\npedia\r\n", b"0\r\nX-Trailer: 1\r\n\r\n"):
            writer.write(part)
            await writer.drain()
            await asyncio.sleep(0.01)  # arrives in pieces: exercises incremental parsing

    server = await raw_server(handler)
    async with client() as c:
        response = await c.get(server.url)
    assert response.text == "Wikipedia"


async def test_body_until_close_and_connection_close(raw_server) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
        await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        assert (await c.get(server.url)).text == "all of it"
        assert (await c.get(server.url)).text == "all of it"
    assert server.connections == 2  # `Connection: close` is honoured: no reuse


async def test_gzip_and_informational_responses(raw_server) -> None:
    body = gzip.compress(b'{"a": 1}')

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        response = await c.get(server.url)
    assert response.json() == {"a": 1}


async def test_truncated_body_and_silent_close_are_remote_protocol_errors(raw_server) -> None:
    async def truncated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a bit")
        await writer.drain()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    cut, mute = await raw_server(truncated), await raw_server(silent)
    async with client() as c:
        with pytest.raises(httpx2.RemoteProtocolError, match="complete message body"):
            await c.get(cut.url)
        with pytest.raises(httpx2.RemoteProtocolError, match="without sending a response"):
            await c.get(mute.url)


async def test_read_timeout(raw_server) -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    server = await raw_server(slow)
    async with httpx2.AsyncClient(transport=FastHTTPTransport(), timeout=0.2) as c:
        with pytest.raises(httpx2.ReadTimeout):
            await c.get(server.url)


async def test_connection_refused_keeps_the_errno(no_network: NoNetwork) -> None:
    async with client() as c:
        with pytest.raises(httpx2.ConnectError) as info:
            await c.get(no_network.closed_url)
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


async def test_idle_connection_closed_by_server_is_replaced(raw_server) -> None:
    async def one_shot(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()  # then the handler returns and the server closes the idle connection

    server = await raw_server(one_shot)
    async with client() as c:
        assert (await c.get(server.url)).text == "ok"
        await asyncio.sleep(0.05)  # the close (EOF) reaches the client's event loop
        assert (await c.get(server.url)).text == "ok"
    assert server.connections == 2


async def test_pool_limit_and_pool_timeout(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(latency_ms=50)
    url = fake_llm_server.openai_base_url + "/chat/completions"
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    async with client(max_connections=3) as c:
        responses = await asyncio.gather(*(c.post(url, json=body) for _ in range(12)))
    assert all(r.status_code == 200 for r in responses)
    assert fake_llm_server.stats.max_in_flight == 3
    timeout = httpx2.Timeout(5.0, pool=0.01)
    async with httpx2.AsyncClient(transport=FastHTTPTransport(max_connections=1), timeout=timeout) as c:
        results = await asyncio.gather(*(c.post(url, json=body) for _ in range(3)), return_exceptions=True)
    assert any(isinstance(r, httpx2.PoolTimeout) for r in results)
    assert any(isinstance(r, httpx2.Response) for r in results)


async def test_cancelled_request_frees_its_connection_slot(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(latency_ms=300)
    url = fake_llm_server.openai_base_url + "/chat/completions"
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    async with client(max_connections=1) as c:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(c.post(url, json=body), 0.05)
        fake_llm_server.configure(latency_ms=0)
        assert (await c.post(url, json=body)).status_code == 200


def test_build_http_client_picks_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    local, remote = httpx2.URL("http://127.0.0.1:8000/v1"), httpx2.URL("https://api.openai.com/v1")
    router = http.build_http_client(5.0)._transport_for_url(local)
    # Plain-HTTP (local) endpoints get the fast transport; HTTPS APIs keep httpx2's own TLS stack.
    assert isinstance(router, http.SchemeRouter)
    assert isinstance(router.for_url(local), FastHTTPTransport)
    assert isinstance(router.for_url(remote), httpx2.AsyncHTTPTransport)
    monkeypatch.setenv(http.TRANSPORT_ENV, "fast")
    assert isinstance(http.build_http_client(5.0)._transport_for_url(remote), FastHTTPTransport)
    monkeypatch.setenv(http.TRANSPORT_ENV, "httpx")
    assert isinstance(http.build_http_client(5.0)._transport_for_url(local), httpx2.AsyncHTTPTransport)
    monkeypatch.delenv(http.TRANSPORT_ENV)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")  # proxies: httpx2's own transport
    assert isinstance(http.build_http_client(5.0)._transport_for_url(local), httpx2.AsyncHTTPTransport)
