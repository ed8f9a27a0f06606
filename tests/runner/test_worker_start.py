"""A new run's worker processes start right after planning, before the store is opened (runner.worker_start)."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.runner.test_workers import assert_exactly_once, openai_model, scores, write_spec
from tests.support.fake_llm_server import FakeLLMServer
from workbench.cli import app
from workbench.experiment.plan import build_plan
from workbench.runner import worker_start
from workbench.runner.options import RunOptions
from workbench.runner.worker_start import start_early
from workbench.runner.workers import WorkerPool
from workbench.store.db import Store

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked (Linux)")

# Runs `workbench run` as the console script does, recording what the process had imported when it
# forked its workers.
PROBE = """
import json, sys
import workbench.runner.workers as workers
real, record = workers.WorkerPool.start.__func__, sys.argv[1]
def spy(cls, *args, **kwargs):
    with open(record, "a") as out:
        out.write(json.dumps(sorted(m for m in ("sqlalchemy", "openai", "aiohttp", "workbench.store.db")
                                    if m in sys.modules)) + "\\n")
    return real(cls, *args, **kwargs)
workers.WorkerPool.start = classmethod(spy)
sys.argv = ["workbench", "run", *sys.argv[2:]]
from workbench.cli.entry import main
main()
"""


def test_a_new_run_forks_its_workers_before_it_imports_the_store_or_the_sdk(
    tmp_path: Path, fake_llm_server: FakeLLMServer
) -> None:
    spec, db_file, record = write_spec(tmp_path, openai_model(fake_llm_server)), tmp_path / "early.db", tmp_path / "f"
    command = [sys.executable, "-c", PROBE, str(record), str(spec), "--workers", "2", "--db", str(db_file)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    # One fork, before this process had imported SQLAlchemy, the store or the provider SDK: the workers
    # import the SDK themselves while the parent opens the store.
    assert [json.loads(line) for line in record.read_text().splitlines()] == [[]]
    store = Store(f"sqlite:///{db_file}", migrate_schema=False)
    try:
        assert_exactly_once(store, spec)
        assert len(scores(store, 1)) > len(build_plan(spec).calls)  # scored (in the workers)
    finally:
        store.dispose()
    assert fake_llm_server.stats.requests["POST /v1/chat/completions"] == len(build_plan(spec).calls)


def test_workers_forked_early_are_stopped_when_the_store_cannot_be_opened(
    tmp_path: Path, fake_llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(tmp_path, openai_model(fake_llm_server))
    started: list[WorkerPool] = []
    real = WorkerPool.start.__func__  # type: ignore[attr-defined]

    def recording(cls: type[WorkerPool], *args: object, **kwargs: object) -> WorkerPool:
        started.append(real(cls, *args, **kwargs))
        return started[-1]

    monkeypatch.setattr(WorkerPool, "start", classmethod(recording))
    (tmp_path / "a-file").write_text("not a folder")
    result = CliRunner().invoke(app, ["run", str(spec), "--workers", "2", "--db", str(tmp_path / "a-file" / "x.db")])
    assert result.exit_code == 2, result.output
    assert "cannot open database" in result.output and "Traceback" not in result.output
    assert len(started) == 1  # the workers had been forked, and are gone again:
    assert multiprocessing.active_children() == []
    assert fake_llm_server.stats.requests.get("POST /v1/chat/completions", 0) == 0


def test_only_a_new_run_made_by_worker_processes_starts_them_early(tmp_path: Path,
                                                                    fake_llm_server: FakeLLMServer) -> None:
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server)))  # 30 calls: in-process by default
    for options in (RunOptions(), RunOptions(workers=1), RunOptions(workers=2, batch=True)):
        early = start_early(plan, options)
        assert early is not None and early.pool is None
        assert [s.name for s in early.scoring.scorers] == ["length", "gender_coded"]
    assert start_early(plan, RunOptions(workers=2, resume=True)) is None  # the Runner makes it all, later
    early = start_early(plan, RunOptions(workers=2))
    assert early is not None
    pool = early.pool
    assert pool is not None
    try:
        # The workers hold every planned call; the Runner's own jobs for them are found by their request.
        mine = [worker_start.call_job(plan, call, payload=i, cache_key="k") for i, call in enumerate(plan.calls)]
        assert [pool._item(job) for job in mine] == list(range(len(plan.calls)))
    finally:
        pool.close()
        pool.close()  # closing twice is harmless (the CLI closes what the run may already have closed)
    assert multiprocessing.active_children() == []
