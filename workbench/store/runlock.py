"""One process per run: a run lock with a heartbeat, and the `stale` status of runs whose process died.

* SQLite: the lock is the run's row — `holder` ("host:pid") is taken with a compare-and-set UPDATE
  (SQLite serialises writers, so exactly one of two racing resumes wins).
* PostgreSQL: a session-level advisory lock on a dedicated connection; the server drops it the moment
  the holding process dies, on any host. The row's holder/heartbeat are kept up to date for messages.
* A holder is gone when its heartbeat is older than STALE_AFTER, or (same host) its pid no longer runs,
  so a resume right after `kill -9` need not wait. A run still `running` with a gone holder is shown as
  `stale`, with the command that resumes it.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, text, update

from workbench.errors import WorkbenchError
from workbench.store.db import Store, retry_transient
from workbench.store.models import Run
from workbench.store.statuses import RunStatus

HEARTBEAT_ENV = "WORKBENCH_HEARTBEAT_S"
RUN_LOCK_NAMESPACE = 0x77627275  # "wbru": first key of pg_advisory_lock(int, int); the second is the run id


def heartbeat_s() -> float:
    try:
        return max(0.05, float(os.environ.get(HEARTBEAT_ENV) or 10.0))
    except ValueError:
        raise WorkbenchError(f"{HEARTBEAT_ENV} must be a number of seconds") from None


def stale_after() -> timedelta:
    """A holder that has not sent a heartbeat for this long is taken to be gone."""
    return timedelta(seconds=max(30.0, 6 * heartbeat_s()))


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite hands naive datetimes back
        return moment.replace(tzinfo=UTC)
    return moment


def holder_gone(holder: str | None, heartbeat_at: datetime | None, now: datetime | None = None) -> bool:
    if not holder:
        return True
    host, _, pid = holder.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, another user's
    beat = _aware(heartbeat_at)
    return beat is None or beat < (now or datetime.now(UTC)) - stale_after()


def effective_status(status: str, holder: str | None, heartbeat_at: datetime | None) -> str:
    """The status to show: a `running` run whose process is gone is `stale` (resume it)."""
    if status == RunStatus.RUNNING and holder_gone(holder, heartbeat_at):
        return RunStatus.STALE
    return status


class RunBusyError(WorkbenchError):
    """Another process is working on the run (a second `--resume`): nothing was called or written."""


class RunLock:
    """Held by one Runner for one run, from before the first call until the run's status is final."""

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        self.me = holder_id()
        self._pg: Connection | None = None
        self._held = False
        self.lost = False  # the lock was taken over by another process while we ran (PostgreSQL reconnect)

    # -- acquire / release ---------------------------------------------------------------------------
    def acquire(self) -> None:
        if self.store.engine.dialect.name == "postgresql":
            self._acquire_advisory()
        with self.store.session() as session:
            row = session.execute(
                select(Run.holder, Run.heartbeat_at, Run.inflight_calls).where(Run.id == self.run_id)
            ).one()
            holder, beat, inflight = row
            if self._pg is None and holder and holder != self.me and not holder_gone(holder, beat):
                self._busy(holder, beat)
            owned = Run.holder.is_(None) if holder is None else Run.holder == holder
            now = datetime.now(UTC)
            values: dict[str, Any] = {"holder": self.me, "heartbeat_at": now, "inflight_calls": 0}
            if holder and holder != self.me:
                # The previous process died with calls in flight: paid for, never stored, made again now.
                values["lost_calls"] = Run.lost_calls + (inflight or 0)
            result = session.execute(update(Run).where(Run.id == self.run_id, owned).values(**values))
            session.commit()
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.release()
            self._busy(None, None)
        self._held = True

    def _acquire_advisory(self) -> None:
        conn = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = conn.execute(
            text("SELECT pg_try_advisory_lock(:ns, :run)"), {"ns": RUN_LOCK_NAMESPACE, "run": self.run_id}
        ).scalar()
        if not got:
            conn.close()
            with self.store.session() as session:
                holder, beat = session.execute(
                    select(Run.holder, Run.heartbeat_at).where(Run.id == self.run_id)
                ).one()
            self._busy(holder, beat)
        self._pg = conn

    def _busy(self, holder: str | None, beat: datetime | None) -> None:
        who = f" by {holder}" if holder else ""
        seen = ""
        if beat is not None:
            ago = (datetime.now(UTC) - (_aware(beat) or datetime.now(UTC))).total_seconds()
            seen = f", last heartbeat {max(0.0, ago):.0f}s ago"
        raise RunBusyError(
            f"run {self.run_id} is being worked on by another process{who}{seen}; nothing was called. "
            "Wait for it to finish (or stop it) and resume again"
        )

    def release(self) -> None:
        if self._held:
            with suppress(Exception):  # a failing database must not hide the run's own outcome
                def clear() -> None:
                    with self.store.session() as session:
                        session.execute(
                            update(Run).where(Run.id == self.run_id, Run.holder == self.me)
                            .values(holder=None, inflight_calls=0)
                        )
                        session.commit()

                retry_transient(clear, attempts=3)
            self._held = False
        if self._pg is not None:
            with suppress(Exception):
                self._pg.execute(
                    text("SELECT pg_advisory_unlock(:ns, :run)"), {"ns": RUN_LOCK_NAMESPACE, "run": self.run_id}
                )
            with suppress(Exception):
                self._pg.close()
            self._pg = None

    # -- heartbeat -----------------------------------------------------------------------------------
    def beat(self, inflight: int = 0) -> None:
        """A sign of life (and the calls in flight right now, counted as lost if this process dies)."""
        if self._pg is not None:
            self._check_advisory()

        def write() -> None:
            with self.store.session() as session:
                session.execute(
                    update(Run).where(Run.id == self.run_id, Run.holder == self.me)
                    .values(heartbeat_at=datetime.now(UTC), inflight_calls=inflight)
                )
                session.commit()

        retry_transient(write, attempts=3)

    def _check_advisory(self) -> None:
        """The lock's connection may have been dropped (server restart): take the lock again."""
        assert self._pg is not None
        try:
            self._pg.execute(text("SELECT 1"))
            return
        except Exception:
            with suppress(Exception):
                self._pg.close()
            self._pg = None
        try:
            self._acquire_advisory()
        except RunBusyError:
            self.lost = True


class Heartbeat:
    """A daemon thread calling `lock.beat(inflight())` every heartbeat_s() until stopped."""

    def __init__(self, lock: RunLock, inflight: Callable[[], int]) -> None:
        self.lock = lock
        self.inflight = inflight
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="workbench-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _loop(self) -> None:
        interval = heartbeat_s()
        while not self._stop.wait(interval):
            with suppress(Exception):  # a missed beat is harmless; the writer reports real DB failures
                self.lock.beat(self.inflight())

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
