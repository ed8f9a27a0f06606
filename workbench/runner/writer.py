"""A writer thread that commits results as they arrive (group commit under load), scoring generated
texts on the way; the store writes each group in one transaction (workbench.store.results).

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

from workbench.scoring.base import Score, ScoringContext
from workbench.store.db import Store
from workbench.store.records import CacheEntry, JudgedWrite, OutputRow, OutputWrite
from workbench.store.results import write_results
from workbench.store.statuses import OutputStatus

MAX_GROUP = 500


@dataclass
class OutputRecord:
    row: OutputRow  # columns of `outputs`
    existing_id: int | None = None  # an earlier failed attempt of the same cell, to overwrite
    cache_entry: CacheEntry | None = None
    scoring: ScoringContext | None = None  # score the text with the run's scorers
    spent_usd: float = 0.0  # what the call behind this record cost (0 for a cache hit)


@dataclass
class ScoreRecord:
    output_id: int
    scores: list[Score] = field(default_factory=list)
    spent_usd: float = 0.0
    cache_entry: CacheEntry | None = None  # the judge's reply (with its text), for the response cache


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
        text = record.row["text"]
        if self.score is None or record.scoring is None or record.row["status"] != OutputStatus.OK or text is None:
            return []
        return self.score(text, record.scoring)

    def _write(self, batch: list[Any]) -> None:
        outputs = [OutputWrite(r.row, self._scores_for(r), r.existing_id, r.cache_entry)
                   for r in batch if isinstance(r, OutputRecord)]
        judged = [JudgedWrite(r.output_id, r.scores, r.cache_entry) for r in batch if isinstance(r, ScoreRecord)]
        spent = sum(r.spent_usd for r in batch)
        write_results(self.store, outputs, judged, spent_usd=spent, run_id=self.run_id, on_retry=self.on_retry)
        if self.on_written is not None:
            self.on_written(len(batch))
