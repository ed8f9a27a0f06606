"""Sequential runs in the store: the design (in `runs.settings`) and the interim looks (issue #19).

Only this module speaks SQL about sequential runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.store.db import Store, retry_transient
from workbench.store.models import Output, Run, Score, SequentialLook

SETTINGS_KEY = "sequential"


def stored_design(session: Session, run_id: int) -> dict[str, Any] | None:
    """The sequential design a run was started with (case order, sizes, family), None for other runs."""
    run = session.get(Run, run_id)
    if run is None or not isinstance(run.settings, dict):
        return None
    design = run.settings.get(SETTINGS_KEY)
    return design if isinstance(design, dict) else None


def save_design(store: Store, run_id: int, design: dict[str, Any]) -> None:
    def write() -> None:
        with store.session() as session:
            run = session.get(Run, run_id)
            if run is None:
                return
            run.settings = {**(run.settings or {}), SETTINGS_KEY: design}  # a new dict: JSON change tracked
            session.commit()

    retry_transient(write)


def looks(session: Session, run_id: int) -> list[SequentialLook]:
    return list(session.scalars(select(SequentialLook).where(SequentialLook.run_id == run_id)
                                .order_by(SequentialLook.look)))


def save_look(store: Store, run_id: int, look: int, cases: int, max_cases: int, stop: bool, reason: str,
              tests: list[dict[str, Any]], total_calls: int | None = None,
              spared: tuple[int, float] | None = None) -> None:
    """Store one look (idempotent: a look already stored is kept as it is). `total_calls`: when the run
    stops early, the calls of the cases actually drawn become the run's planned total."""

    def write() -> None:
        with store.session() as session:
            exists = session.scalar(select(SequentialLook.id).where(
                SequentialLook.run_id == run_id, SequentialLook.look == look))
            if exists is None:
                session.add(SequentialLook(run_id=run_id, look=look, cases=cases, max_cases=max_cases, stop=stop,
                                           reason=reason, tests=tests, spared_calls=spared[0] if spared else None,
                                           spared_usd=spared[1] if spared else None))
            if total_calls is not None:
                run = session.get(Run, run_id)
                if run is not None:
                    run.total_calls = total_calls
            session.commit()

    retry_transient(write)


def calls_made(session: Session, run_id: int) -> tuple[int, int, float]:
    """(generation outputs stored, judge scores stored, USD spent) of a run: what "not spent" is scaled by."""
    outputs = int(session.scalar(select(func.count()).select_from(Output).where(Output.run_id == run_id)) or 0)
    judged = int(session.scalar(
        select(func.count()).select_from(Score).join(Output, Output.id == Score.output_id)
        .where(Output.run_id == run_id, Score.metric.like("judge.%"))) or 0)
    run = session.get(Run, run_id)
    return outputs, judged, float(run.spent_usd or 0.0) if run is not None else 0.0


def last_looks(session: Session) -> dict[int, tuple[int, int, bool]]:
    """run id -> (cases drawn, max cases, stopped) at the last look of every sequential run."""
    latest = (select(SequentialLook.run_id, func.max(SequentialLook.look).label("look"))
              .group_by(SequentialLook.run_id).subquery())
    rows = session.execute(
        select(SequentialLook.run_id, SequentialLook.cases, SequentialLook.max_cases, SequentialLook.stop)
        .join(latest, (latest.c.run_id == SequentialLook.run_id) & (latest.c.look == SequentialLook.look)))
    return {run_id: (cases, max_cases, bool(stop)) for run_id, cases, max_cases, stop in rows}
