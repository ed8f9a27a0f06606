"""The `batch_jobs` rows of `workbench run --batch`: provider batches a run submitted, so a restarted run
follows them instead of paying for their requests twice (workbench.runner.batch)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from workbench.store.db import Store
from workbench.store.models import BatchJob
from workbench.store.records import OpenBatch
from workbench.store.statuses import BatchStatus


def open_batches(store: Store, run_id: int) -> list[OpenBatch]:
    """The run's batches that were never closed (in flight when the last invocation stopped), oldest first."""
    with store.session() as session:
        rows = session.scalars(
            select(BatchJob).where(BatchJob.run_id == run_id, BatchJob.finished_at.is_(None)).order_by(BatchJob.id)
        ).all()
        return [OpenBatch(row.id, row.batch_id, row.model, list(row.custom_ids)) for row in rows]


def add_batch(store: Store, run_id: int, *, model: str, provider: str, batch_id: str, custom_ids: list[str]) -> int:
    """Record a submitted batch (committed at once); returns its row id."""
    with store.session() as session:
        row = BatchJob(run_id=run_id, model=model, provider=provider, batch_id=batch_id,
                       status=BatchStatus.SUBMITTED, custom_ids=custom_ids)
        session.add(row)
        session.commit()
        return row.id


def set_batch_status(store: Store, row_id: int, status: str) -> None:
    """The provider's latest word for the batch (in_progress, finalizing, ...)."""
    with store.session() as session:
        row = session.get(BatchJob, row_id)
        if row is not None:
            row.status = status
            session.commit()


def close_batch(store: Store, row_id: int, status: str) -> None:
    """The batch needs no more following: ended (provider status), not needed or not found (BatchStatus)."""
    with store.session() as session:
        row = session.get(BatchJob, row_id)
        if row is not None:
            row.status = status
            row.finished_at = datetime.now(UTC)
            session.commit()
