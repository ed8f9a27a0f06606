"""What batch mode (workbench.runner.batch) needs from the run it is part of; the Runner implements it.

Batched results take the same path as every other result: `record` turns an outcome into an output row,
`writer` scores and commits such rows, `execute` makes the calls that do not go through a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from workbench.runner.executor import Outcome
from workbench.runner.generation import Generation
from workbench.runner.progress import ProgressSink
from workbench.runner.writer import OutputRecord, ResultWriter, ScoreRecord
from workbench.store.db import Store


class RecordSink(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def progress(self) -> ProgressSink: ...

    def record(self, outcome: Outcome, run_id: int) -> OutputRecord:
        """The output row (with its scoring context and cache entry) of one generation call."""
        ...

    def writer(self, run_id: int) -> ResultWriter:
        """A writer thread that scores generated texts with the run's scorers and commits them."""
        ...

    async def execute(self, calls: Generation, writer: ResultWriter,
                      make_record: Callable[[Outcome], OutputRecord | ScoreRecord | Any]) -> None:
        """Make these calls (cache first), hand each outcome's record to `writer`, count it in `calls.result`."""
        ...
