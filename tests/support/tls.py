"""A throwaway certificate authority and a server certificate for 127.0.0.1/localhost (trustme).

Made fresh at test/benchmark time, never committed. Clients trust the CA the standard way:
`SSL_CERT_FILE=<ca_file>` (read by the SDKs' HTTP clients); certificate verification stays on.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.support.fake_llm_server import FakeLLMServer


@dataclass(frozen=True)
class TLSFiles:
    ca_file: Path  # the CA certificate (PEM): what clients trust
    cert_file: Path  # the server's certificate chain (PEM)
    key_file: Path  # the server's private key (PEM)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_tls_files(folder: Path) -> TLSFiles:
    """A new CA and a server certificate for 127.0.0.1, ::1 and localhost, written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "::1", "localhost")
    files = TLSFiles(folder / "ca.pem", folder / "server-chain.pem", folder / "server-key.pem")
    ca.cert_pem.write_to_path(str(files.ca_file))
    server.private_key_pem.write_to_path(str(files.key_file))
    with files.cert_file.open("wb") as handle:
        for blob in server.cert_chain_pems:
            handle.write(blob.bytes())
    return files


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """One throwaway CA + server certificate per test session."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def fake_llm_server_tls_session(tls_files: TLSFiles) -> Iterator[FakeLLMServer]:
    with FakeLLMServer(ssl_context=tls_files.server_context()) as server:
        yield server


@pytest.fixture
def fake_llm_server_tls(
    fake_llm_server_tls_session: FakeLLMServer, tls_files: TLSFiles, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeLLMServer]:
    """The fake server over HTTPS (`https://127.0.0.1:PORT`), its CA trusted through SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files.ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    fake_llm_server_tls_session.reset()
    yield fake_llm_server_tls_session
    fake_llm_server_tls_session.reset()
