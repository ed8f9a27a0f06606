"""Engine and sessions: SQLite (WAL) by default, PostgreSQL when WORKBENCH_DB_URL is set.

Safety nets, each with a test in tests/robustness/:
* a SQLite store checks before every commit (and when a run ends) that its file is still the one it
  opened: a deleted or replaced file fails loudly instead of silently writing to an unlinked inode;
* `PRAGMA synchronous=FULL` by default, so a commit survives a power loss or a filesystem that turns
  read-only (bench/bench_sync.py measures the cost; $WORKBENCH_SQLITE_SYNC=normal opts out);
* migrations are serialised (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so many
  processes may open a new store at once;
* `retry_transient` retries work that failed on a dropped connection or a busy database;
* every error names the database that was asked for (`--db`, else $WORKBENCH_DB_URL), password masked.
"""

from __future__ import annotations

import atexit
import os
import random
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from workbench.errors import StoreError
from workbench.store.schema_heads import declared_heads

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DB_FILE = "workbench.db"
MIGRATIONS = Path(__file__).with_name("migrations")
SYNC_ENV = "WORKBENCH_SQLITE_SYNC"
SYNC_MODES = ("full", "normal", "extra")
# pg_advisory_xact_lock key for migrations: "wbmi" as an int, far from the run-lock keys (run ids).
MIGRATION_LOCK_KEY = 0x77626D69
T = TypeVar("T")
# For code outside the store, which never imports SQLAlchemy: a session is an opaque handle that it gets
# from `Store.session()` and passes to the store's query and repository functions, and a failure of the
# database itself (not of our own checks, which raise StoreError) is a `StoreFailure`.
StoreSession = Session
StoreFailure = SQLAlchemyError

_active_target: str | None = None  # the database this process opened, for error messages
# Every engine this process made (with the process that made it), closed at exit: SQLite folds its
# write-ahead log back into the database file when the last connection closes, so the .db file alone
# holds everything (a copy of just that file is complete), also when the CLI ends with os._exit
# (workbench/cli/entry.py). A forked child never closes its parent's connections.
_ENGINES: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


@atexit.register
def _dispose_engines() -> None:
    for engine, pid in list(_ENGINES.items()):
        if pid == os.getpid():
            with suppress(Exception):  # exiting anyway: a failing close must not hide the exit code
                engine.dispose()



def database_url(explicit: str | None = None) -> str:
    """The store to use: --db, then WORKBENCH_DB_URL, then ./workbench.db."""
    url = explicit or os.environ.get("WORKBENCH_DB_URL")
    if not url:
        return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"
    if "://" not in url:  # a bare path means a SQLite file
        return f"sqlite:///{Path(url).resolve()}"
    return url


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def active_target() -> str:
    """The (password-masked) database this process opened last, else the one it would open."""
    return _active_target or describe(database_url())


def failure_message(exc: BaseException) -> str | None:
    """One line for a database failure, naming the database (None for any other exception)."""
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).splitlines()[0] if exc.orig else "operational error"
        return f"database error ({active_target()}): {reason}"
    if isinstance(exc, SQLAlchemyError):
        return f"database error ({active_target()}): {str(exc).splitlines()[0]}"
    return None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def sync_mode() -> str:
    mode = (os.environ.get(SYNC_ENV) or "full").strip().lower()
    if mode not in SYNC_MODES:
        raise StoreError(f"must be one of {', '.join(SYNC_MODES)}, not {mode!r}", field=SYNC_ENV)
    return mode


def _sqlite_pragmas(mode: str) -> Callable[[Any, Any], None]:
    def apply(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL lets the UI read while the runner writes. FULL syncs the WAL on every commit: NORMAL
        # survives a killed process but can lose acknowledged commits when the OS or disk fails.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={mode.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return apply


def _foreign_keys_off(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys=OFF")


def _sqlite_engine(url: str, *, immediate: bool = False) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas(sync_mode()))
    if immediate:
        # Take SQLite's write lock when the transaction begins (not at its first write), so the whole
        # migration is one serialised unit: pysqlite must not issue its own BEGIN.
        def autocommit_driver(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        def begin_immediate(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        event.listen(engine, "connect", autocommit_driver)
        event.listen(engine, "begin", begin_immediate)
    return engine


def make_engine(url: str, *, source: str = "WORKBENCH_DB_URL") -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("invalid database URL", field=source) from None
    if parsed.get_backend_name() == "sqlite":
        db_file = sqlite_file(url)
        if db_file is not None:
            parent = db_file.parent
            if not parent.exists():
                raise StoreError("directory for the database does not exist", file=parent)
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"database driver missing: {exc.name} (pip install 'prompt-workbench[postgres]')", field=source
        ) from None


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revisions() -> set[str]:
    """The newest revision(s) of the schema, as Alembic's script directory computes them."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(_alembic_config()).get_heads())


def _at_head(engine: Engine) -> bool:
    """Is the schema current? Read without importing Alembic (≈0.3 s of every CLI call): the stored
    revision against the heads declared in the migration files (`schema_heads`, tested equal to
    Alembic's own). A database without an `alembic_version` table is new or pre-Alembic: not current."""
    with engine.connect() as connection:
        return _current(connection)


def _current(connection: Connection) -> bool:
    if not inspect(connection).has_table("alembic_version"):
        return False
    stored = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    return stored == declared_heads(MIGRATIONS / "versions")


def _upgrade(connection: Connection) -> None:
    from alembic import command

    cfg = _alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on a new database).

    Serialised: a process that finds the schema behind takes a lock first (SQLite: BEGIN IMMEDIATE on a
    separate connection; PostgreSQL: a transaction-scoped advisory lock), then upgrades from whatever
    revision it finds under the lock — so sixteen processes opening a new store at once all succeed.
    """
    if _at_head(engine):
        return
    # Import Alembic before taking the lock: sixteen processes importing it one after another while each
    # holds the write lock would keep the last waiting past SQLite's 30 s busy timeout on a loaded machine.
    import alembic.command
    import alembic.config  # noqa: F401

    if engine.dialect.name == "sqlite":
        locked = _sqlite_engine(engine.url.render_as_string(hide_password=False), immediate=True)
        # Alembic's batch mode rebuilds a table by copying it and dropping the original; with foreign
        # keys on, dropping `variants` would cascade-delete every output. Off on this migration-only
        # connection (at connect: the pragma is ignored inside a transaction), checked before commit.
        event.listen(locked, "connect", _foreign_keys_off)
        try:
            with locked.begin() as connection:
                if _current(connection):  # another process upgraded while this one waited for the lock
                    return
                _upgrade(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(f"a migration left {len(broken)} rows with broken references; rolled back")
        finally:
            locked.dispose()
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            if _current(connection):  # another process upgraded while this one waited for the lock
                return
        _upgrade(connection)


# -- transient errors -------------------------------------------------------------------------------
# PostgreSQL SQLSTATEs worth retrying: connection exceptions (08…), admin/crash shutdown (57P01-03),
# serialization failure and deadlock (40001, 40P01), too many connections (53300).
_TRANSIENT_PG = ("08", "57P01", "57P02", "57P03", "40001", "40P01", "53300")
_TRANSIENT_TEXT = ("database is locked", "server closed the connection", "connection refused",
                   "terminating connection", "could not connect", "connection timed out", "the database system is")


def is_transient(exc: BaseException) -> bool:
    """A database error that a retry on a fresh connection can cure (never disk full or a bad schema)."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if state and str(state).startswith(_TRANSIENT_PG):
            return True
        message = str(orig).lower()
        return isinstance(exc, OperationalError) and any(t in message for t in _TRANSIENT_TEXT)
    return False


def retry_transient(
    fn: Callable[[], T],
    *,
    attempts: int = 8,
    base_delay: float = 0.2,
    max_delay: float = 10.0,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> T:
    """`fn()`, retried with exponential backoff and jitter while it fails with a transient database error.

    `fn` must be one whole transaction (retrying re-does all of it); anything else is raised at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            wait = min(max_delay, base_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
            if on_retry is not None:
                on_retry(exc, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")


class Store:
    """One database: an engine, a session factory and the migration check done once."""

    def __init__(self, url: str | None = None, *, migrate_schema: bool = True) -> None:
        global _active_target
        self.url = database_url(url)
        self.source = "--db" if url else ("WORKBENCH_DB_URL" if os.environ.get("WORKBENCH_DB_URL") else "default")
        self.target = describe(self.url)
        _active_target = self.target
        self.engine = make_engine(self.url, source="--db" if url else "WORKBENCH_DB_URL")
        _ENGINES[self.engine] = os.getpid()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.file = sqlite_file(self.url)
        self._identity: tuple[int, int] | None = None
        if migrate_schema:
            self._open()
        if self.file is not None:
            self._remember_file()
            event.listen(self.engine, "commit", self._before_commit)

    def _open(self) -> None:
        where = self.target
        try:
            migrate(self.engine)
        except DatabaseError as exc:
            self._database_error(exc, where)
        except Exception as exc:
            from alembic.util.exc import CommandError  # imported only when a migration ran and failed

            if not isinstance(exc, CommandError) or "Can't locate revision" not in str(exc):
                raise
            raise StoreError(
                "database was written by a newer version of Prompt Workbench (its schema revision is unknown "
                "here); upgrade the workbench or use another database — it was left untouched",
                file=where.removeprefix("sqlite:///"),
            ) from None

    @staticmethod
    def _database_error(exc: DatabaseError, where: str) -> NoReturn:
        text_ = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        if "not a database" in text_ or "malformed" in text_ or "file is encrypted" in text_:
            raise StoreError(
                "database file is corrupt or not a SQLite database; it was left untouched "
                "(move it away or set WORKBENCH_DB_URL)",
                file=where.removeprefix("sqlite:///"),
            ) from None
        first = text_.strip().splitlines()[0] if text_.strip() else type(exc).__name__
        if isinstance(exc, OperationalError):
            raise StoreError(f"cannot open database: {first}", file=where) from None
        raise StoreError(f"database error: {first}", file=where) from None

    # -- the file under a SQLite store -------------------------------------------------------------
    def _remember_file(self) -> None:
        assert self.file is not None
        try:
            info = self.file.stat()
        except FileNotFoundError:  # created by the first connection; opened without migrating
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            info = self.file.stat()
        self._identity = (info.st_dev, info.st_ino)

    def check_file(self) -> None:
        """Raise when the SQLite file was deleted or replaced since this store opened it.

        SQLite keeps writing to an open file after `rm`: the rows go to an inode no name points at and
        vanish when the process exits. Checked before every commit and when a run ends.
        """
        if self.file is None or self._identity is None:
            return
        try:
            info = self.file.stat()
        except FileNotFoundError:
            info = None
        if info is None or (info.st_dev, info.st_ino) != self._identity or info.st_nlink == 0:
            what = "deleted" if info is None else "replaced by another file"
            raise StoreError(
                f"the database file was {what} while this process was using it; results from now on "
                "cannot be stored (nothing after this point was saved — restore the file or start again)",
                file=self.file,
            )

    def _before_commit(self, _conn: Connection) -> None:
        self.check_file()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
