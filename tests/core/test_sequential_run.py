"""`workbench run --until-decided` end to end (issue #19): looks, stop, report, resume after kill -9, cache, batch."""

from __future__ import annotations

import csv
import math
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select
from typer.testing import CliRunner

from tests.support.fake_llm_server import FakeLLMServer
from workbench.analysis.run_results import analyse_run
from workbench.analysis.sequential_looks import CS_METHOD, load_outcome
from workbench.cli import app
from workbench.experiment.plan import build_plan
from workbench.runner.batch import POLL_ENV
from workbench.runner.run import RunOptions
from workbench.runner.sequential import run_until_decided
from workbench.stats.sequential import Design, simulate_paths
from workbench.store.db import Store, _alembic_config, database_url, make_engine
from workbench.store.frames import numeric_scores
from workbench.store.models import Run, SequentialLook

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["Sanne de Vries", "Mohamed El Amrani", "Emre Yilmaz", "Lisa Jansen"]


def write_dataset(tmp_path: Path, n: int = 100) -> Path:
    rows = list(csv.DictReader((ROOT / "experiments/data/candidates_nl.csv").open(encoding="utf-8")))
    rng = random.Random(5)
    path = tmp_path / "candidates.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "candidate_name"])
        writer.writeheader()
        for i in range(n):
            row = dict(rows[i % len(rows)], id=f"c-{i + 1:03d}", fit=f"{rng.uniform(4.5, 8.5):.1f}")
            writer.writerow({**row, "candidate_name": NAMES[i % len(NAMES)]})
    return path


def write_spec(tmp_path: Path, *, shift: float, seed: int = 1, extra: str = "", latency_ms: int = 0,
               max_cases: int = 100, name: str = "seq.yaml") -> Path:
    dataset = tmp_path / "candidates.csv"
    if not dataset.exists():
        write_dataset(tmp_path)
    spec = tmp_path / name
    spec.write_text(
        f"""name: seq-screening
task: screening_summary
variants: [{ROOT}/prompts/screening_nl_structured.yaml, {ROOT}/prompts/screening_nl_blind_criteria.yaml]
dataset: {dataset}
models:
  - id: simulated:default
    simulate:
      latency_ms: {latency_ms}
      effects: [{{variant: screening_nl_blind_criteria, score_shift: {shift}}}]
baseline: screening_nl_structured
scorers: [screening]
primary: [screening.score]
concurrency: 4
sequential: {{max_cases: {max_cases}, look_every: 10}}
seed: {seed}
{extra}""",
        encoding="utf-8",
    )
    return spec


def stored_looks(store: Store, run_id: int) -> list[SequentialLook]:
    with store.session() as session:
        return list(session.scalars(select(SequentialLook).where(SequentialLook.run_id == run_id)
                                    .order_by(SequentialLook.look)))


def test_planted_effect_stops_early_with_the_pure_tests_answer(tmp_path: Path, store: Store) -> None:
    plan = build_plan(write_spec(tmp_path, shift=0.6))
    result, runner = run_until_decided(plan, store)
    assert runner.end is not None
    looks = stored_looks(store, result.run_id)
    last = looks[-1]
    assert last.stop and [look.look for look in looks] == list(range(1, len(looks) + 1))
    assert last.cases < 100 and result.ok == last.cases * 2  # only the drawn cases were called
    assert last.reason.startswith(f"stopped after {last.cases} of 100 cases: screening_nl_blind_criteria is higher")
    assert "calls and $0.0000 not spent" in last.reason

    # The runner's looks are the pure test on the same data: the calibration of one is the other's.
    outcome = load_outcome(store, result.run_id)
    assert outcome is not None
    order = outcome.design["order"]
    with store.session() as session:
        scores = numeric_scores(session, result.run_id, ["screening.score"])
    wide = scores.pivot_table(index="case", columns="variant", values="value")
    d = (wide["screening_nl_blind_criteria"] - wide["screening_nl_structured"]).reindex(order[: last.cases])
    first = wide.reindex(order[:10]).to_numpy().ravel()
    padded = np.r_[d.to_numpy(), np.zeros(100 - last.cases)][None, :]
    used, code = simulate_paths(padded, Design(100, 10, 0.05, 1), prior_sd=math.sqrt(2) * first.std(ddof=1))
    assert (int(used[0]), int(code[0])) == (last.cases, 1)

    # The report uses the anytime-valid interval and says so.
    analysis = analyse_run(store, result.run_id)
    assert analysis.analysis is not None
    verdict = analysis.analysis.get("screening_nl_blind_criteria", "screening.score")
    assert verdict.ci_method == CS_METHOD and verdict.significant and verdict.p_adjusted is not None
    assert verdict.ci_low is not None and verdict.ci_low > 0
    assert "95% CS" in verdict.sentence()
    assert any("anytime-valid" in w and "stopped after" in w for w in analysis.warnings)
    assert not any("missing or failed" in w for w in analysis.warnings)
    with store.session() as session:
        run = session.get(Run, result.run_id)
        assert run is not None and run.status == "completed" and run.total_calls == last.cases * 2


def test_no_effect_within_the_margin_stops_for_futility_and_a_rerun_comes_from_the_cache(
    tmp_path: Path, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, shift=0.0, extra="non_inferiority: {screening.score: 1.0}\n"))
    first, _ = run_until_decided(plan, store)
    last = stored_looks(store, first.run_id)[-1]
    assert last.stop and "is equivalent within the margin" in last.reason
    again, runner = run_until_decided(plan, store)  # a new run of the same spec: same order, every call cached
    assert again.cached == again.ok > 0 and runner.end is not None
    assert runner.end.look.cases == last.cases and runner.end.sentence.split(";")[0] == last.reason.split(";")[0]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_cli_summary_and_bad_sequential_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    cli = CliRunner()
    spec = write_spec(tmp_path, shift=0.0, max_cases=30)
    db = str(tmp_path / "cli.db")
    out = cli.invoke(app, ["run", str(spec), "--until-decided", "--db", db])
    assert out.exit_code == 0, out.output
    summary = flat(out.output)
    assert "Sequential: ran all 30 cases: screening_nl_blind_criteria is undecided on screening.score" in summary
    report = flat(cli.invoke(app, ["report", "latest", "--db", db]).output)
    assert "anytime-valid 95% confidence sequences" in report and "95% CS" in report
    listed = flat(cli.invoke(app, ["list", "--db", db]).output)
    assert "Run 1 is sequential (--until-decided): ran all 30 cases; why: workbench report 1" in listed
    markdown = tmp_path / "report.md"
    assert cli.invoke(app, ["report", "latest", "--db", db, "--out", str(markdown)]).exit_code == 0
    written = flat(markdown.read_text(encoding="utf-8"))
    assert "95% CI (primary: anytime-valid CS)" in written and "ran all 30 cases" in written

    too_many = write_spec(tmp_path, shift=0.0, max_cases=500, name="big.yaml")
    bad = cli.invoke(app, ["run", str(too_many), "--until-decided", "--db", db])
    assert bad.exit_code == 2 and "sequential.max_cases is 500 but the dataset has 100 cases" in flat(bad.output)
    odd = tmp_path / "odd.yaml"
    odd.write_text(spec.read_text().replace("look_every: 10", "look_every: 50"))
    bad = cli.invoke(app, ["run", str(odd), "--until-decided", "--db", db])
    assert bad.exit_code == 2 and "look_every (50) is larger than max_cases (30)" in flat(bad.output)
    assert "Traceback" not in bad.output


def _looks_in(db_file: str) -> int:
    engine = make_engine(database_url(db_file))
    try:
        with engine.connect() as conn:
            return len(conn.execute(select(SequentialLook.id)).all())
    except Exception:  # not created yet
        return 0
    finally:
        engine.dispose()


def _start(spec: Path, db: str, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "workbench", "run", str(spec), "--db", db, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, COLUMNS="200"),
                            cwd=ROOT)


@pytest.mark.slow
def test_kill_9_during_a_sequential_run_then_resume_reaches_the_same_decision(tmp_path: Path, db_url: str) -> None:
    # Small effect: several looks before the decision, so the kill lands mid-run at any speed; slow calls
    # keep the first look short of the end. Where exactly the kill lands does not matter: the resumed run
    # must end with the uninterrupted run's decision, look count and stop point.
    spec = write_spec(tmp_path, shift=0.35, seed=4, latency_ms=40)
    reference_store = Store(f"sqlite:///{tmp_path / 'reference.db'}")
    reference, ref_runner = run_until_decided(build_plan(spec), reference_store, RunOptions(use_cache=False))
    ref_looks = [(row.look, row.cases, row.stop) for row in stored_looks(reference_store, reference.run_id)]
    reference_store.dispose()
    assert ref_runner.end is not None and len(ref_looks) >= 3

    proc = _start(spec, db_url, "--until-decided", "--no-cache")
    deadline = time.monotonic() + 120
    while _looks_in(db_url) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    killed_at = _looks_in(db_url)
    assert 1 <= killed_at < len(ref_looks)

    resumed = _start(spec, db_url, "--resume", "--no-cache")  # resumes as a sequential run without the flag
    out, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err.decode()
    store = Store(db_url)
    looks = stored_looks(store, 1)
    store.dispose()
    assert [(row.look, row.cases, row.stop) for row in looks] == ref_looks  # no look twice, same order
    assert looks[-1].reason.split(";")[0] == ref_runner.end.sentence.split(";")[0]
    assert f"stopped after {ref_looks[-1][1]} of 100 cases" in flat(out.decode())


def test_batch_submits_one_batch_per_look(
    tmp_path: Path, store: Store, fake_llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(POLL_ENV, "0.02")
    fake_llm_server.configure(batch_delay_s=0.05)
    spec = tmp_path / "batch.yaml"
    spec.write_text(f"""name: seq-batch
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
models:
  - id: openai:gpt-4o-mini
    base_url: {fake_llm_server.openai_base_url}
    params: {{max_tokens: 400}}
scorers: [length]
primary: [words]
sequential: {{max_cases: 20, look_every: 5, min_cases: 10}}
""", encoding="utf-8")
    result, runner = run_until_decided(build_plan(spec), store, RunOptions(batch=True))
    looks = stored_looks(store, result.run_id)
    assert runner.end is not None and looks[-1].stop and len(looks) >= 2
    assert fake_llm_server.stats.requests["POST /v1/batches"] == len(looks)
    assert fake_llm_server.stats.requests["POST /v1/chat/completions"] == 0


def test_migrations_have_a_single_head() -> None:
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, f"several Alembic heads {heads}: re-point your revision's down_revision"
