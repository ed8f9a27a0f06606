"""Calls in flight at an interruption are paid for but never stored; the resume makes them again.
The run's cost is reported twice (issue #13 row 13): `cost` = the kept results, `spent` = every call."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import select

from workbench.store.db import Store
from workbench.store.models import Run
from workbench.store.queries import list_runs

from .store_faults_support import ROOT, start_cli, stored_outputs, wait_for


def test_spent_includes_calls_remade_after_an_interruption(tmp_path: Path, fake_llm_server: object,
                                                           db_url: str) -> None:
    server = fake_llm_server
    server.configure(hold_after=4)  # type: ignore[attr-defined]  # 4 answers; the next calls wait, in flight
    spec = tmp_path / "paid.yaml"
    spec.write_text(f"""name: paid
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 5
models:
  - id: openai:gpt-4o-mini
    base_url: {server.base_url}/v1
repeats: 2
scorers: [length]
concurrency: 4
""")  # type: ignore[attr-defined]
    env = {"OPENAI_API_KEY": "sk-test-not-a-key"}
    first = start_cli(["run", str(spec), "--db", db_url], env=env)
    # The first four answers are stored and the next four requests have reached the server: in flight.
    wait_for(lambda: stored_outputs(db_url) >= 4 and server.stats.total >= 8, "a second wave in flight")  # type: ignore[attr-defined]
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=600)  # bounds the exit only
    assert first.returncode == 130
    kept_before = stored_outputs(db_url)
    sent_before = server.stats.total  # type: ignore[attr-defined]
    server.configure(hold_after=None)  # type: ignore[attr-defined]
    resumed = start_cli(["run", str(spec), "--db", db_url, "--resume"], env=env)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, (out, err)

    requests = server.stats.total  # type: ignore[attr-defined]
    store = Store(db_url)
    with store.session() as session:
        run = session.scalars(select(Run)).one()
        listed = list_runs(session)[0]
    store.dispose()
    remade = sent_before - kept_before  # sent, (probably) billed, never stored: made again on resume
    assert remade >= 1 and requests == 20 + remade, (requests, sent_before, kept_before)
    assert run.lost_calls == remade
    assert listed["outputs"] == 20 and listed["cost_usd"] > 0
    # spent = kept + the lost calls at the mean cost of a call (all calls here cost about the same)
    assert listed["spent_usd"] > listed["cost_usd"]
    assert abs(listed["spent_usd"] / listed["cost_usd"] - requests / 20) < 0.05
    listing = start_cli(["list", "--db", db_url])
    shown, _ = listing.communicate(timeout=60)
    assert "spent" in shown and "every call paid for" in shown, shown
