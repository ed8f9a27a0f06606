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
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: SQLite in tmp, or a new database on PostgreSQL when
    WORKBENCH_TEST_PG_URL is set (CI runs the suite a second time that way)."""
    pg = os.environ.get("WORKBENCH_TEST_PG_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'workbench.db'}"
        return
    from tests.support.postgres import drop_database, fresh_database

    url = fresh_database(pg)
    yield url
    drop_database(url)


@pytest.fixture
def db_factory(tmp_path: Path) -> Iterator[object]:
    """Makes more fresh databases (same backend as `db_url`), e.g. one per crash-test attempt."""
    pg = os.environ.get("WORKBENCH_TEST_PG_URL")
    made: list[str] = []

    def make(name: str) -> str:
        if not pg:
            return f"sqlite:///{tmp_path / (name + '.db')}"
        from tests.support.postgres import fresh_database

        made.append(fresh_database(pg))
        return made[-1]

    yield make
    if made:
        from tests.support.postgres import drop_database

        for url in made:
            drop_database(url)


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
