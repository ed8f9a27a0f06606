"""Engine and sessions: SQLite (WAL) by default, PostgreSQL when WORKBENCH_DB_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workbench.errors import StoreError

DEFAULT_DB_FILE = "workbench.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(explicit: str | None = None) -> str:
    """The store to use: --db, then WORKBENCH_DB_URL, then ./workbench.db."""
    url = explicit or os.environ.get("WORKBENCH_DB_URL")
    if not url:
        return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"
    if "://" not in url:  # a bare path means a SQLite file
        return f"sqlite:///{Path(url).resolve()}"
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the UI read while the runner writes; NORMAL sync is durable against process kills.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("invalid database URL", field="WORKBENCH_DB_URL") from None
    if parsed.get_backend_name() == "sqlite":
        db_file = parsed.database
        if db_file and db_file != ":memory:":
            parent = Path(db_file).parent
            if not parent.exists():
                raise StoreError("directory for the database does not exist", file=parent)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"database driver missing: {exc.name} (pip install 'prompt-workbench[postgres]')"
        ) from None


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on a new database).

    On SQLite, foreign keys are off while migrating: Alembic's batch mode rebuilds a table by copying
    it and dropping the original, and with foreign keys on, dropping `variants` would cascade-delete
    every output. The keys are checked before they are switched back on."""
    cfg = _alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # the pragma is ignored inside a transaction: set it before the migration's own
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(f"migration left {len(broken)} rows with broken references; rolled back")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


class Store:
    """One database: an engine, a session factory and the migration check done once."""

    def __init__(self, url: str | None = None, *, migrate_schema: bool = True) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate_schema:
            self._open()

    def _open(self) -> None:
        from alembic.util.exc import CommandError

        where = describe(self.url)
        try:
            migrate(self.engine)
            inspect(self.engine).get_table_names()
        except CommandError as exc:
            if "Can't locate revision" not in str(exc):
                raise
            raise StoreError(
                "database was written by a newer version of Prompt Workbench (its schema revision is unknown "
                "here); upgrade the workbench or use another database — it was left untouched",
                file=where.removeprefix("sqlite:///"),
            ) from None
        except DatabaseError as exc:
            text = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
            if "not a database" in text or "malformed" in text or "file is encrypted" in text:
                raise StoreError(
                    "database file is corrupt or not a SQLite database; it was left untouched "
                    "(move it away or set WORKBENCH_DB_URL)",
                    file=where.removeprefix("sqlite:///"),
                ) from None
            if isinstance(exc, OperationalError):
                first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
                raise StoreError(f"cannot open database: {first}", file=where) from None
            raise StoreError(f"database error: {text.splitlines()[0]}", file=where) from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
