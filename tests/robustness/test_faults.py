"""The runner through the real SDKs against a faulty local server: everything retryable is recovered,
what exhausts its retries is stored as a failed result, and a resume fills exactly those cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.experiment.plan import build_plan
from workbench.runner.retry import RetryPolicy
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store
from workbench.store.models import Output, Run
from workbench.store.queries import list_runs

ROOT = Path(__file__).resolve().parents[2]
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05)


def spec_file(tmp_path: Path, server_url: str) -> Path:
    spec = tmp_path / "faulty.yaml"
    spec.write_text(
        f"""name: faulty
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 5
models:
  - id: openai:gpt-4o-mini
    base_url: {server_url}/v1
  - id: anthropic:claude-haiku-4-5
    base_url: {server_url}
repeats: 2
scorers: [length]
concurrency: 8
"""
    )
    return spec


def outputs(store: Store) -> list[Output]:
    with store.session() as session:
        return list(session.scalars(select(Output)))


def test_injected_faults_are_all_recovered(tmp_path: Path, fake_llm_server: object, store: Store) -> None:
    server = fake_llm_server
    server.configure(  # type: ignore[attr-defined]
        fault_rates={"429": 0.15, "500": 0.05, "503": 0.05, "529": 0.05, "hang": 0.04, "truncate": 0.04,
                     "malformed": 0.04, "close": 0.03},
        retry_after="0.05",
        hang_s=5.0,
        seed=4,
    )
    plan = build_plan(spec_file(tmp_path, server.base_url))  # type: ignore[attr-defined]
    options = RunOptions(retry=FAST_RETRY, client_options={"timeout": 0.5})
    result = run_experiment(plan, store, options)
    rows = outputs(store)
    assert result.errors == 0 and result.ok == len(plan.calls) == 40
    assert len(rows) == 40 and all(r.status == "ok" and r.text for r in rows)
    faults = server.stats.faults  # type: ignore[attr-defined]
    assert {"429", "hang"} <= set(faults), faults  # rate limits and timeouts were both exercised
    assert sum(faults.values()) >= 5, faults
    assert result.retries >= sum(faults.values()) - 2  # every injected fault cost one retry (give or take hangs)
    assert max(r.attempts for r in rows) > 1
    assert {r.model for r in rows} == {"openai:gpt-4o-mini", "anthropic:claude-haiku-4-5"}


def test_exhausted_retries_are_stored_and_resumable(tmp_path: Path, fake_llm_server: object, store: Store) -> None:
    server = fake_llm_server
    server.configure(fault_rates={"500": 1.0})  # type: ignore[attr-defined]
    plan = build_plan(spec_file(tmp_path, server.base_url))  # type: ignore[attr-defined]
    options = RunOptions(retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02))
    first = run_experiment(plan, store, options)
    rows = outputs(store)
    assert first.errors == 40 and first.ok == 0
    assert len(rows) == 40 and all(r.status == "error" and "500" in (r.error or "") for r in rows)
    assert all(r.attempts == 2 for r in rows)
    with store.session() as session:
        assert session.scalars(select(Run.status)).one() == "failed"  # every call failed: nothing to analyse
        listed = list_runs(session)[0]
    assert listed["outputs"] == 0 and listed["errors"] == 40  # failed calls are not counted as outputs

    server.configure(fault_rates={})  # type: ignore[attr-defined]
    second = run_experiment(plan, store, RunOptions(resume=True, retry=FAST_RETRY))
    rows = outputs(store)
    assert second.ok == 40 and second.errors == 0
    assert len(rows) == 40, "failed cells are overwritten, never duplicated"
    assert all(r.status == "ok" and r.error is None for r in rows)
    with store.session() as session:
        assert session.scalars(select(Run.status)).one() == "completed"


def test_unreachable_provider_is_a_clear_failure(tmp_path: Path, no_network: object, store: Store) -> None:
    closed = no_network.closed_url  # type: ignore[attr-defined]
    spec = tmp_path / "down.yaml"
    spec.write_text(
        f"""name: down
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 2
models:
  - id: openai_compatible:llama3
    base_url: {closed}
scorers: [length]
"""
    )
    result = run_experiment(build_plan(spec), store, RunOptions(retry=RetryPolicy(max_attempts=2, base_delay=0.01)))
    assert result.errors == 2 and result.ok == 0
    assert any("cannot reach" in e and "connection refused" in e for e in result.error_samples), result.error_samples


@pytest.mark.parametrize("status", ["401", "404"])
def test_permanent_errors_are_not_retried(tmp_path: Path, fake_llm_server: object, store: Store, status: str) -> None:
    server = fake_llm_server
    server.configure(fault_rates={status: 1.0})  # type: ignore[attr-defined]
    plan = build_plan(spec_file(tmp_path, server.base_url))  # type: ignore[attr-defined]
    result = run_experiment(plan, store, RunOptions(retry=FAST_RETRY))
    assert result.errors == 40 and result.retries == 0
    assert all(r.attempts == 1 for r in outputs(store))
