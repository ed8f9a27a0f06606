"""A writer thread that commits results as they arrive (group commit under load).

Each result is committed within milliseconds of arriving, so a killed run loses at most the few
results still in the queue — and those are simply re-run on resume, never duplicated, because the
output table has a unique key per cell. A group whose transaction fails on a dropped connection or a
busy database is written again on a fresh connection (`retry_transient`); any other error stops the
writer and is raised to the run, which ends `failed`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, update

from workbench.scoring.base import Score, ScoringContext
from workbench.store.db import Store, retry_transient
from workbench.store.models import CachedResponse, Output, Run
from workbench.store.models import Score as ScoreRow
from workbench.store.repository import insert_ignore

MAX_GROUP = 500


@dataclass
class OutputRecord:
    row: dict[str, Any]  # columns of `outputs`
    existing_id: int | None = None  # an earlier failed attempt of the same cell, to overwrite
    cache_entry: dict[str, Any] | None = None
    scoring: ScoringContext | None = None  # score the text with the run's scorers
    spent_usd: float = 0.0  # what the call behind this record cost (0 for a cache hit)


@dataclass
class ScoreRecord:
    output_id: int
    scores: list[Score] = field(default_factory=list)
    spent_usd: float = 0.0
    cache_entry: dict[str, Any] | None = None  # the judge's reply (with its text), for the response cache


Scorer = Callable[[str, ScoringContext], list[Score]]
_STOP = object()


class ResultWriter:
    def __init__(
        self,
        store: Store,
        score: Scorer | None = None,
        on_written: Callable[[int], None] | None = None,
        *,
        run_id: int | None = None,
        on_retry: Callable[[BaseException, float], None] | None = None,
    ) -> None:
        self.store = store
        self.score = score
        self.on_written = on_written
        self.run_id = run_id  # whose `spent_usd` the written records add to
        self.on_retry = on_retry
        self._queue: queue.Queue[Any] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="workbench-writer", daemon=True)
        self._thread.start()

    def put(self, record: OutputRecord | ScoreRecord) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(record)

    def close(self) -> None:
        """Flush everything queued and stop; re-raises a write error from the thread."""
        self._queue.put(_STOP)
        self._thread.join()
        if self._error is not None:
            raise self._error

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def _loop(self) -> None:
        stop = False
        while not stop:
            batch = [self._queue.get()]
            while len(batch) < MAX_GROUP:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stop = True
                batch = [item for item in batch if item is not _STOP]
            if not batch or self._error is not None:
                continue
            try:
                self._write(batch)
            except BaseException as exc:  # surfaced to the event loop on the next put/close
                self._error = exc

    def _scores_for(self, record: OutputRecord) -> list[Score]:
        text = record.row.get("text")
        if self.score is None or record.scoring is None or record.row.get("status") != "ok" or text is None:
            return []
        return self.score(text, record.scoring)

    def _write(self, batch: list[Any]) -> None:
        outputs = [r for r in batch if isinstance(r, OutputRecord)]
        score_records = [r for r in batch if isinstance(r, ScoreRecord)]
        scored = [(record, self._scores_for(record)) for record in outputs]
        spent = sum(r.spent_usd for r in batch)
        retry_transient(lambda: self._commit(scored, score_records, spent), on_retry=self.on_retry)
        if self.on_written is not None:
            self.on_written(len(batch))

    def _commit(
        self, scored: list[tuple[OutputRecord, list[Score]]], score_records: list[ScoreRecord], spent: float
    ) -> None:
        """One transaction for a group of results (all of it is done again when a retry is needed)."""
        with self.store.session() as session:
            fresh = [(r, s) for r, s in scored if r.existing_id is None]
            score_rows: list[dict[str, Any]] = []
            cache_rows: list[dict[str, Any]] = []
            if fresh:
                ids = session.scalars(
                    insert(Output).returning(Output.id, sort_by_parameter_order=True),
                    [r.row for r, _ in fresh],
                ).all()
                for output_id, (record, scores) in zip(ids, fresh, strict=True):
                    score_rows += [_score_row(output_id, s) for s in scores]
                    if record.cache_entry:
                        cache_rows.append(record.cache_entry | {"output_id": output_id})
            for record, scores in scored:
                if record.existing_id is not None:
                    if record.cache_entry:
                        cache_rows.append(record.cache_entry | {"output_id": record.existing_id})
                    session.execute(
                        update(Output).where(Output.id == record.existing_id).values(**record.row)
                    )
                    session.execute(delete(ScoreRow).where(ScoreRow.output_id == record.existing_id))
                    score_rows += [_score_row(record.existing_id, s) for s in scores]
            for judged in score_records:
                metrics = [s.metric for s in judged.scores]
                session.execute(
                    delete(ScoreRow).where(ScoreRow.output_id == judged.output_id, ScoreRow.metric.in_(metrics))
                )
                score_rows += [_score_row(judged.output_id, s) for s in judged.scores]
                if judged.cache_entry:  # a judge reply has no output row: its entry keeps the text
                    cache_rows.append(judged.cache_entry | {"output_id": None})
            if score_rows:
                session.execute(insert(ScoreRow), score_rows)
            # A generation's entry refers to the output row that holds the text (one copy of every answer).
            insert_ignore(session, CachedResponse, cache_rows)
            if spent and self.run_id is not None:
                session.execute(update(Run).where(Run.id == self.run_id).values(spent_usd=Run.spent_usd + spent))
            session.commit()


def _score_row(output_id: int, score: Score) -> dict[str, Any]:
    value = score.value if score.value == score.value else None  # NaN -> NULL
    return {
        "output_id": output_id,
        "metric": score.metric,
        "value": value,
        "kind": score.kind,
        "detail": score.detail or None,
    }
