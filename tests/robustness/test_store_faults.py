"""Operator-level faults against the store: the database file deleted mid-run, a full disk, a second
resume of the same run, a process killed without a word, sixteen processes opening a new store at once.
Each used to lose results silently or crash (issue #13); each must now fail loudly or just work."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.fake_llm_server import FakeLLMServer
from workbench.experiment.plan import build_plan
from workbench.runner.executor import Executor
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store, head_revisions
from workbench.store.models import Output, Run
from workbench.store.queries import list_runs
from workbench.store.runlock import RunBusyError

from .store_faults_support import ROOT, query, run_until_stored, slow_spec, start_cli, stored_outputs, wait_for

ON_PG = bool(os.environ.get("WORKBENCH_TEST_PG_URL"))
sqlite_only = pytest.mark.skipif(ON_PG, reason="a SQLite file scenario")


@sqlite_only
def test_database_file_deleted_mid_run_fails_loudly(tmp_path: Path, fake_llm_server: FakeLLMServer) -> None:
    spec = slow_spec(tmp_path, server=fake_llm_server)
    db = tmp_path / "wb.db"
    fake_llm_server.configure(hold_after=1)  # one answer, then the run waits for us: surely mid-run
    proc = run_until_stored(spec, str(db))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    fake_llm_server.configure(hold_after=None)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 2, (out, err)
    assert "database file was deleted" in err and str(db) in err, err
    assert "/60 outputs" not in out, out  # no summary claiming stored results


@sqlite_only
def test_database_file_replaced_mid_run_fails_loudly(tmp_path: Path, fake_llm_server: FakeLLMServer) -> None:
    spec = slow_spec(tmp_path, server=fake_llm_server)
    db = tmp_path / "wb.db"
    fake_llm_server.configure(hold_after=1)  # one answer, then the run waits for us: surely mid-run
    proc = run_until_stored(spec, str(db))
    other = tmp_path / "other.db"
    Store(str(other)).dispose()
    os.replace(other, db)
    fake_llm_server.configure(hold_after=None)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 2 and "replaced by another file" in err, err


def _small_file_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing


@sqlite_only
def test_disk_full_mid_run_ends_failed_never_completed(tmp_path: Path) -> None:
    spec = slow_spec(tmp_path, latency_ms=5, repeats=10, concurrency=8, max_cases=20)  # 400 calls
    db = tmp_path / "wb.db"
    Store(str(db)).dispose()  # the schema fits; the results will not
    limit = db.stat().st_size + 96 * 1024
    proc = start_cli(["run", str(spec), "--db", str(db)], preexec_fn=lambda: _small_file_limit(limit))
    out, err = proc.communicate(timeout=180)
    assert proc.returncode not in (0, 1), (out, err)
    assert "disk is full" in err or "disk I/O error" in err, err
    store = Store(str(db))
    with store.session() as session:
        run = session.scalars(select(Run)).one()
        stored = session.scalar(select(func.count()).select_from(Output))
        shown = list_runs(session)[0]
    store.dispose()
    assert 0 < (stored or 0) < 400
    assert run.status != "completed" and shown["status"] in ("failed", "stale"), (run.status, shown)


def test_second_resume_is_refused_before_any_call(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                  fake_llm_server: FakeLLMServer) -> None:
    spec = slow_spec(tmp_path, concurrency=2, server=fake_llm_server)
    fake_llm_server.configure(hold_after=1)  # one answer, then every call waits: both runs stay mid-way
    first = run_until_stored(spec, db_url)
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=600)
    assert first.returncode == 130
    resumed = start_cli(["run", str(spec), "--db", db_url, "--resume"])
    wait_for(lambda: bool(query(db_url, "SELECT holder FROM runs WHERE status = 'running'")), "the resume's lock")

    calls: list[object] = []
    real_execute = Executor.execute

    async def counting(self: Executor, job: object) -> object:
        calls.append(job)
        return await real_execute(self, job)  # type: ignore[arg-type]

    monkeypatch.setattr(Executor, "execute", counting)
    store = Store(db_url)
    with pytest.raises(RunBusyError) as busy:
        run_experiment(build_plan(spec), store, RunOptions(resume=True))
    assert "being worked on by another process" in str(busy.value) and "nothing was called" in str(busy.value)
    assert calls == []
    # The same from the command line: one clear line, exit 2, no traceback.
    second = start_cli(["run", str(spec), "--db", db_url, "--resume"])
    out, err = second.communicate(timeout=600)
    assert second.returncode == 2, (out, err)
    assert "is being worked on by another process" in err and "Traceback" not in err, err
    resumed.send_signal(signal.SIGINT)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 130, (out, err)
    with store.session() as session:
        cells = session.execute(select(Output.variant_id, Output.case_id, Output.repeat)).all()
        run = session.scalars(select(Run)).one()
    store.dispose()
    assert len(cells) == len(set(cells)) > 0
    assert run.status == "interrupted" and run.holder is None


def test_killed_run_is_stale_and_resumes_at_once(tmp_path: Path, db_url: str, fake_llm_server: FakeLLMServer
                                                ) -> None:
    spec = slow_spec(tmp_path, max_cases=4, repeats=2, server=fake_llm_server)  # 16 calls, 4 at a time
    fake_llm_server.configure(hold_after=4)  # 4 answers, then the next 4 calls stay in flight until the kill
    proc = run_until_stored(spec, db_url, env={"WORKBENCH_HEARTBEAT_S": "0.2"}, at_least=4)
    # The heartbeat has recorded calls in flight: a kill now loses them (paid for, made again on resume).
    wait_for(lambda: (query(db_url, "SELECT inflight_calls FROM runs") or 0) > 0, "a heartbeat with calls in flight")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=600)
    fake_llm_server.configure(hold_after=None)
    in_flight = int(query(db_url, "SELECT inflight_calls FROM runs"))
    listed = start_cli(["list", "--db", db_url])
    out, _ = listed.communicate(timeout=60)
    assert "stale" in out and f"workbench run {spec} --resume" in out.replace("\n", ""), out
    store = Store(db_url)
    result = run_experiment(build_plan(spec), store, RunOptions(resume=True))  # no wait: the pid is gone
    with store.session() as session:
        run = session.scalars(select(Run)).one()
    store.dispose()
    assert result.status == "completed" and run.status == "completed" and run.holder is None
    assert result.ok + result.skipped == 16
    assert run.lost_calls == in_flight >= 1


MIGRATION_RACE = """
import os, sys, time
from pathlib import Path
from workbench.store.db import Store
go = Path(sys.argv[2])
(go.parent / f"ready-{os.getpid()}").touch()
while not go.exists():
    time.sleep(0.002)
Store(sys.argv[1]).dispose()
"""


def test_sixteen_processes_open_a_new_store_at_once(tmp_path: Path, db_url: str) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", MIGRATION_RACE, db_url, str(go)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(16)
    ]
    wait_for(lambda: len(list(tmp_path.glob("ready-*"))) == 16, "all 16 at the start line", timeout=120)
    go.touch()  # all at once, imports done: the race is on opening the store only
    failures = []
    for proc in procs:
        _out, err = proc.communicate(timeout=180)
        if proc.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}")
    assert failures == [], failures
    assert {query(db_url, "SELECT version_num FROM alembic_version")} == head_revisions()


@pytest.mark.skipif(not ON_PG, reason="needs PostgreSQL (WORKBENCH_TEST_PG_URL)")
def test_terminated_postgres_backends_mid_run_are_survived(tmp_path: Path, db_url: str,
                                                           fake_llm_server: FakeLLMServer) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    spec = slow_spec(tmp_path, concurrency=2, server=fake_llm_server)
    fake_llm_server.configure(hold_after=5)  # the run waits at 5 and at 25 outputs for the cut, then goes on
    proc = start_cli(["run", str(spec), "--db", db_url], env={"WORKBENCH_HEARTBEAT_S": "0.2"})
    admin = create_engine(make_url(db_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    name = make_url(db_url).database
    terminated = 0
    try:
        for threshold in (5, 25):
            wait_for(lambda t=threshold: stored_outputs(db_url) >= t, "stored outputs")
            with admin.connect() as conn:
                terminated += conn.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name}).scalar() or 0
            fake_llm_server.configure(hold_after=25 if threshold == 5 else None)
    finally:
        admin.dispose()
        fake_llm_server.configure(hold_after=None)
    out, err = proc.communicate(timeout=600)
    assert terminated >= 2, terminated  # the run's connections really were cut (writer, lock, heartbeat)
    assert proc.returncode == 0, (out, err)
    assert query(db_url, "SELECT count(*) FROM outputs WHERE status = 'ok'") == 60
    assert query(db_url, "SELECT status FROM runs") == "completed"
