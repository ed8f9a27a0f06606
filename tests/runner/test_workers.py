"""Runs with worker processes (`RunOptions.workers` / `--workers`): same results, errors, cache, resume."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.fake_llm_server import FakeLLMServer
from workbench.experiment.plan import build_plan
from workbench.experiment.spec import ModelSpec
from workbench.providers.base import CompletionRequest, Message
from workbench.runner.connections import share
from workbench.runner.executor import Job, Outcome
from workbench.runner.retry import RetryPolicy
from workbench.runner.run import RunOptions, run_experiment
from workbench.runner.workers import WorkerConfig, WorkerPool, auto_workers
from workbench.store.db import Store
from workbench.store.models import Output, Run, Score

ROOT = Path(__file__).resolve().parents[2]
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=0.05)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked (Linux)")


def write_spec(tmp_path: Path, model_block: str, *, repeats: int = 3, concurrency: int = 8, extra: str = "") -> Path:
    spec = tmp_path / "workers.yaml"
    spec.write_text(
        f"""name: workers-demo
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
max_cases: 5
models:
{model_block}
repeats: {repeats}
scorers: [length, gender_coded]
concurrency: {concurrency}
{extra}""",
        encoding="utf-8",
    )
    return spec


def openai_model(server: FakeLLMServer) -> str:
    return f"  - id: openai:gpt-4o-mini\n    base_url: {server.openai_base_url}\n"


def cells(store: Store, run_id: int) -> list[tuple[object, ...]]:
    with store.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    Output.variant_id, Output.case_id, Output.model, Output.repeat, Output.status, Output.text
                ).where(Output.run_id == run_id)
            )
        ]


def scores(store: Store, run_id: int) -> list[tuple[object, ...]]:
    with store.session() as session:
        rows = session.execute(
            select(Output.variant_id, Output.case_id, Output.repeat, Score.metric, Score.value)
            .join(Output, Output.id == Score.output_id)
            .where(Output.run_id == run_id)
        )
        return sorted(tuple(row) for row in rows)


def test_every_cell_exactly_once_and_same_texts_as_in_process(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server)))
    reference_store = Store(f"sqlite:///{tmp_path / 'reference.db'}")
    reference = run_experiment(plan, reference_store, RunOptions(workers=1, use_cache=False))
    result = run_experiment(plan, store, RunOptions(workers=2, use_cache=False))
    assert (result.ok, result.errors, result.interrupted) == (len(plan.calls), 0, False)
    assert result.cost_usd == pytest.approx(reference.cost_usd)
    got, expected = cells(store, result.run_id), cells(reference_store, reference.run_id)
    # Scored in the worker processes, identical to scoring on the writer thread.
    assert scores(store, result.run_id) == scores(reference_store, reference.run_id)
    reference_store.dispose()
    assert len(got) == len(plan.calls) and len({row[:4] for row in got}) == len(got)
    assert sorted(got) == sorted(expected)  # the fake answers deterministically per prompt
    with store.session() as session:
        scored = session.scalar(select(func.count(func.distinct(Score.output_id))))
        run = session.get(Run, result.run_id)
    assert scored == len(plan.calls) and run is not None and run.status == "completed"
    assert fake_llm_server.stats.requests["POST /v1/chat/completions"] == 2 * len(plan.calls)


def test_texts_are_scored_in_the_workers(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.runner.workers as workers_module

    parent_pid, scored_here = os.getpid(), []
    real = workers_module.score_text

    def counting(text: str, ctx: object, scorers: object) -> object:
        if os.getpid() == parent_pid:
            scored_here.append(text)
        return real(text, ctx, scorers)  # type: ignore[arg-type]

    monkeypatch.setattr(workers_module, "score_text", counting)
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server)))
    result = run_experiment(plan, store, RunOptions(workers=2))
    assert result.ok == len(plan.calls) and scored_here == []
    assert len(scores(store, result.run_id)) > len(plan.calls)  # several metrics per output


def test_errors_and_retries_are_recorded(tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store) -> None:
    # Every 4th request is a 400 (permanent), every other a 503 once (retried).
    fake_llm_server.configure(script=["400", "503", "ok", "ok"] * 100, retry_after="0")
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server)))
    result = run_experiment(plan, store, RunOptions(workers=2, retry=FAST_RETRY))
    assert result.ok + result.errors == len(plan.calls)
    assert result.errors > 0 and result.retries > 0
    assert any("bad request (400)" in sample for sample in result.error_samples)
    rows = cells(store, result.run_id)
    assert len(rows) == len(plan.calls)
    assert sum(1 for row in rows if row[4] == "error") == result.errors
    with store.session() as session:
        assert session.get(Run, result.run_id).status == "incomplete"  # type: ignore[union-attr]


def test_cache_is_honoured(tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store) -> None:
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server)))
    first = run_experiment(plan, store, RunOptions(workers=2))
    calls = fake_llm_server.stats.requests["POST /v1/chat/completions"]
    second = run_experiment(plan, store, RunOptions(workers=2))
    assert first.ok == second.ok == len(plan.calls)
    assert second.cached == len(plan.calls) and second.cost_usd == 0
    assert fake_llm_server.stats.requests["POST /v1/chat/completions"] == calls  # nothing called again


def test_simulated_provider_and_judge_through_workers(tmp_path: Path, store: Store) -> None:
    spec = write_spec(
        tmp_path,
        "  - id: simulated:default\n",
        extra="judge:\n  model: simulated:judge\n",
    )
    spec.write_text(spec.read_text().replace("scorers: [length, gender_coded]", "scorers: [length, judge:clarity]"))
    plan = build_plan(spec)
    result = run_experiment(plan, store, RunOptions(workers=3))
    assert (result.ok, result.errors, result.judged) == (len(plan.calls), 0, len(plan.calls))
    with store.session() as session:
        judged = session.scalar(select(func.count()).select_from(Score).where(Score.metric == "judge.clarity"))
    assert judged == len(plan.calls)


def job(text: str) -> Job:
    request = CompletionRequest("simulated", "default", (Message("user", text),), {"seed": 1})
    return Job(request, ("simulated", None, None), text, request.cache_key())


def config() -> WorkerConfig:
    return WorkerConfig([ModelSpec(id="simulated:default")], {}, concurrency=4, policy=FAST_RETRY)


def test_a_dead_worker_hands_its_jobs_to_the_others() -> None:
    jobs = [job(f"prompt {i}") for i in range(40)]
    pool = WorkerPool.start(2, config(), jobs)
    try:
        os.kill(pool._workers[0].process.pid, signal.SIGKILL)
        pool._workers[0].process.join(5)
        seen: list[Outcome] = []
        asyncio.run(pool.run(jobs, seen.append))
    finally:
        pool.close()
    assert sorted(o.job.payload for o in seen) == sorted(j.payload for j in jobs)
    assert all(o.completion is not None for o in seen)


def test_all_workers_dead_records_retryable_failures() -> None:
    jobs = [job(f"prompt {i}") for i in range(10)]
    pool = WorkerPool.start(2, config(), jobs)
    try:
        for worker in pool._workers:
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.join(5)
        seen: list[Outcome] = []
        asyncio.run(pool.run(jobs, seen.append))
    finally:
        pool.close()
    assert len(seen) == len(jobs)
    assert all(o.completion is None and o.retryable and "worker processes exited" in (o.error or "") for o in seen)


@pytest.mark.parametrize("exited_first", [False, True], ids=["running", "exited_before_the_first_job"])
def test_a_worker_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch, exited_first: bool) -> None:
    monkeypatch.delenv("MISSING_KEY_FOR_TEST", raising=False)
    broken = WorkerConfig(
        [ModelSpec(id="openai:gpt-4o-mini", api_key_env="MISSING_KEY_FOR_TEST")], {}, concurrency=2, policy=FAST_RETRY
    )
    jobs = [job("prompt")]
    pool = WorkerPool.start(2, broken, jobs)
    try:
        if exited_first:
            # What a busy machine does at random: both workers have failed and exited before the parent
            # sends them anything (the send then fails); why they exited must still be read and said.
            for worker in pool._workers:
                worker.process.join(600)
                assert worker.process.exitcode == 1
        seen: list[Outcome] = []
        asyncio.run(pool.run(jobs, seen.append))
    finally:
        pool.close()
    assert len(seen) == 1 and seen[0].retryable
    assert "MISSING_KEY_FOR_TEST is not set" in (seen[0].error or "")


def test_new_jobs_are_pickled_to_the_workers() -> None:
    inherited = [job("known")]
    pool = WorkerPool.start(2, config(), inherited)
    try:
        seen: list[Outcome] = []
        fresh = [job(f"new {i}") for i in range(6)]
        asyncio.run(pool.run([*inherited, *fresh], seen.append))
    finally:
        pool.close()
    assert sorted(o.job.payload for o in seen) == sorted(["known", *(f"new {i}" for i in range(6))])


def test_auto_mode_and_shares() -> None:
    model = ModelSpec(id="simulated:default")
    assert auto_workers(100, 256, [model]) == 1  # small run
    assert auto_workers(50_000, 16, [model]) == 1  # low concurrency
    assert auto_workers(50_000, 256, [ModelSpec(id="simulated:default", rpm=600)]) == 1  # exact rate limit
    assert [share(10, 3, i) for i in range(3)] == [4, 3, 3]
    assert sum(share(257, 2, i) for i in range(2)) == 257
    assert share(1, 4, 3) == 1


# -- interrupting a CLI run that uses worker processes --------------------------------------------------
def held_spec(tmp_path: Path, server: FakeLLMServer) -> Path:
    """80 calls to the fake server; with `hold_after` it stops answering after N of them until released,
    so the run is interrupted in the middle however loaded the machine is."""
    return write_spec(tmp_path, openai_model(server) + "    timeout: 3600\n", repeats=8, concurrency=4)


def start_cli(spec: Path, db_file: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", str(spec), "--db", str(db_file), "--workers", "2", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, COLUMNS="120"),
        cwd=ROOT,
    )


def wait_for_rows(store: Store, at_least: int, proc: subprocess.Popen[bytes]) -> None:
    """Until `at_least` outputs are stored (the bound only keeps a broken run from hanging the suite)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with store.session() as session:
                if (session.scalar(select(func.count()).select_from(Output)) or 0) >= at_least:
                    return
        except Exception:
            pass
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(0.05)
    pytest.fail("run made no progress")


def wait_until_no_process_runs(spec: Path, timeout: float = 600.0) -> None:
    """No process (the CLI or a forked worker: same command line) still runs `spec`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                args = (proc / "cmdline").read_bytes().split(b"\0")
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(spec).encode() in args and state != "Z":  # zombies have exited already
                running.append(proc.name)
        if not running:
            return
        time.sleep(0.1)
    pytest.fail(f"processes still running {spec}: {running}")


def assert_exactly_once(store: Store, spec: Path) -> None:
    plan = build_plan(spec)
    with store.session() as session:
        keys = session.execute(select(Output.variant_id, Output.case_id, Output.model, Output.repeat)).all()
        statuses = set(session.scalars(select(Output.status)))
        runs = session.scalars(select(Run)).all()
    assert len(keys) == len(set(keys)) == len(plan.calls)
    assert statuses == {"ok"} and len(runs) == 1 and runs[0].status == "completed"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupt_then_resume_with_workers(
    tmp_path: Path, sig: signal.Signals, fake_llm_server: FakeLLMServer
) -> None:
    spec, db_file = held_spec(tmp_path, fake_llm_server), tmp_path / "run.db"
    fake_llm_server.configure(hold_after=10)  # 10 answers, then every call waits until released
    proc = start_cli(spec, db_file)
    store = Store(f"sqlite:///{db_file}", migrate_schema=False)
    try:
        wait_for_rows(store, 10, proc)
        proc.send_signal(sig)
        proc.communicate(timeout=600)  # bounds the exit only
        assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL)
        wait_until_no_process_runs(spec)  # the workers noticed (SIGINT: told to stop; SIGKILL: pipe EOF)
        fake_llm_server.configure(hold_after=None)
        resumed = start_cli(spec, db_file, "--resume")
        _, err = resumed.communicate(timeout=600)
        assert resumed.returncode == 0, err.decode()
        assert_exactly_once(store, spec)
    finally:
        store.dispose()
