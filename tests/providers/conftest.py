"""Fixtures for provider tests: the fake LLM server, an httpx2 mock, a key-leak check."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.providers.mock_api import MockAPI, assert_no_secret
from tests.support.fake_llm_server import fake_llm_server, fake_llm_server_session
from tests.support.tls import fake_llm_server_tls, fake_llm_server_tls_session, tls_files

# Re-exported fixtures (the suite-wide autouse `no_network` comes from tests/conftest.py).
__all__ = [
    "fake_llm_server",
    "fake_llm_server_session",
    "fake_llm_server_tls",
    "fake_llm_server_tls_session",
    "tls_files",
]


@pytest.fixture
def mock_api() -> MockAPI:
    """An httpx2.MockTransport-backed client; pass `mock_api.client` as a provider's http_client."""
    return MockAPI()


@pytest.fixture
def no_secret() -> Iterator[Callable[..., None]]:
    """Checker: the key is in neither the message, the repr, nor anything chained to the exception."""
    yield assert_no_secret
