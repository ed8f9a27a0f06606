"""HTTP plumbing shared by the SDK-backed providers: the httpx2 client they get, and JSON decoding."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import urllib.request
from typing import Any

import httpx2

from workbench.providers.transport import FastHTTPTransport

# HTTP/1.1 carries one request per connection, so the pool must be >= the runner's concurrency, and all
# of it kept alive. The runner passes max_connections=concurrency.
DEFAULT_MAX_CONNECTIONS = 1024
# "httpx": httpx2's own transport (httpcore2) everywhere; "fast": FastHTTPTransport for HTTPS too.
TRANSPORT_ENV = "WORKBENCH_HTTP_TRANSPORT"


def _env_proxies() -> bool:
    """Whether HTTP(S)_PROXY/ALL_PROXY are set: httpx2 honours them only with its own transport."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


@functools.cache
def warm_platform_cache() -> None:
    """Fill the stdlib caches behind the SDKs' platform detection, once per process.

    Both SDKs detect the OS on the first request of each client, in a thread, and every request that
    starts before the first one finishes does it again: at concurrency 256 that was ~0.2 s of CPU at
    the start of each run (platform.platform() takes ~20 ms uncached and microseconds cached).
    """
    with contextlib.suppress(Exception):
        platform.platform()
        platform.freedesktop_os_release()


def build_http_client(timeout: float, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> httpx2.AsyncClient:
    """The httpx2 client under an SDK client.

    Plain-HTTP endpoints (local vLLM, Ollama, LM Studio, test servers) go through FastHTTPTransport:
    there thousands of calls a second are possible and httpcore2's pool costs CPU in proportion to its
    size on every request (see transport.py). HTTPS APIs keep httpx2's own transport and TLS handling:
    at real API latencies the pool cost does not matter. WORKBENCH_HTTP_TRANSPORT=fast uses the fast
    transport for both, =httpx for neither; proxies in the environment always get httpx2's transport.
    """
    warm_platform_cache()
    mode = os.environ.get(TRANSPORT_ENV, "").lower()
    limits = httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    if mode == "httpx" or _env_proxies():
        return httpx2.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True)
    fast = FastHTTPTransport(max_connections)
    if mode == "fast":
        return httpx2.AsyncClient(timeout=timeout, transport=fast, follow_redirects=True)
    tls = httpx2.AsyncHTTPTransport(limits=limits, trust_env=True)
    return httpx2.AsyncClient(timeout=timeout, transport=SchemeRouter(fast, tls), follow_redirects=True)


class SchemeRouter(httpx2.AsyncBaseTransport):
    """Plain `http://` requests to one transport, everything else (HTTPS) to another.

    A transport rather than client `mounts`, because NO_PROXY entries become mounts of their own that
    would send e.g. 127.0.0.1 back to the client's default transport.
    """

    def __init__(self, plain: httpx2.AsyncBaseTransport, secure: httpx2.AsyncBaseTransport) -> None:
        self.plain = plain
        self.secure = secure

    def for_url(self, url: httpx2.URL) -> httpx2.AsyncBaseTransport:
        return self.plain if url.scheme == "http" else self.secure

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self.for_url(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        await self.plain.aclose()
        await self.secure.aclose()


def response_json(response: httpx2.Response) -> Any:
    """A 2xx body decoded as the SDKs decode it, without building their pydantic models.

    Under a JSON content type a broken body raises json.JSONDecodeError (mapped to a retryable
    "malformed JSON" error); any other content type is parsed if it happens to be JSON, else None.
    """
    content_type = response.headers.get("content-type", "*").split(";", 1)[0].strip().lower()
    try:
        return json.loads(response.content)
    except ValueError as exc:  # JSONDecodeError, or UnicodeDecodeError for bytes that are not UTF-8/16/32
        if not content_type.endswith("json"):
            return None
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError("body is not valid UTF-8", "", 0) from None
