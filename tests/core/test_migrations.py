"""Old databases upgrade: a store made at revision 0001 (cache holding a second copy of every text)
keeps its runs, and its cache entries become references to the output rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from tests.support.old_database import OldOutput, database_at_0001, insert_old_run
from tests.support.specs import simulated_spec
from workbench.experiment.plan import build_plan
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store
from workbench.store.models import CachedResponse, Output, Run


def test_a_0001_database_upgrades_and_its_cache_stops_copying_texts(tmp_path: Path, db_url: str) -> None:
    engine = database_at_0001(db_url)
    # An old-style run: outputs plus a cache entry holding a copy of each text.
    with engine.begin() as conn:
        old = [OldOutput(i, f"text {i}", key, repeat=i, cost_usd=0.5) for i, key in ((1, "k1"), (2, "k2"))]
        insert_old_run(conn, old)
        for i, key in ((1, "k1"), (2, "k2")):
            conn.execute(text(
                "INSERT INTO response_cache (key, provider, model, text, input_tokens, output_tokens, latency_ms, "
                "cost_usd, simulated, created_at) VALUES (:k, 'openai', 'm', :t, 1, 1, 1.0, 0.5, false, "
                "CURRENT_TIMESTAMP)"), {"k": key, "t": f"text {i}"})
        # A judge answer: no output holds it, so it keeps its own text.
        conn.execute(text(
            "INSERT INTO response_cache (key, provider, model, text, input_tokens, output_tokens, latency_ms, "
            "cost_usd, simulated, created_at) VALUES ('j', 'openai', 'm', 'score 4', 1, 1, 1.0, 0.1, false, "
            "CURRENT_TIMESTAMP)"))
    engine.dispose()

    store = Store(db_url)  # upgrades to head
    with store.session() as session:
        cache = {c.key: c for c in session.scalars(select(CachedResponse))}
        run = session.get(Run, 1)
        assert run is not None and run.spent_usd == 1.0 and run.status == "completed"
        assert cache["k1"].text is None and cache["k1"].output_id == 1
        assert cache["k2"].text is None and cache["k2"].output_id == 2
        assert cache["j"].text == "score 4" and cache["j"].output_id is None
        assert session.scalar(select(Output.text).where(Output.id == 2)) == "text 2"
    store.dispose()


def test_cache_hits_read_the_text_from_the_output_row(tmp_path: Path, store: Store) -> None:
    plan = build_plan(simulated_spec(tmp_path, "cache", max_cases=3))
    first = run_experiment(plan, store)
    second = run_experiment(plan, store, RunOptions())  # a new run of the same spec: every call from the cache
    assert first.cached == 0 and second.cached == 3 and second.ok == 3
    with store.session() as session:
        entries = list(session.scalars(select(CachedResponse)))
        assert len(entries) == 3 and all(e.text is None and e.output_id for e in entries)
        texts = session.execute(select(Output.run_id, Output.text).order_by(Output.id)).all()
    by_run: dict[int, list[str]] = {}
    for run_id, body in texts:
        by_run.setdefault(run_id, []).append(body)
    assert sorted(by_run[first.run_id]) == sorted(by_run[second.run_id])  # same texts, stored per run
