"""Dismissed wording flags: store, restore, list, and the recounted lint values they imply.

A dismissal is per output and per span (start, end, rule). Dismissed spans are left out of the lint
rates and verdicts (`dismissal_adjustments`), counted in the report, and restoring one brings the
flag back. Only this module speaks SQL about dismissals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workbench.errors import WorkbenchError
from workbench.scoring.dismissal import SpanKey, recount, span_key
from workbench.store.models import Case, FlagDismissal, Output, Score, Variant

# Lint metrics whose details hold the matches.
_DETAIL_METRICS = or_(Score.metric.like("%.flagged"), Score.metric.like("gender_%.score"))
MAX_WHO, MAX_WHY = 100, 2000


def _lint_details(session: Session, output_ids: list[int]) -> dict[int, dict[str, dict[str, Any] | None]]:
    found: dict[int, dict[str, dict[str, Any] | None]] = {}
    for start in range(0, len(output_ids), 500):
        chunk = output_ids[start : start + 500]
        rows = session.execute(
            select(Score.output_id, Score.metric, Score.detail).where(Score.output_id.in_(chunk), _DETAIL_METRICS)
        )
        for output_id, metric, detail in rows:
            found.setdefault(output_id, {})[metric] = detail
    return found


def stored_matches(session: Session, output_id: int) -> list[dict[str, Any]]:
    """Every lint match stored for one output (one entry per span and rule)."""
    seen: dict[SpanKey, dict[str, Any]] = {}
    for detail in _lint_details(session, [output_id]).get(output_id, {}).values():
        for m in (detail or {}).get("matches") or []:
            seen.setdefault(span_key(m), m)
    return sorted(seen.values(), key=lambda m: (m["start"], m["end"]))


def dismiss_flag(
    session: Session, output_id: int, start: int, end: int, rule: str, *, who: str, why: str
) -> FlagDismissal:
    """Dismiss one flagged span of an output as false (committed)."""
    who, why = who.strip(), why.strip()
    if not who:
        raise WorkbenchError("say who dismisses the flag", field="who")
    if not why:
        raise WorkbenchError("say why the flag is false", field="why")
    if len(who) > MAX_WHO or len(why) > MAX_WHY:
        raise WorkbenchError(f"who is at most {MAX_WHO} and why at most {MAX_WHY} characters", field="why")
    if session.get(Output, output_id) is None:
        raise WorkbenchError(f"output {output_id} does not exist", field="output")
    match = next((m for m in stored_matches(session, output_id) if span_key(m) == (start, end, rule)), None)
    if match is None:
        raise WorkbenchError(f"output {output_id} has no flag {rule} at {start}-{end}", field="flag")
    if active_dismissal(session, output_id, (start, end, rule)) is not None:
        raise WorkbenchError(f"the flag {rule} at {start}-{end} of output {output_id} is already dismissed")
    row = FlagDismissal(output_id=output_id, start=start, end=end, text=str(match["text"])[:400],
                        category=str(match["category"]), rule=rule, who=who, why=why)
    session.add(row)
    session.commit()
    return row


def active_dismissal(session: Session, output_id: int, key: SpanKey) -> FlagDismissal | None:
    start, end, rule = key
    return session.scalar(
        select(FlagDismissal).where(
            FlagDismissal.output_id == output_id, FlagDismissal.start == start, FlagDismissal.end == end,
            FlagDismissal.rule == rule, FlagDismissal.restored_at.is_(None),
        )
    )


def restore_flag(session: Session, dismissal_id: int, *, who: str) -> FlagDismissal:
    """Undo a dismissal: the flag counts again (the row stays, with who restored it and when); committed."""
    row = session.get(FlagDismissal, dismissal_id)
    if row is None:
        raise WorkbenchError(f"dismissal {dismissal_id} does not exist", field="dismissal")
    if row.restored_at is not None:
        raise WorkbenchError(f"dismissal {dismissal_id} was already restored")
    row.restored_by = who.strip()[:MAX_WHO] or "anonymous"
    row.restored_at = datetime.now(UTC)
    session.commit()
    return row


@dataclass(frozen=True)
class ActiveDismissal:
    """A flag dismissal in force (typed record for the UI and reports; the ORM row stays in the store)."""

    id: int
    output_id: int
    start: int
    end: int
    text: str
    category: str
    rule: str
    who: str
    why: str
    created_at: datetime


def output_dismissals(session: Session, output_ids: list[int]) -> dict[int, dict[SpanKey, ActiveDismissal]]:
    """Active dismissals of some outputs: output id -> span key -> dismissal."""
    found: dict[int, dict[SpanKey, ActiveDismissal]] = {}
    if not output_ids:
        return found
    rows = session.scalars(
        select(FlagDismissal).where(FlagDismissal.output_id.in_(output_ids), FlagDismissal.restored_at.is_(None))
    )
    for row in rows:
        found.setdefault(row.output_id, {})[(row.start, row.end, row.rule)] = ActiveDismissal(
            row.id, row.output_id, row.start, row.end, row.text, row.category, row.rule, row.who, row.why,
            row.created_at)
    return found


def run_dismissals(session: Session, run_id: int, *, include_restored: bool = False) -> pd.DataFrame:
    """Dismissals of a run with the output's variant, model and case (active ones unless asked)."""
    stmt = (
        select(
            FlagDismissal.id, FlagDismissal.output_id, Variant.key.label("variant"), Output.model,
            Case.key.label("case"), FlagDismissal.start, FlagDismissal.end, FlagDismissal.text,
            FlagDismissal.category, FlagDismissal.rule, FlagDismissal.who, FlagDismissal.why,
            FlagDismissal.created_at, FlagDismissal.restored_by, FlagDismissal.restored_at,
        )
        .join(Output, Output.id == FlagDismissal.output_id)
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id)
        .order_by(FlagDismissal.id)
    )
    if not include_restored:
        stmt = stmt.where(FlagDismissal.restored_at.is_(None))
    columns = ["id", "output_id", "variant", "model", "case", "start", "end", "text", "category", "rule", "who",
               "why", "created_at", "restored_by", "restored_at"]
    return pd.DataFrame([tuple(r) for r in session.execute(stmt)], columns=columns)


def dismissal_adjustments(session: Session, run_id: int) -> dict[tuple[int, str], float]:
    """(output id, metric) -> value with the run's active dismissals left out."""
    dismissed = run_dismissals(session, run_id)
    if dismissed.empty:
        return {}
    keys: dict[int, list[SpanKey]] = {}
    for r in dismissed.itertuples():
        keys.setdefault(int(r.output_id), []).append((int(r.start), int(r.end), str(r.rule)))
    details = _lint_details(session, sorted(keys))
    return {
        (output_id, metric): value
        for output_id, spans in keys.items()
        for metric, value in recount(details.get(output_id, {}), spans).items()
    }


def apply_adjustments(scores: pd.DataFrame, adjustments: dict[tuple[int, str], float]) -> pd.DataFrame:
    """`scores` (long frame with output_id, metric, value) with the recounted values put in."""
    if not adjustments or scores.empty:
        return scores
    keys = list(zip(scores["output_id"].astype(int), scores["metric"].astype(str), strict=True))
    new = [adjustments.get(k) for k in keys]
    if all(v is None for v in new):
        return scores
    out = scores.copy()
    out["value"] = [old if v is None else v for old, v in zip(out["value"], new, strict=True)]
    return out
