"""Autouse guard: no test can reach a real LLM API (or any non-loopback host).

Wire it from the top-level `tests/conftest.py` with `from tests.support.no_network import no_network`
(importing the fixture makes it autouse for the whole suite). It

* points `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL` at a closed port on 127.0.0.1, so an SDK client built
  without an explicit base_url fails fast with "connection refused" instead of calling the real API;
* sets dummy `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` and removes every other credential or routing
  variable the SDKs read (admin keys, auth tokens, profiles, org/project ids, custom headers);
* refuses `socket.connect` to anything but loopback and Unix sockets, and `socket.getaddrinfo` for
  host names other than localhost (a DNS query is network access too): a second line of defence.
  Both HTTP stacks under the SDKs go through these: httpx2/anyio, and aiohttp (the providers' default),
  whose resolver is pinned to its threaded `getaddrinfo` one, because with `aiodns` installed aiohttp
  would otherwise resolve names through c-ares, past `socket.getaddrinfo`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp.connector
import aiohttp.resolver
import pytest

DUMMY_OPENAI_KEY = "sk-test-dummy-openai-key-not-real"
DUMMY_ANTHROPIC_KEY = "sk-ant-test-dummy-key-not-real"
# Environment the SDKs consult for credentials or routing; a developer's shell must not leak into tests.
_CLEARED = (
    "OPENAI_ADMIN_KEY",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_WEBHOOK_SECRET",
    "OPENAI_CUSTOM_HEADERS",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_WEBHOOK_SIGNING_KEY",
    "ANTHROPIC_IDENTITY_TOKEN",
    "ANTHROPIC_IDENTITY_TOKEN_FILE",
    "ANTHROPIC_FEDERATION_RULE_ID",
    "ANTHROPIC_ORGANIZATION_ID",
)


@cache
def closed_port() -> int:
    """A loopback TCP port nothing listens on: 9 (discard) if closed, else a just-released ephemeral one."""
    for port in (9, 0):
        if port == 0:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        with socket.socket() as sock:
            sock.settimeout(1.0)
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no closed loopback port found")


@dataclass(frozen=True)
class NoNetwork:
    """What the guard set up; tests can use `closed_url` as a deliberately unreachable endpoint."""

    port: int
    openai_base_url: str
    anthropic_base_url: str

    @property
    def closed_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _needs_dns(host: Any) -> bool:
    if host is None or host in ("localhost", b"localhost", ""):
        return False
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return True
    return False  # an IP literal resolves locally; connect() decides whether it is allowed


def _is_local(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a hostname: it would need DNS, which is the network


@pytest.fixture(autouse=True)
def no_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NoNetwork]:
    port = closed_port()
    guard = NoNetwork(port, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OPENAI_BASE_URL", guard.openai_base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", guard.anthropic_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", DUMMY_OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_ANTHROPIC_KEY)
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    # No on-disk Anthropic profile may be discovered; and loopback must never go through a proxy.
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(Path(tmp_path_factory.getbasetemp()) / "anthropic-config"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local(self.family, address):
            raise ConnectionRefusedError(f"tests may not open network connections (to {address!r})")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local(self.family, address):
            raise ConnectionRefusedError(f"tests may not open network connections (to {address!r})")
        return real_connect_ex(self, address)

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if _needs_dns(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve host names ({host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(aiohttp.connector, "DefaultResolver", aiohttp.resolver.ThreadedResolver)
    yield guard
