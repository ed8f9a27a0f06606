"""SQLAlchemy 2.0 models: experiments, variants, cases, runs, outputs, scores, ratings, cache."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from workbench.store.statuses import BatchStatus, RunStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Experiment(Base):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    spec_path: Mapped[str] = mapped_column(Text)
    spec_hash: Mapped[str] = mapped_column(String(32))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    variants: Mapped[list[Variant]] = relationship(back_populates="experiment")
    cases: Mapped[list[Case]] = relationship(back_populates="experiment")
    runs: Mapped[list[Run]] = relationship(back_populates="experiment")

    __table_args__ = (UniqueConstraint("name", "spec_hash", name="uq_experiment_name_hash"),)


class Variant(Base):
    """One version of a prompt variant. Editing the prompt file and running again stores a new version
    (same key, next number); outputs point at the version they were made with, so old runs keep their text."""

    __tablename__ = "variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    task: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    path: Mapped[str | None] = mapped_column(Text)
    system_template: Mapped[str | None] = mapped_column(Text)
    user_template: Mapped[str] = mapped_column(Text)
    template_hash: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)  # per experiment name and key: 1, 2, 3...
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)

    experiment: Mapped[Experiment] = relationship(back_populates="variants")

    __table_args__ = (UniqueConstraint("experiment_id", "key", "version", name="uq_variant_version"),)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    cluster: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    experiment: Mapped[Experiment] = relationship(back_populates="cases")

    __table_args__ = (UniqueConstraint("experiment_id", "key", name="uq_case_key"),)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING)  # a RunStatus (never "stale")
    total_calls: Mapped[int] = mapped_column(Integer, default=0)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    batch: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The process working on the run ("host:pid"), its last sign of life, and who started it.
    holder: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str | None] = mapped_column(String(200))
    # USD paid for every provider call made for this run, including calls made again after a crash
    # (outputs.cost_usd keeps one call per cell: what the kept results cost).
    spent_usd: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Calls that were in flight when an invocation ended without their results (killed or interrupted):
    # paid, probably, but never stored; counted into `spent` at the run's mean cost per call.
    lost_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    inflight_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # at the last heartbeat

    experiment: Mapped[Experiment] = relationship(back_populates="runs")


class Output(Base):
    """One call's result. Exactly one row per (run, variant, case, model, repeat, swapped-in name)."""

    __tablename__ = "outputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(200))
    repeat: Mapped[int] = mapped_column(Integer)
    swap_name: Mapped[str] = mapped_column(String(200), default="")
    swap_group: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(8))  # an OutputStatus
    text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    request_hash: Mapped[str] = mapped_column(String(64))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the model stopped, as the provider said it: "stop"/"length" (OpenAI), "end_turn"/"max_tokens"
    # (Anthropic). See workbench.providers.finish for which reasons mean the text was cut off.
    finish_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    scores: Mapped[list[Score]] = relationship(back_populates="output", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint(
            "run_id", "variant_id", "case_id", "model", "repeat", "swap_name", name="uq_output_cell"
        ),
        Index("ix_outputs_run_status", "run_id", "status"),
    )


class Score(Base):
    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(100))
    value: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(8), default="numeric")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    output: Mapped[Output] = relationship(back_populates="scores")

    __table_args__ = (
        UniqueConstraint("output_id", "metric", name="uq_score_metric"),
        Index("ix_scores_metric", "metric"),
    )


class Rating(Base):
    """A blind A/B judgement by a recruiter: which of two outputs for the same case is better."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    output_a_id: Mapped[int] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"))
    output_b_id: Mapped[int] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"))
    left: Mapped[str] = mapped_column(String(1))  # which of a/b was shown on the left
    winner: Mapped[str] = mapped_column(String(4))  # a | b | tie
    rater: Mapped[str] = mapped_column(String(100), default="anonymous")
    # True when `rater` is the identity of a logged-in user (UI auth on), False for a typed-in name.
    rater_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # One judgement per rater per pair: a repeated key press or a second browser tab cannot add another.
    __table_args__ = (UniqueConstraint("run_id", "rater", "output_a_id", "output_b_id", name="uq_rating_rater_pair"),)


class CachedResponse(Base):
    """Response cache keyed by the hash of the full request: re-running costs nothing.

    A generated answer is stored once, in `outputs`: the cache entry points at that row (`output_id`)
    and keeps `text` NULL. Judge answers have no output row of their own and keep their text here.
    An entry whose output was deleted (run deleted) is a miss.
    """

    __tablename__ = "response_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    output_id: Mapped[int | None] = mapped_column(ForeignKey("outputs.id", ondelete="SET NULL"))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    finish_reason: Mapped[str | None] = mapped_column(String(32))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchJob(Base):
    """A provider batch (OpenAI Batch API / Anthropic Message Batches) so runs survive restarts."""

    __tablename__ = "batch_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(200))
    # A BatchStatus, or the provider's own word for the batch while it is followed.
    status: Mapped[str] = mapped_column(String(32), default=BatchStatus.SUBMITTED)
    custom_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FlagDismissal(Base):
    """A wording flag a user dismissed as false for one output: who, why, when; reversible.

    Active while `restored_at` is NULL; restoring keeps the row (history) and sets restored_by/at.
    The span is identified by its offsets, rule and text in the output's stored score details.
    """

    __tablename__ = "flag_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(400))
    category: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(120))
    who: Mapped[str] = mapped_column(String(100))
    why: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    restored_by: Mapped[str | None] = mapped_column(String(100))
    restored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SequentialLook(Base):
    """One interim look of a sequential run (`workbench run --until-decided`, issue #19).

    `tests` holds every (model, metric, candidate) test after the look (workbench.stats.sequential
    TestState dicts: running anytime-valid interval, decision); the next look continues from them.
    One row per (run, look): a resumed run never counts a look twice.
    """

    __tablename__ = "sequential_looks"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    look: Mapped[int] = mapped_column(Integer)  # 1-based
    cases: Mapped[int] = mapped_column(Integer)  # cases drawn by this look
    max_cases: Mapped[int] = mapped_column(Integer)
    stop: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")  # the stop sentence (or the look's state)
    spared_calls: Mapped[int | None] = mapped_column(Integer)  # at the stop: calls the undrawn cases needed
    spared_usd: Mapped[float | None] = mapped_column(Float)  # ... and their cost at the run's cost per call
    tests: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("run_id", "look", name="uq_sequential_look"),)


class RunAnalysisRecord(Base):
    """A run's page analysis (the verdicts Compare, Bias and the Overview show), computed once when the
    run ends and stored as JSON (workbench.ui.codec), so opening a big run does not recompute it.

    `stamp` says which data it was computed from (workbench.store.page_analyses.analysis_stamp: status,
    newest output, ratings, dismissals); `version` which analysis code. One row per run, replaced.
    """

    __tablename__ = "run_analyses"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    stamp: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # how long the analysis took
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
