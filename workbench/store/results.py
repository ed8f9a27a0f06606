"""Writing a run's results: outputs, their scores, judge scores, response cache entries and the run's spend.

`write_results` is one transaction for a group of results; the runner's writer thread (workbench.runner.
writer) calls it for every group it collects, so a killed run loses at most the group in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, insert, update

from workbench.store.db import Store, retry_transient
from workbench.store.models import CachedResponse, Output, Run, Score
from workbench.store.records import JudgedWrite, OutputWrite, ScoreValue
from workbench.store.repository import insert_ignore


def write_results(
    store: Store,
    outputs: Sequence[OutputWrite],
    judged: Sequence[JudgedWrite] = (),
    *,
    spent_usd: float = 0.0,
    run_id: int | None = None,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> None:
    """Store a group of results in one transaction, done again on a fresh connection while it fails with a
    transient error (a dropped connection, a busy database). `spent_usd` (what the calls behind the group
    cost) is added to run `run_id`'s spend."""
    retry_transient(lambda: _commit(store, outputs, judged, spent_usd, run_id), on_retry=on_retry)


def _commit(store: Store, outputs: Sequence[OutputWrite], judged: Sequence[JudgedWrite], spent: float,
            run_id: int | None) -> None:
    """One transaction for a group of results (all of it is done again when a retry is needed)."""
    with store.session() as session:
        fresh = [w for w in outputs if w.existing_id is None]
        score_rows: list[dict[str, Any]] = []
        cache_rows: list[dict[str, Any]] = []
        if fresh:
            ids = session.scalars(
                insert(Output).returning(Output.id, sort_by_parameter_order=True),
                [w.row for w in fresh],
            ).all()
            for output_id, write in zip(ids, fresh, strict=True):
                score_rows += [_score_row(output_id, s) for s in write.scores]
                if write.cache_entry:
                    cache_rows.append({**write.cache_entry, "output_id": output_id})
        for write in outputs:
            if write.existing_id is not None:
                if write.cache_entry:
                    cache_rows.append({**write.cache_entry, "output_id": write.existing_id})
                session.execute(update(Output).where(Output.id == write.existing_id).values(**write.row))
                session.execute(delete(Score).where(Score.output_id == write.existing_id))
                score_rows += [_score_row(write.existing_id, s) for s in write.scores]
        for judgement in judged:
            metrics = [s.metric for s in judgement.scores]
            session.execute(delete(Score).where(Score.output_id == judgement.output_id, Score.metric.in_(metrics)))
            score_rows += [_score_row(judgement.output_id, s) for s in judgement.scores]
            if judgement.cache_entry:  # a judge reply has no output row: its entry keeps the text
                cache_rows.append({**judgement.cache_entry, "output_id": None})
        if score_rows:
            session.execute(insert(Score), score_rows)
        # A generation's entry refers to the output row that holds the text (one copy of every answer).
        insert_ignore(session, CachedResponse, cache_rows)
        if spent and run_id is not None:
            session.execute(update(Run).where(Run.id == run_id).values(spent_usd=Run.spent_usd + spent))
        session.commit()


def _score_row(output_id: int, score: ScoreValue) -> dict[str, Any]:
    value = score.value if score.value == score.value else None  # NaN -> NULL
    return {
        "output_id": output_id,
        "metric": score.metric,
        "value": value,
        "kind": score.kind,
        "detail": score.detail or None,
    }
