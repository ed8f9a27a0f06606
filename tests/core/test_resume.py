"""Interrupted runs resume with every expected result exactly once (SIGKILL and SIGINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.support.fake_llm_server import FakeLLMServer
from workbench.experiment.plan import build_plan
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store, database_url, make_engine
from workbench.store.models import Output, Run

ROOT = Path(__file__).resolve().parents[2]


def write_spec(tmp_path: Path, name: str, model: str) -> Path:
    """20 vacancies × 2 variants × 4 repeats = 160 calls to `model` (a YAML list item)."""
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(
        f"""name: {name}-demo
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
models:
{model}
repeats: 4
scorers: [length, gender_coded]
concurrency: 4
""",
        encoding="utf-8",
    )
    return spec


def slow_spec(tmp_path: Path, latency_ms: int = 15) -> Path:
    return write_spec(tmp_path, "slow", f"  - id: simulated:default\n    simulate: {{latency_ms: {latency_ms}}}")


def held_spec(tmp_path: Path, server: FakeLLMServer) -> Path:
    """The experiment against the fake server, whose `hold_after` stops answering after the first N calls
    until the test releases it: the run is caught in the middle whatever the machine's load, never
    finished before the test gets to interrupt it."""
    model = f"  - id: openai:gpt-4o-mini\n    base_url: {server.openai_base_url}\n    timeout: 3600"
    return write_spec(tmp_path, "held", model)


def count_outputs(db_url: str) -> int:
    engine = make_engine(database_url(db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM outputs")).scalar() or 0)
    except Exception:  # not created yet
        return 0
    finally:
        engine.dispose()


def start_run(spec: Path, db_file: str, *extra: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, COLUMNS="120")
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", str(spec), "--db", str(db_file), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )


def wait_for_outputs(db_file: str, at_least: int, proc: subprocess.Popen[bytes], timeout: float = 600) -> int:
    """Until the run has stored `at_least` outputs. The bound only keeps a broken run from hanging the
    suite; the run cannot finish meanwhile (its calls are held), so load only makes this wait longer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = count_outputs(db_file)
        if n >= at_least:
            return n
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(0.05)
    pytest.fail("run made no progress")


def assert_exactly_once(db_file: str, spec: Path) -> None:
    plan = build_plan(spec)
    store = Store(str(db_file))
    with store.session() as session:
        rows = session.execute(
            select(
                Output.variant_id,
                Output.case_id,
                Output.model,
                Output.repeat,
                Output.swap_name,
                Output.status,
            )
        ).all()
        runs = session.scalars(select(Run)).all()
    store.dispose()
    assert len(runs) == 1
    assert len(rows) == len(plan.calls), "one row per planned cell"
    assert len({r[:5] for r in rows}) == len(rows), "no duplicates"
    assert all(r[5] == "ok" for r in rows)
    assert runs[0].status == "completed"


def test_sigkill_then_resume_keeps_every_result_exactly_once(
    tmp_path: Path, db_url: str, fake_llm_server: FakeLLMServer
) -> None:
    spec = held_spec(tmp_path, fake_llm_server)
    db_file = db_url
    fake_llm_server.configure(hold_after=20)  # 20 answers, then every call waits: killed mid-run
    proc = start_run(spec, db_file)
    assert wait_for_outputs(db_file, 20, proc) == 20
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=600)  # SIGKILL cannot be ignored: this only waits for the exit
    total = len(build_plan(spec).calls)
    assert count_outputs(db_file) == 20 < total

    fake_llm_server.configure(hold_after=None)
    resumed = start_run(spec, db_file, "--resume")
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err.decode()
    assert_exactly_once(db_file, spec)
    # Everything stored before the kill was kept: the resume only made the missing calls.
    assert f"{total:,}/{total:,} outputs" in out.decode()


def test_sigint_marks_run_interrupted_and_resume_completes(
    tmp_path: Path, db_url: str, fake_llm_server: FakeLLMServer
) -> None:
    spec = held_spec(tmp_path, fake_llm_server)
    db_file = db_url
    fake_llm_server.configure(hold_after=10)
    proc = start_run(spec, db_file)
    wait_for_outputs(db_file, 10, proc)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=600)  # a bound on the exit, not a timing assumption
    assert proc.returncode == 130
    assert "--resume" in out.decode()
    engine = make_engine(database_url(db_file))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM runs")).scalar() == "interrupted"
    engine.dispose()
    fake_llm_server.configure(hold_after=None)
    resumed = start_run(spec, db_file, "--resume")
    assert resumed.wait(timeout=600) == 0
    assert_exactly_once(db_file, spec)


def test_rerun_is_served_from_cache(tmp_path: Path, store: Store) -> None:
    spec = slow_spec(tmp_path, latency_ms=0)
    plan = build_plan(spec)
    first = run_experiment(plan, store, RunOptions())
    second = run_experiment(plan, store, RunOptions())
    assert first.ok == second.ok == len(plan.calls)
    assert first.cached == 0 and second.cached == len(plan.calls)
    with store.session() as session:
        texts = session.execute(
            select(Output.run_id, func.count(func.distinct(Output.text))).group_by(Output.run_id)
        )
        per_run = dict(texts.all())
    assert per_run[first.run_id] == per_run[second.run_id]
