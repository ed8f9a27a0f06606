"""The run lock and heartbeat in isolation (the multi-process scenarios are in tests/robustness/)."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.support.specs import simulated_spec
from workbench.experiment.plan import build_plan
from workbench.runner import worker_start
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.models import Run
from workbench.store.runlock import RunBusyError, RunLock, effective_status, holder_id


@pytest.fixture
def run_id(tmp_path: Path, store: Store) -> int:
    return run_experiment(build_plan(simulated_spec(tmp_path, "lock")), store).run_id


def test_one_holder_at_a_time_and_release(store: Store, run_id: int) -> None:
    first = RunLock(store, run_id)
    first.acquire()
    other = RunLock(store, run_id)
    other.me = "elsewhere.example:4242"  # another host: its pid cannot be checked, only its heartbeat
    with pytest.raises(RunBusyError, match="being worked on by another process"):
        other.acquire()
    first.release()
    other.acquire()
    other.release()


def test_a_dead_local_holder_is_taken_over_at_once(store: Store, run_id: int) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder = f"{holder_id().rsplit(':', 1)[0]}:{dead.stdout.strip()}"
    with store.session() as session:
        session.execute(update(Run).where(Run.id == run_id).values(
            status="running", holder=holder, heartbeat_at=datetime.now(UTC), inflight_calls=3))
        session.commit()
        run = session.get(Run, run_id)
        assert run is not None and effective_status(run.status, run.holder, run.heartbeat_at) == "stale"
    lock = RunLock(store, run_id)
    lock.acquire()  # the dead process's 3 calls in flight are counted as lost
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run is not None and run.holder == lock.me and run.lost_calls == 3
    lock.release()


def test_a_remote_holder_is_stale_only_after_its_heartbeats_stop(store: Store, run_id: int) -> None:
    if store.engine.dialect.name == "postgresql":
        pytest.skip("on PostgreSQL the advisory lock, not the heartbeat, decides")
    with store.session() as session:
        session.execute(update(Run).where(Run.id == run_id).values(
            status="running", holder="elsewhere.example:1", heartbeat_at=datetime.now(UTC)))
        session.commit()
    with pytest.raises(RunBusyError):
        RunLock(store, run_id).acquire()
    with store.session() as session:
        session.execute(update(Run).where(Run.id == run_id).values(
            heartbeat_at=datetime.now(UTC) - timedelta(minutes=10)))
        session.commit()
    lock = RunLock(store, run_id)
    lock.acquire()
    lock.release()


def test_worker_processes_are_forked_before_the_heartbeat_thread(store: Store, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Auto mode uses worker processes only when no other thread runs; the heartbeat must not prevent it."""
    seen: list[int] = []

    def spy(calls: int, concurrency: int, models: object) -> int:
        seen.append(threading.active_count())
        return 1

    monkeypatch.setattr(worker_start, "auto_workers", spy)
    run_experiment(build_plan(simulated_spec(tmp_path, "fork")), store)
    assert seen == [threading.active_count()]
