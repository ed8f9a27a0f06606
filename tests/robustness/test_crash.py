"""20 runs, each SIGKILLed at a random moment, then resumed: every expected result exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from workbench.experiment.plan import build_plan
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store, database_url, make_engine
from workbench.store.models import Output, Score

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20


def spec_file(tmp_path: Path) -> Path:
    spec = tmp_path / "crashy.yaml"
    spec.write_text(
        f"""name: crashy
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
max_cases: 10
models:
  - id: simulated:default
    simulate: {{latency_ms: 50}}
repeats: 3
scorers: [length, age_coded, "judge:clarity"]
judge: {{model: simulated:judge}}
concurrency: 4
"""
    )
    return spec


def test_random_sigkills_then_resume_keep_every_result_exactly_once(tmp_path: Path, db_factory: Any) -> None:
    spec = spec_file(tmp_path)
    plan = build_plan(spec)
    expected_cells = {c.cell.key for c in plan.calls}
    rng = random.Random(20261126)
    killed_during = {"generate": 0, "judge": 0, "never": 0}
    for attempt in range(KILLS):
        db = db_factory(f"crash-{attempt}")
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", "run", str(spec), "--db", str(db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=dict(os.environ),
        )
        # Wait for the first committed row, then kill after a random extra delay (0 to 1 s).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not _has_rows(db):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=600)  # SIGKILL cannot be ignored: this bounds the exit only
        assert proc.returncode in (-signal.SIGKILL, 0), proc.stderr.read() if proc.stderr else ""
        store = Store(db)
        with store.session() as session:
            outputs_before = session.scalar(select(func.count()).select_from(Output)) or 0
        phase = "never" if proc.returncode == 0 else ("judge" if outputs_before == len(plan.calls) else "generate")
        killed_during[phase] += 1

        result = run_experiment(plan, store, RunOptions(resume=True))
        assert not result.interrupted and result.errors == 0
        assert result.skipped == outputs_before, "everything stored before the kill was kept, not redone"
        with store.session() as session:
            rows = session.execute(
                select(Output.id, Output.status, Output.repeat, Output.model, Output.swap_name, Output.variant_id,
                       Output.case_id)
            ).all()
            judge = session.execute(
                select(Score.output_id, func.count()).where(Score.metric == "judge.clarity").group_by(Score.output_id)
            ).all()
        store.dispose()
        assert len(rows) == len(expected_cells), f"attempt {attempt}: {len(rows)} rows"
        assert len({r[2:] for r in rows}) == len(rows), "no cell twice"
        assert all(r[1] == "ok" for r in rows)
        assert len(judge) == len(rows) and all(n == 1 for _, n in judge), "one judge score per output"
    # The random kill points covered both phases of a run.
    assert killed_during["generate"] >= 10, killed_during


def _has_rows(db: str) -> bool:
    engine = make_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM outputs")).scalar())
    except Exception:  # the schema does not exist yet
        return False
    finally:
        engine.dispose()
