"""Typed rows the store takes and gives: what the runner writes and what its queries hand back.

Plain TypedDicts and dataclasses (no ORM objects cross the store's boundary): an `OutputRow` is exactly
the columns of `outputs`, a `CacheEntry` those of `response_cache`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypedDict

from workbench.store.statuses import OutputStatus


class RunListing(TypedDict):
    """One run as `workbench list`, the UI's run picker and overview show it (workbench.store.queries.list_runs)."""

    id: int
    experiment: str
    status: str  # a RunStatus, `stale` included (a running run whose process is gone)
    started_at: datetime
    finished_at: datetime | None
    total: int
    outputs: int  # successful outputs
    errors: int
    cost_usd: float  # what the kept outputs cost (unpriced ones not included)
    unpriced: int
    spent_usd: float  # every call made for the run, calls lost in flight included (estimated)
    lost_calls: int
    simulated: bool
    started_by: str | None
    spec_path: str


class OutputRow(TypedDict):
    """One call's result: the columns of `outputs` (the id is the database's)."""

    run_id: int
    variant_id: int
    case_id: int
    model: str
    repeat: int
    swap_name: str
    swap_group: str
    request_hash: str
    attempts: int
    cached: bool
    created_at: datetime
    status: OutputStatus
    text: str | None
    error: str | None
    input_tokens: int
    output_tokens: int
    latency_ms: float
    cost_usd: float | None
    simulated: bool
    finish_reason: str | None


class CacheEntry(TypedDict):
    """A response cache entry: written for a fresh completion (`text` None when the output row it is stored
    with holds the text), read back with its text for a cache hit."""

    key: str
    provider: str
    model: str
    text: str | None
    input_tokens: int
    output_tokens: int
    latency_ms: float
    cost_usd: float | None
    finish_reason: str | None
    simulated: bool
    created_at: datetime


class ScoreValue(Protocol):
    """A score to store (workbench.scoring.base.Score is one)."""

    @property
    def metric(self) -> str: ...

    @property
    def value(self) -> float: ...

    @property
    def kind(self) -> str: ...

    @property
    def detail(self) -> dict[str, Any] | None: ...


@dataclass(slots=True)
class OutputWrite:
    """An output row to insert (or to write over an earlier failed attempt of the same cell) with its scores."""

    row: OutputRow
    scores: Sequence[ScoreValue] = ()
    existing_id: int | None = None
    cache_entry: CacheEntry | None = None


@dataclass(slots=True)
class JudgedWrite:
    """Judge scores of a stored output (replacing earlier ones of the same metrics) and the judge's reply."""

    output_id: int
    scores: Sequence[ScoreValue] = ()
    cache_entry: CacheEntry | None = None  # keeps the reply's text: a judge reply has no output row


@dataclass(frozen=True)
class JudgeInput:
    """A successful output to judge, with what the judge prompt needs."""

    output_id: int
    text: str | None
    variant: str
    task: str
    language: str


@dataclass(frozen=True)
class OpenBatch:
    """A provider batch of a run that has not been closed (still in flight when last seen)."""

    row_id: int
    batch_id: str
    model: str  # model label
    custom_ids: list[str] = field(default_factory=list)
