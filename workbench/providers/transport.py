"""A lean HTTP/1.1 keep-alive transport for httpx2, used underneath the openai/anthropic SDK clients.

Why: httpcore2 was the largest per-call CPU cost after the SDK itself. Its pool re-scans every
connection (probing each idle socket with poll()) whenever a request starts or finishes, so the cost
grows with the pool, and each request passes through several anyio/h11 layers. Measured on the 2-core
benchmark machine (`client.post` + JSON decode against the local fake server): 1.4 ms of CPU per call
at concurrency 16 and 3.4 ms at 256 with httpcore2, 0.75-0.9 ms at either with this transport.
The SDK still builds, authenticates, sends (through `httpx2.AsyncClient`) and validates every request;
only the bytes-on-the-wire layer below httpx2 is replaced.

Scope: plain HTTP/1.1 over TCP (optionally TLS), fully buffered responses (the workbench never streams),
per-origin pools with LIFO reuse, keep-alive expiry, and httpx2's timeout/pool limits. Failures raise the
same httpx2 exceptions httpcore2 would (ConnectError/ConnectTimeout/ReadTimeout/PoolTimeout/ReadError/
RemoteProtocolError), so the SDKs map them to APIConnectionError/APITimeoutError exactly as before.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httpx2

KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is reused (httpx2's default; many servers use 5 s)
_MAX_HEAD = 64 * 1024  # refuse status line + headers larger than this
_NO_BODY_STATUSES = frozenset({204, 304})
_UNTIL_CLOSE = -1  # body-length marker: read until the server closes the connection
_CHUNKED = -2


class _Body(httpx2.AsyncByteStream):
    """The already-received response body (httpx2 still decodes any Content-Encoding)."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._content


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; parses one response at a time into a future."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes, list[tuple[bytes, bytes]], bytes, bool]] | None = None
        self._head: tuple[int, bytes, list[tuple[bytes, bytes]], bool] | None = None
        self._body_start = 0
        self._length = 0
        self._chunk_pos = 0  # parse position inside a chunked body
        self._chunks: list[bytes] = []
        self._head_request = False
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout: float | None = None
        self._last_data = 0.0

    # -- asyncio.Protocol ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            # Bytes nobody asked for (or after a finished response): this connection cannot be trusted.
            self._abort()
            return
        self._buffer += data
        if self._read_timeout is not None:
            self._last_data = self.loop.time()
        try:
            self._parse()
        except httpx2.RemoteProtocolError as exc:
            self._fail(exc)

    def eof_received(self) -> bool | None:
        self._connection_ended(None)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._connection_ended(exc)

    # -- request/response ------------------------------------------------------------------------
    def send(self, data: bytes, read_timeout: float | None, head_request: bool) -> asyncio.Future[Any]:
        assert self.transport is not None
        self._waiter = self.loop.create_future()
        if self.closed:  # closed by the server since it was handed out: fail now, not at the read timeout
            self._waiter.set_exception(httpx2.RemoteProtocolError("Server disconnected without sending a response."))
            return self._waiter
        self._buffer.clear()
        self._head = None
        self._chunks = []
        self._head_request = head_request
        self._read_timeout = read_timeout
        if read_timeout is not None:
            self._last_data = self.loop.time()
            self._timer = self.loop.call_at(self._last_data + read_timeout, self._check_timeout)
        self.transport.write(data)
        return self._waiter

    def _check_timeout(self) -> None:
        self._timer = None
        if self._waiter is None or self._waiter.done() or self._read_timeout is None:
            return
        due = self._last_data + self._read_timeout
        if self.loop.time() < due:  # data arrived since the timer was set: wait for the rest of the window
            self._timer = self.loop.call_at(due, self._check_timeout)
            return
        self._fail(httpx2.ReadTimeout("timed out while reading the response"))

    def _parse(self) -> None:
        if self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    raise httpx2.RemoteProtocolError("response headers too large")
                return
            self._head = _parse_head(bytes(self._buffer[:end]))
            status = self._head[0]
            if 100 <= status < 200:  # 100 Continue & co.: skip it, the real response follows
                del self._buffer[: end + 4]
                self._head = None
                self._parse()
                return
            self._body_start = end + 4
            self._length = _body_length(status, self._head[2], self._head_request)
            self._chunk_pos = self._body_start
        length = self._length
        if length >= 0:
            if len(self._buffer) - self._body_start >= length:
                if len(self._buffer) - self._body_start > length:
                    raise httpx2.RemoteProtocolError("received more data than the response declared")
                self._finish(bytes(self._buffer[self._body_start : self._body_start + length]))
        elif length == _CHUNKED:
            self._parse_chunks()

    def _parse_chunks(self) -> None:
        buf = self._buffer
        pos = self._chunk_pos
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return
            try:
                size = int(bytes(buf[pos:line_end]).split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise httpx2.RemoteProtocolError("malformed chunked encoding") from None
            if size == 0:
                # Last chunk, then optional trailers, then an empty line.
                trailer_end = buf.find(b"\r\n\r\n", line_end)
                if buf[line_end : line_end + 4] == b"\r\n\r\n" or trailer_end >= 0:
                    self._finish(b"".join(self._chunks))
                return
            data_end = line_end + 2 + size
            if len(buf) < data_end + 2:
                return
            self._chunks.append(bytes(buf[line_end + 2 : data_end]))
            pos = data_end + 2
            self._chunk_pos = pos

    def _finish(self, body: bytes) -> None:
        assert self._head is not None and self._waiter is not None
        status, reason, headers, keep_alive = self._head
        self._cancel_timer()
        self._buffer.clear()
        self._head = None
        self._waiter.set_result((status, reason, headers, body, keep_alive and not self.closed))

    def _connection_ended(self, exc: Exception | None) -> None:
        if self.closed:
            return
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._head is not None and self._length == _UNTIL_CLOSE:
            self._finish(bytes(self._buffer[self._body_start :]))
            return
        if isinstance(exc, OSError):
            error: Exception = httpx2.ReadError(str(exc) or type(exc).__name__)
            error.__cause__ = exc
        elif not self._buffer and self._head is None:
            error = httpx2.RemoteProtocolError("Server disconnected without sending a response.")
        else:
            error = httpx2.RemoteProtocolError("peer closed connection without sending complete message body")
        self._fail(error)

    def _fail(self, error: Exception) -> None:
        self._cancel_timer()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self._abort()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        self._cancel_timer()
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _parse_head(head: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]], bool]:
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise httpx2.RemoteProtocolError(f"malformed status line {lines[0][:80]!r}")
    try:
        status = int(parts[1])
    except ValueError:
        raise httpx2.RemoteProtocolError(f"malformed status line {lines[0][:80]!r}") from None
    reason = parts[2] if len(parts) > 2 else b""
    headers: list[tuple[bytes, bytes]] = []
    keep_alive = parts[0] == b"HTTP/1.1"
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise httpx2.RemoteProtocolError("malformed response header")
        name = name.strip()
        value = value.strip()
        headers.append((name, value))
        if name.lower() == b"connection":
            tokens = value.lower()
            keep_alive = b"keep-alive" in tokens if not keep_alive else b"close" not in tokens
    return status, reason, headers, keep_alive


def _body_length(status: int, headers: list[tuple[bytes, bytes]], head_request: bool) -> int:
    if head_request or status in _NO_BODY_STATUSES:
        return 0
    length: int | None = None
    for name, value in headers:
        lower = name.lower()
        if lower == b"transfer-encoding" and b"chunked" in value.lower():
            return _CHUNKED
        if lower == b"content-length":
            try:
                length = int(value)
            except ValueError:
                raise httpx2.RemoteProtocolError("malformed Content-Length") from None
    return _UNTIL_CLOSE if length is None else length


class _Pool:
    """Connections to one origin: LIFO idle stack, a connection cap, and FIFO waiters for a slot."""

    def __init__(self, max_connections: int) -> None:
        self.max_connections = max_connections
        self.idle: list[_Connection] = []
        self.open = 0  # connections counted against the cap (busy, idle or being established)
        self.waiters: deque[asyncio.Future[_Connection | None]] = deque()

    def take_idle(self, now: float) -> _Connection | None:
        while self.idle:
            conn = self.idle.pop()
            if not conn.closed and now - conn.idle_since < KEEPALIVE_EXPIRY:
                return conn
            conn.close()
            self.open -= 1
        return None

    def give_back(self, conn: _Connection, now: float) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)  # straight to the next queued request
                return
        conn.idle_since = now
        self.idle.append(conn)

    def discard(self) -> None:
        """A connection is gone: free its slot for a queued request (which will open a new one)."""
        self.open -= 1
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                self.open += 1
                waiter.set_result(None)
                return


class FastHTTPTransport(httpx2.AsyncBaseTransport):
    """httpx2 transport: HTTP/1.1 keep-alive pools on asyncio protocols (see the module docstring)."""

    def __init__(self, max_connections: int = 100, ssl_context: ssl.SSLContext | None = None) -> None:
        self.max_connections = max(1, max_connections)
        self._ssl_context = ssl_context
        self._pools: dict[tuple[bytes, bytes, int], _Pool] = {}
        self._closed = False

    def _ssl(self) -> ssl.SSLContext:
        if self._ssl_context is None:  # built on first https use: loading the CA bundle takes ~20 ms
            self._ssl_context = httpx2.create_ssl_context()
        return self._ssl_context

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._closed:
            raise RuntimeError("transport is closed")
        url = request.url
        scheme = url.raw_scheme
        if scheme not in (b"http", b"https"):
            raise httpx2.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        port = url.port or (443 if scheme == b"https" else 80)
        key = (scheme, url.raw_host, port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool(self.max_connections)
        timeouts = request.extensions.get("timeout") or {}
        data = _serialize(request, await request.aread())
        loop = asyncio.get_running_loop()
        conn = await self._acquire(pool, key, timeouts, loop)
        while conn.closed:  # an idle connection the server closed while it was being handed over
            pool.discard()
            conn = await self._acquire(pool, key, timeouts, loop)
        try:
            status, reason, headers, body, keep_alive = await conn.send(
                data, timeouts.get("read"), request.method == "HEAD"
            )
        except BaseException:  # includes cancellation: the connection is mid-response, so drop it
            conn.close()
            pool.discard()
            raise
        if keep_alive and not conn.closed and not self._closed:
            pool.give_back(conn, loop.time())
        else:
            conn.close()
            pool.discard()
        return httpx2.Response(
            status,
            headers=headers,
            stream=_Body(body),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def _acquire(
        self, pool: _Pool, key: tuple[bytes, bytes, int], timeouts: dict[str, Any], loop: asyncio.AbstractEventLoop
    ) -> _Connection:
        conn = pool.take_idle(loop.time())
        if conn is not None:
            return conn
        if pool.open >= pool.max_connections:
            waiter: asyncio.Future[_Connection | None] = loop.create_future()
            pool.waiters.append(waiter)
            try:
                handed = await asyncio.wait_for(waiter, timeouts.get("pool"))
            except TimeoutError:
                raise httpx2.PoolTimeout("timed out waiting for a free connection") from None
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():  # a slot was handed over just now: pass it on
                    got = waiter.result()
                    if got is not None:
                        pool.give_back(got, loop.time())
                    else:
                        pool.discard()
                raise
            if handed is not None:
                return handed
        else:
            pool.open += 1
        try:
            return await self._connect(key, timeouts.get("connect"), loop)
        except BaseException:
            pool.discard()
            raise

    async def _connect(
        self, key: tuple[bytes, bytes, int], timeout: float | None, loop: asyncio.AbstractEventLoop
    ) -> _Connection:
        scheme, raw_host, port = key
        host = raw_host.decode("ascii")
        conn = _Connection(loop)
        ssl_context = self._ssl() if scheme == b"https" else None
        try:
            await asyncio.wait_for(
                loop.create_connection(
                    lambda: conn, host, port, ssl=ssl_context, server_hostname=host if ssl_context else None
                ),
                timeout,
            )
        except TimeoutError:
            raise httpx2.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise httpx2.ConnectError(str(exc) or type(exc).__name__) from exc
        return conn

    async def aclose(self) -> None:
        self._closed = True
        for pool in self._pools.values():
            for conn in pool.idle:
                conn.close()
            pool.idle.clear()
        self._pools.clear()


def _serialize(request: httpx2.Request, body: bytes) -> bytes:
    """Request line + headers + body in one buffer: one write() and one packet for small requests."""
    url = request.url
    lines = [request.method.encode("ascii"), b" ", url.raw_path, b" HTTP/1.1\r\n"]
    chunked = False
    for name, value in request.headers.raw:
        if name.lower() == b"transfer-encoding":  # the body was read whole: send it with a length
            chunked = True
            continue
        lines += [name, b": ", value, b"\r\n"]
    if chunked:
        lines += [b"Content-Length: ", str(len(body)).encode("ascii"), b"\r\n"]
    lines.append(b"\r\n")
    lines.append(body)
    return b"".join(lines)
