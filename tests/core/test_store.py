"""The store: Alembic migrations match the models, SQLite runs in WAL mode, errors are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from tests.support.old_database import OldOutput, database_at_0001, insert_old_run
from workbench.errors import StoreError
from workbench.store.db import Store, database_url, describe, head_revisions
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
        assert {conn.execute(text("SELECT version_num FROM alembic_version")).scalar()} == head_revisions()
    store.dispose()


def test_a_database_from_before_finish_reasons_upgrades(db_url: str) -> None:
    """A store made at revision 0001 (no outputs.finish_reason, no prompt versions) keeps its outputs and gains
    the column, and its variants become version 1 with a timestamp. The prompt-versions revision rebuilds
    `variants` (SQLite batch mode); with foreign keys on, that would have cascade-deleted every output (#14)."""
    engine = database_at_0001(db_url)
    with engine.begin() as conn:
        insert_old_run(conn, [OldOutput(1, "old text", "k")])
    engine.dispose()
    store = Store(db_url)
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT text, finish_reason FROM outputs WHERE id = 1")).one()
        version, created_at = conn.execute(text("SELECT version, created_at FROM variants WHERE id = 1")).one()
    assert tuple(row) == ("old text", None)
    assert version == 1 and created_at is not None
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


def test_one_migration_head() -> None:
    """Engineers add revisions in parallel: after a merge the chain must still end in exactly one head."""
    assert len(head_revisions()) == 1, head_revisions()


def test_heads_read_without_alembic_equal_alembics_own() -> None:
    """The store's fast "is the schema current?" check (#14: no Alembic import on every CLI call) reads
    the heads from the migration files; they must be exactly the heads Alembic computes."""
    from workbench.store.db import MIGRATIONS
    from workbench.store.schema_heads import declared_heads

    assert set(declared_heads(MIGRATIONS / "versions")) == head_revisions()


def test_opening_a_current_store_does_not_import_alembic(tmp_path: Path) -> None:
    """`workbench list` on an up-to-date database: Alembic is imported only when the schema is behind."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'wb.db'}"
    Store(url).dispose()  # creates and migrates
    probe = ("import sys; from workbench.store.db import Store; Store(sys.argv[1]).dispose(); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    result = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_errors_name_the_db_option_not_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 11 of issue #13: a DB error named $WORKBENCH_DB_URL or "<invalid database URL>" instead of --db."""
    from typer.testing import CliRunner

    from workbench.cli import app

    monkeypatch.setenv("WORKBENCH_DB_URL", "postgresql://env:envpw@elsewhere.invalid/envdb")
    runner = CliRunner()
    unreachable = runner.invoke(app, ["list", "--db", "postgresql://team:S3cret@127.0.0.1:1/wb"])
    assert unreachable.exit_code == 2
    assert "postgresql://team:***@127.0.0.1:1/wb" in unreachable.output, unreachable.output
    assert "S3cret" not in unreachable.output and "elsewhere" not in unreachable.output
    invalid = runner.invoke(app, ["list", "--db", "nosuchdriver://u:pw@h/db"])
    assert invalid.exit_code == 2 and "nosuchdriver://u:***@h/db" in invalid.output, invalid.output
    assert "pw@" not in invalid.output and "WORKBENCH_DB_URL" not in invalid.output


def test_a_database_error_after_opening_names_the_db_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from typer.testing import CliRunner

    from workbench.cli import app

    db = tmp_path / "damaged.db"
    Store(str(db)).dispose()
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE scores")
    conn.execute("DROP TABLE ratings")
    conn.execute("DROP TABLE response_cache")
    conn.execute("DROP TABLE outputs")
    conn.commit()
    conn.close()
    monkeypatch.setenv("WORKBENCH_DB_URL", "postgresql://env:envpw@elsewhere.invalid/envdb")
    result = CliRunner().invoke(app, ["list", "--db", str(db)])
    assert result.exit_code == 2
    assert f"database error (sqlite:///{db})" in result.output.replace("\n", ""), result.output
    assert "elsewhere" not in result.output


def test_a_database_at_revision_0001_upgrades(tmp_path: Path) -> None:
    """An old database (first schema, before flag dismissals and run safety) upgrades on open."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    database_at_0001(url).dispose()
    store = Store(url)  # migrates to head on open
    with store.engine.connect() as conn:
        assert {conn.execute(text("SELECT version_num FROM alembic_version")).scalar()} == head_revisions()
        assert conn.execute(text("SELECT count(*) FROM flag_dismissals")).scalar() == 0
    store.dispose()
