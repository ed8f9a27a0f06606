"""HTTPS through the real SDK path: the fake server with a throwaway CA's certificate, verification on."""

from __future__ import annotations

import pytest

from tests.providers.mock_api import SECRET_KEY
from tests.support.fake_llm_server import FakeLLMServer
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, PermanentError
from workbench.providers.http import TRANSPORT_ENV
from workbench.providers.openai_chat import OpenAIProvider

OPENAI_REQ = CompletionRequest("openai", "gpt-4o-mini", (Message("system", "Be brief."), Message("user", "hi")))
ANTHROPIC_REQ = CompletionRequest("anthropic", "claude-haiku-4-5", (Message("user", "hi"),))


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_both_sdks_over_https_with_the_ca_from_ssl_cert_file(
    fake_llm_server_tls: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    monkeypatch.setenv(TRANSPORT_ENV, transport)
    assert fake_llm_server_tls.base_url.startswith("https://127.0.0.1:")
    o = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server_tls.openai_base_url, timeout=5.0)
    a = AnthropicProvider(api_key=SECRET_KEY, base_url=fake_llm_server_tls.anthropic_base_url, timeout=5.0)
    texts = [(await o.complete(OPENAI_REQ)).text for _ in range(3)]
    reply = await a.complete(ANTHROPIC_REQ)
    await o.aclose()
    await a.aclose()
    assert all(text.startswith("[fake gpt-4o-mini #") for text in texts)
    assert reply.text.startswith("[fake claude-haiku-4-5 #")
    stats = fake_llm_server_tls.stats
    assert stats.requests["POST /v1/chat/completions"] == 3 and stats.requests["POST /v1/messages"] == 1
    assert stats.recent[0]["headers"]["authorization"] == f"Bearer {SECRET_KEY}"  # arrived through TLS
    assert stats.connections == 2  # one TLS handshake per client: keep-alive holds over HTTPS too


async def test_an_untrusted_certificate_is_a_permanent_error_that_says_what_to_do(
    fake_llm_server_tls: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, no_secret
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # the system CA store does not know the throwaway CA
    o = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server_tls.openai_base_url, timeout=5.0)
    with pytest.raises(PermanentError) as info:
        await o.complete(OPENAI_REQ)
    await o.aclose()
    assert str(info.value) == (
        "openai: TLS certificate not trusted (unable to get local issuer certificate) at "
        f"{fake_llm_server_tls.openai_base_url} — if the server's certificate is signed by your own CA, "
        "point SSL_CERT_FILE at that CA's PEM file"
    )
    no_secret(info.value)
    assert fake_llm_server_tls.stats.total == 0  # nothing was sent before the handshake failed
