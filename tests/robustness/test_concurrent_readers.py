"""A CLI runner writes while UI-style readers query the same database: readers never fail or go backwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from workbench.run_analysis import analyse_run
from workbench.store.db import Store
from workbench.store.repository import list_runs, outputs_frame, scores_frame

ROOT = Path(__file__).resolve().parents[2]


def test_readers_during_a_run(tmp_path: Path, db_url: str) -> None:
    spec = tmp_path / "busy.yaml"
    spec.write_text(
        f"""name: busy
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
models:
  - id: simulated:default
    simulate: {{latency_ms: 15}}
repeats: 4
scorers: [length, readability, gender_coded, age_coded]
concurrency: 8
"""
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", str(spec), "--db", db_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=dict(os.environ),
    )
    store = Store(db_url)
    seen: list[int] = []
    reads = 0
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            with store.session() as session:
                runs = list_runs(session)
                if runs:
                    outputs = outputs_frame(session, runs[0]["id"])
                    scores = scores_frame(session, runs[0]["id"])
                    seen.append(len(outputs))
                    assert len(scores) >= 0
            if seen and seen[-1] > 0:
                analyse_run(store, "latest")  # the Compare page's query path, mid-run
            reads += 1
            time.sleep(0.05)
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
    assert reads >= 5, "the run finished before readers could overlap it"
    assert seen == sorted(seen), "counts never go backwards"
    assert any(0 < n < 160 for n in seen), f"no read landed mid-run: {seen[:5]}…"
    with store.session() as session:
        assert len(outputs_frame(session, list_runs(session)[0]["id"])) == 160
    store.dispose()
