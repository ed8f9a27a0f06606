"""Stored page analyses: each run's verdicts, computed once when the run ends, read by the UI.

The analysis itself is computed elsewhere (workbench.ui.run_stats) and arrives here as JSON text;
this module stores it with the **stamp** of the data it was computed from and says whether a stored
one still matches the run. Only this module speaks SQL about stored analyses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.store.db import Store, retry_transient
from workbench.store.models import FlagDismissal, Output, Rating, Run, RunAnalysisRecord


@dataclass(frozen=True)
class StoredAnalysis:
    run_id: int
    version: int
    stamp: dict[str, Any]
    body: str
    seconds: float
    created_at: datetime


def analysis_stamp(session: Session, run_id: int) -> dict[str, Any]:
    """What a run's analysis depends on, from indexed lookups (milliseconds on 100,000 outputs).

    Outputs and scores only change while the run runs (status, end time and newest output then
    change too); ratings and dismissed flags change afterwards (count and newest id: an undo, a
    restore or a new row all move one of them).
    """
    run = session.get(Run, run_id)
    status = str(run.status) if run is not None else ""
    finished = run.finished_at.isoformat() if run is not None and run.finished_at is not None else None
    newest = session.scalar(select(func.max(Output.id)).where(Output.run_id == run_id))
    ratings, newest_rating = session.execute(
        select(func.count(Rating.id), func.max(Rating.id)).where(Rating.run_id == run_id)).one()
    dismissed, newest_dismissal = session.execute(
        select(func.count(FlagDismissal.id), func.max(FlagDismissal.id))
        .join(Output, Output.id == FlagDismissal.output_id)
        .where(Output.run_id == run_id, FlagDismissal.restored_at.is_(None))).one()
    restored = session.scalar(
        select(func.count(FlagDismissal.id)).join(Output, Output.id == FlagDismissal.output_id)
        .where(Output.run_id == run_id, FlagDismissal.restored_at.is_not(None)))
    return {
        "status": status,
        "finished": finished,
        "newest_output": newest,
        "ratings": [int(ratings or 0), newest_rating],
        "dismissals": [int(dismissed or 0), newest_dismissal, int(restored or 0)],
    }


def same_outputs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two stamps describe the same outputs and scores (only ratings or dismissals differ)."""
    keys = ("status", "finished", "newest_output")
    return all(a.get(k) == b.get(k) for k in keys)


def load_analysis(session: Session, run_id: int) -> StoredAnalysis | None:
    row = session.get(RunAnalysisRecord, run_id)
    if row is None:
        return None
    return StoredAnalysis(row.run_id, row.version, dict(row.stamp or {}), row.body, float(row.seconds or 0.0),
                          row.created_at)


def stored_stamp(session: Session, run_id: int) -> tuple[int, dict[str, Any]] | None:
    """(version, stamp) of the stored analysis without loading its body."""
    row = session.execute(select(RunAnalysisRecord.version, RunAnalysisRecord.stamp)
                          .where(RunAnalysisRecord.run_id == run_id)).first()
    return None if row is None else (int(row[0]), dict(row[1] or {}))


def save_analysis(store: Store, run_id: int, version: int, stamp: dict[str, Any], body: str, seconds: float) -> None:
    """Store (or replace) a run's analysis; a run deleted meanwhile is skipped."""

    def write() -> None:
        with store.session() as session:
            if session.get(Run, run_id) is None:
                return
            row = session.get(RunAnalysisRecord, run_id)
            if row is None:
                row = RunAnalysisRecord(run_id=run_id)
                session.add(row)
            row.version, row.stamp, row.body, row.seconds = version, stamp, body, seconds
            row.created_at = datetime.now().astimezone()
            session.commit()

    try:
        retry_transient(write)
    except IntegrityError:  # another process stored one first (the worker and a run's end): replace it
        retry_transient(write)
