"""HTTP plumbing shared by the SDK-backed providers: the httpx2 client they get, and JSON decoding.

The client is the SDKs' own supported aiohttp client (`openai.DefaultAioHttpClient` /
`anthropic.DefaultAioHttpClient`, installed by the `aiohttp` extras): the SDK still builds, signs and
sends every request through `httpx2.AsyncClient`, and aiohttp's connection pool, HTTP/1.1 parser (C)
and TLS carry the bytes. Measured in bench/bench_http.py against httpx2's default transport.

Configuration, all through the standard mechanisms:

* connections: one keep-alive connection per request in flight, so the pool is sized to the runner's
  concurrency (`max_connections`); idle connections are kept `KEEPALIVE_EXPIRY` seconds;
* timeouts: the provider's `timeout` is the connect, pool-wait and read (between bytes) timeout;
* TLS: certificates are verified against the system CA store, or the bundle named by `SSL_CERT_FILE`
  / `SSL_CERT_DIR` (a company CA, or a self-signed local server);
* proxies: `HTTP(S)_PROXY` / `ALL_PROXY` / `NO_PROXY`, as httpx2 reads them.

`WORKBENCH_HTTP_TRANSPORT=httpx` switches to httpx2's own transport (httpcore2): an escape hatch,
slower at high concurrency (see bench/README.md).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
from typing import TYPE_CHECKING, Any

from workbench.errors import ProviderConfigError

if TYPE_CHECKING:  # imported with the SDK when a client is built (registering a provider must stay cheap)
    import httpx2

# HTTP/1.1 carries one request per connection, so the pool must be >= the runner's concurrency, and all
# of it kept alive. The runner passes max_connections=concurrency.
DEFAULT_MAX_CONNECTIONS = 1024
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is reused (httpx2's default; many servers use 5 s)
TRANSPORT_ENV = "WORKBENCH_HTTP_TRANSPORT"
TRANSPORTS = ("aiohttp", "httpx")


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


def transport_choice() -> str:
    """`aiohttp` (default) or `httpx`, from WORKBENCH_HTTP_TRANSPORT; anything else is a config error."""
    choice = os.environ.get(TRANSPORT_ENV, "").strip().lower() or TRANSPORTS[0]
    if choice not in TRANSPORTS:
        raise ProviderConfigError(
            f"{TRANSPORT_ENV}={os.environ[TRANSPORT_ENV]!r} is not a transport; use {' or '.join(TRANSPORTS)}"
        )
    return choice


def build_http_client(
    aiohttp_client: type[httpx2.AsyncClient], timeout: float, max_connections: int = DEFAULT_MAX_CONNECTIONS
) -> httpx2.AsyncClient:
    """The httpx2 client under an SDK client: `aiohttp_client` is that SDK's `DefaultAioHttpClient`."""
    import httpx2

    warm_platform_cache()
    limits = httpx2.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=KEEPALIVE_EXPIRY
    )
    client_class = aiohttp_client if transport_choice() == "aiohttp" else httpx2.AsyncClient
    return client_class(timeout=timeout, limits=limits, follow_redirects=True)


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
