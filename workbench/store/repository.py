"""The store's writes that the runner, CLI and UI share: experiments and cases, blind ratings.

Everything that reads is in the read model (workbench.store.queries, .frames, .run_summary); a run's own
rows are written by workbench.store.runs, .results and .batch_jobs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workbench.store.models import (
    Case,
    Experiment,
    Rating,
    utcnow,
)


def insert_ignore(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    elif dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    else:
        stmt = insert(table).prefix_with("IGNORE")
    session.execute(stmt, list(rows))


def get_or_create_experiment(
    session: Session, name: str, spec_path: str, spec_hash: str, spec: dict[str, Any]
) -> Experiment:
    found = session.scalar(
        select(Experiment).where(Experiment.name == name, Experiment.spec_hash == spec_hash)
    )
    if found is not None:
        return found
    experiment = Experiment(name=name, spec_path=spec_path, spec_hash=spec_hash, spec=spec)
    session.add(experiment)
    session.flush()
    return experiment


def sync_cases(session: Session, experiment: Experiment, cases: Iterable[Any]) -> dict[str, int]:
    existing = {c.key: c.id for c in session.scalars(select(Case).where(Case.experiment_id == experiment.id))}
    new = [
        {"experiment_id": experiment.id, "key": case.id, "cluster": case.cluster, "data": case.variables}
        for case in cases
        if case.id not in existing
    ]
    if new:
        session.execute(insert(Case), new)
        existing = {
            c.key: c.id for c in session.scalars(select(Case).where(Case.experiment_id == experiment.id))
        }
    return existing


def add_ratings(session: Session, run_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Store A/B ratings (case_id, output_a_id, output_b_id, left, winner, rater, comment)."""
    session.add_all([Rating(run_id=run_id, **row) for row in rows])
    session.commit()


def add_rating(session: Session, *, run_id: int, case_id: int, output_a: int, output_b: int, left: str, winner: str,
               rater: str, comment: str | None = None, verified: bool = False) -> tuple[int, bool]:
    """Store a blind A/B judgement unless this rater already judged this pair: (rating id, newly stored).

    `verified`: `rater` is a signed-in identity (UI auth on), not a typed-in name.

    Idempotent by the unique constraint on (run, rater, pair): a repeated key press, a stale button or a
    second browser tab returns the stored rating instead of adding another.
    """
    if left not in ("a", "b") or winner not in ("a", "b", "tie"):
        raise ValueError("left must be 'a'/'b' and winner 'a'/'b'/'tie'")
    rater = rater.strip()[:100] or "anonymous"
    values = {"run_id": run_id, "case_id": case_id, "output_a_id": output_a, "output_b_id": output_b, "left": left,
              "winner": winner, "rater": rater, "comment": comment or None, "rater_verified": verified,
              "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    stmt: Any = (sqlite.insert(Rating) if dialect == "sqlite" else postgresql.insert(Rating)).values(**values)
    inserted = session.execute(stmt.on_conflict_do_nothing().returning(Rating.id)).scalar()
    if inserted is None:
        session.rollback()
        existing = session.scalar(select(Rating.id).where(
            Rating.run_id == run_id, Rating.rater == rater, Rating.output_a_id == output_a,
            Rating.output_b_id == output_b))
        assert existing is not None  # the conflict was with this row
        return int(existing), False
    session.commit()
    return int(inserted), True


def delete_rating(session: Session, rating_id: int, *, run_id: int, rater: str) -> bool:
    """Undo: remove one of this rater's ratings of this run (False if it was already gone)."""
    result = session.execute(delete(Rating).where(Rating.id == rating_id, Rating.run_id == run_id,
                                                  Rating.rater == (rater.strip()[:100] or "anonymous")))
    session.commit()
    return bool(getattr(result, "rowcount", 0))
