"""The store: Alembic migrations match the models, SQLite runs in WAL mode, errors are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from workbench.errors import StoreError
from workbench.store.db import Store, _alembic_config, database_url, describe
from workbench.store.models import Base


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "x.db"))
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    store.dispose()


def test_reopening_is_idempotent(db_url: str) -> None:
    Store(db_url).dispose()
    store = Store(db_url)
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == ScriptDirectory.from_config(_alembic_config()).get_current_head()
    store.dispose()


def test_corrupt_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"not a database at all" * 50)
    with pytest.raises(StoreError) as info:
        Store(str(path))
    assert "corrupt" in str(info.value) and str(path) in str(info.value)
    assert path.read_bytes() == b"not a database at all" * 50


def test_urls_and_passwords(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    assert database_url() == f"sqlite:///{tmp_path / 'workbench.db'}"
    monkeypatch.setenv("WORKBENCH_DB_URL", "postgresql://team:s3cret@db.internal/wb")
    assert database_url() == "postgresql://team:s3cret@db.internal/wb"
    assert "s3cret" not in describe(database_url())
    assert database_url("results.db") == f"sqlite:///{tmp_path / 'results.db'}"
