"""A CLI runner writes while UI-style readers query the same database: readers never fail or go backwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.fake_llm_server import FakeLLMServer
from workbench.analysis.run_results import analyse_run
from workbench.store.db import Store
from workbench.store.frames import outputs_frame, scores_frame
from workbench.store.queries import list_runs

ROOT = Path(__file__).resolve().parents[2]


def test_readers_during_a_run(tmp_path: Path, db_url: str, fake_llm_server: FakeLLMServer) -> None:
    """The fake server answers 40 calls, then holds the rest until the readers have read the half-done run
    several times: reads land mid-run however slow the machine is."""
    spec = tmp_path / "busy.yaml"
    spec.write_text(
        f"""name: busy
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
models:
  - id: openai:gpt-4o-mini
    base_url: {fake_llm_server.openai_base_url}
    timeout: 3600
repeats: 4
scorers: [length, readability, gender_coded, age_coded]
concurrency: 8
"""
    )
    fake_llm_server.configure(hold_after=40)
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", str(spec), "--db", db_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=dict(os.environ),
    )
    store = Store(db_url)
    seen: list[int] = []
    reads = mid_run = 0
    deadline = time.monotonic() + 600  # the bound only keeps a broken run from hanging the suite
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
            mid_run += bool(seen and 0 < seen[-1] < 160)
            if mid_run == 5:
                fake_llm_server.configure(hold_after=None)  # enough reads of the half-done run: finish it
            time.sleep(0.05)
        assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
    assert reads >= 5, "the run finished before readers could overlap it"
    assert seen == sorted(seen), "counts never go backwards"
    assert any(0 < n < 160 for n in seen), f"no read landed mid-run: {seen[:5]}…"
    with store.session() as session:
        assert len(outputs_frame(session, list_runs(session)[0]["id"])) == 160
    store.dispose()
