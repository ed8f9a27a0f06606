"""Per-model `timeout` and `max_attempts` in the spec (a CPU-hosted model needs more time than a hosted API)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.support.fake_llm_server import FakeLLMServer
from workbench.experiment.plan import build_plan
from workbench.experiment.spec import ExperimentSpec
from workbench.runner.retry import RetryPolicy
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store
from workbench.store.models import Output

ROOT = Path(__file__).resolve().parents[2]
QUICK = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.02)


def spec_file(tmp_path: Path, server: FakeLLMServer, slow: str, fast: str = "", name: str = "settings") -> Path:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(f"""name: {name}
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 2
models:
  - id: openai:slow-model
    base_url: {server.openai_base_url}
{slow}  - id: anthropic:fast-model
    base_url: {server.anthropic_base_url}
{fast}scorers: [length]
""")
    return spec


def by_model(store: Store) -> dict[str, list[Output]]:
    with store.session() as session:
        rows = list(session.scalars(select(Output)))
    result: dict[str, list[Output]] = {}
    for row in rows:
        result.setdefault(row.model, []).append(row)
    return result


def test_each_model_gets_its_own_max_attempts(tmp_path: Path, store: Store, fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(fault_rates={"500": 1.0})
    spec = spec_file(tmp_path, fake_llm_server, "    max_attempts: 2\n", "    max_attempts: 3\n")
    result = run_experiment(build_plan(spec), store, RunOptions(retry=QUICK))
    assert result.errors == 4
    rows = by_model(store)
    assert {r.attempts for r in rows["openai:slow-model"]} == {2}
    assert {r.attempts for r in rows["anthropic:fast-model"]} == {3}
    # Models without `max_attempts` keep the run's policy (--max-attempts).
    plain = spec_file(tmp_path, fake_llm_server, "", "", name="plain")
    run_experiment(build_plan(plain), store, RunOptions(retry=QUICK))
    with store.session() as session:
        attempts = set(session.scalars(select(Output.attempts).where(Output.run_id == 2)))
    assert attempts == {5}


def test_each_model_gets_its_own_timeout(tmp_path: Path, store: Store, fake_llm_server: FakeLLMServer) -> None:
    # Every request hangs: the model with `timeout: 0.2` gives up after 0.2 s per attempt and says so,
    # long before the client default (60 s) that the other model would wait for — which is not tested.
    fake_llm_server.configure(fault_rates={"hang": 1.0}, hang_s=30.0)
    spec = spec_file(tmp_path, fake_llm_server, "    timeout: 0.2\n    max_attempts: 1\n")
    plan = build_plan(spec)
    slow = [c for c in plan.calls if c.request.provider == "openai"]
    assert {c.request.timeout for c in slow} == {0.2}
    plan.calls = slow  # only the model with the short timeout
    result = run_experiment(plan, store, RunOptions(retry=QUICK))
    assert result.errors == 2
    errors = [r.error or "" for r in by_model(store)["openai:slow-model"]]
    assert all("timed out after 0.2s (raise `timeout:` for this model in the spec)" in e for e in errors), errors


def test_timeouts_and_attempts_are_not_part_of_the_design(tmp_path: Path, fake_llm_server: FakeLLMServer) -> None:
    """Raising a timeout and resuming continues the same run: the fingerprint ignores how calls are made."""
    first = build_plan(spec_file(tmp_path, fake_llm_server, "    timeout: 30\n")).spec
    second = build_plan(spec_file(tmp_path, fake_llm_server, "    timeout: 300\n    max_attempts: 2\n"
                                  "    check_model: false\n")).spec
    assert first.fingerprint() == second.fingerprint()
    changed = build_plan(spec_file(tmp_path, fake_llm_server, "    params: {temperature: 0.5}\n")).spec
    assert changed.fingerprint() != first.fingerprint()
    explicit = ExperimentSpec.model_validate({**first.model_dump(), "repeats": 1, "truncated_outputs": "exclude"})
    assert explicit.fingerprint() == first.fingerprint()  # a default written out is the same design
