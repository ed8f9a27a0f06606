"""Suite-wide fixtures: no test may reach the network; each test gets its own store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_llm_server import fake_llm_server, fake_llm_server_session  # noqa: F401
from tests.support.no_network import no_network  # noqa: F401  (autouse)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project_root() -> Path:
    return ROOT


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh database per test: SQLite in tmp, or a fresh schema on PostgreSQL when configured."""
    pg = os.environ.get("WORKBENCH_TEST_PG_URL")
    if pg:
        from tests.support.postgres import fresh_database

        return fresh_database(pg)
    return f"sqlite:///{tmp_path / 'workbench.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[object]:
    from workbench.store.db import Store

    s = Store(db_url)
    yield s
    s.dispose()


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as the working directory (specs use project-relative paths)."""
    monkeypatch.chdir(ROOT)
    return ROOT
