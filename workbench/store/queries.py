"""The read model's narrow queries (UI pages, runner): aggregates and single cases in SQL, never a whole
run's texts.

A run can hold 100,000 outputs with 1.6 million scores; the repository's frames (`outputs_frame`,
`scores_frame`) load everything through ORM rows. These queries select only what a page shows, and
bulk numeric loads go through the raw DB-API cursor (plain tuples convert to NumPy ~10× faster than
SQLAlchemy `Row` objects).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from workbench.providers.finish import TRUNCATED_REASONS, is_truncated
from workbench.scoring.flag_spans import matches_from_details
from workbench.scoring.matches import Match
from workbench.store.frames import raw_rows, run_keys
from workbench.store.models import Case, Output, Rating, Run, Score, Variant
from workbench.store.records import JudgeInput
from workbench.store.repository import latest_run_for
from workbench.store.statuses import OutputStatus

# Lint flags the Compare page can filter on: metric -> highlight category.
FLAG_METRICS = {
    "gender_coded": "masculine",
    "age_coded.flagged": "age",
    "exclusion.flagged": "language_origin",
    "gendered_title.flagged": "gendered_title",
}


@dataclass(frozen=True)
class CaseOutput:
    output_id: int
    variant: str
    model: str
    repeat: int
    swap_name: str
    status: str
    text: str
    error: str | None
    simulated: bool
    matches: list[Match] = field(default_factory=list)
    flags: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)  # every score of the output, by metric
    finish_reason: str | None = None

    @property
    def truncated(self) -> bool:
        return is_truncated(self.finish_reason)


@dataclass(frozen=True)
class Pair:
    """Two outputs for the same case and model from different variants (`a` is the baseline)."""

    case_id: int
    case: str
    model: str
    output_a: int
    output_b: int
    variant_a: str
    variant_b: str

    def left_is_a(self, run_id: int) -> bool:
        """Seeded per pair: the same pair always shows the same way round, pairs differ at random."""
        return random.Random(f"{run_id}:{self.output_a}:{self.output_b}").random() < 0.5


def case_means(session: Session, run_id: int, metric: str, *, exclude_truncated: bool = False) -> pd.DataFrame:
    """One mean per model × variant × case for one metric, averaged in SQL (repeats and names).

    `exclude_truncated` leaves out outputs cut off at max_tokens (as the verdicts do for text metrics).
    """
    stmt = (
        select(Output.model, Variant.key, Case.key, func.avg(Score.value))
        .select_from(Output)
        .join(Score, and_(Score.output_id == Output.id, Score.metric == metric))
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id, Score.value.is_not(None))
        .group_by(Output.model, Variant.key, Case.key)
    )
    if exclude_truncated:
        stmt = stmt.where(or_(Output.finish_reason.is_(None), Output.finish_reason.not_in(sorted(TRUNCATED_REASONS))))
    frame = pd.DataFrame(raw_rows(session, stmt), columns=["model", "variant", "case", "value"])
    frame["metric"] = metric
    return frame


def is_flag_metric(metric: str) -> bool:
    return metric in FLAG_METRICS or (metric.startswith("gender_coded") and metric.endswith(".masculine"))


def flag_metric_names(metrics: Sequence[str]) -> dict[str, str]:
    """Flag filter options present in a run: label -> metric (gender-coded uses the masculine count)."""
    found: dict[str, str] = {}
    for metric in metrics:
        if metric.startswith("gender_coded") and metric.endswith(".masculine"):
            found["gender_coded"] = metric
        elif metric in FLAG_METRICS:
            found[metric.removesuffix(".flagged")] = metric
    return found


def run_cases(session: Session, run_id: int, *, model: str | None = None, flag_metric: str | None = None,
              search: str = "") -> pd.DataFrame:
    """Cases of a run (id, key, title), optionally only those with a flagged output — filtered in SQL."""
    experiment_id = select(Run.experiment_id).where(Run.id == run_id).scalar_subquery()
    stmt = select(Case.id, Case.key, Case.data).where(Case.experiment_id == experiment_id).order_by(Case.id)
    if flag_metric:
        flagged = (
            select(Output.case_id)
            .join(Score, and_(Score.output_id == Output.id, Score.metric == flag_metric))
            .where(Output.run_id == run_id, Score.value > 0)
        )
        if model:
            flagged = flagged.where(Output.model == model)
        stmt = stmt.where(Case.id.in_(flagged.distinct()))
    if search:
        stmt = stmt.where(Case.key.contains(search))
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        [(cid, key, case_title(data)) for cid, key, data in rows], columns=["case_id", "case", "title"]
    )


def case_title(data: dict[str, Any] | None) -> str:
    """A short human label for a test case: its job title (and company) when the dataset has them."""
    data = data or {}
    parts = [str(data[k]) for k in ("job_title", "company") if data.get(k)]
    return " · ".join(parts)


def case_data(session: Session, case_id: int) -> dict[str, Any]:
    case = session.get(Case, case_id)
    return dict(case.data) if case is not None else {}


def swap_names(session: Session, run_id: int, case_id: int) -> list[str]:
    stmt = select(Output.swap_name).where(Output.run_id == run_id, Output.case_id == case_id).distinct()
    return sorted(session.scalars(stmt))


def case_outputs(session: Session, run_id: int, case_id: int, *, model: str | None = None, repeat: int = 0,
                 swap_name: str | None = None) -> list[CaseOutput]:
    """The outputs of one case (every variant), with their highlight matches and lint flags."""
    stmt = (
        select(Output.id, Variant.key, Output.model, Output.repeat, Output.swap_name, Output.status, Output.text,
               Output.error, Output.simulated, Output.finish_reason)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.case_id == case_id, Output.repeat == repeat)
        .order_by(Variant.id, Output.model)
    )
    if model:
        stmt = stmt.where(Output.model == model)
    if swap_name is not None:
        stmt = stmt.where(Output.swap_name == swap_name)
    rows = session.execute(stmt).all()
    details: dict[int, list[dict[str, Any] | None]] = {}
    flags: dict[int, dict[str, float]] = {}
    scores: dict[int, dict[str, float]] = {}
    if rows:
        for output_id, metric, value, detail in session.execute(
            select(Score.output_id, Score.metric, Score.value, Score.detail)
            .where(Score.output_id.in_([r[0] for r in rows]))
        ):
            details.setdefault(output_id, []).append(detail)
            if value is not None:
                scores.setdefault(output_id, {})[metric] = float(value)
            if is_flag_metric(metric):
                flags.setdefault(output_id, {})[metric] = value or 0.0
    result = []
    for oid, variant, model_, rep, name, status, body, error, simulated, finish in rows:
        text = body or ""
        matches = [m for m in matches_from_details(details.get(oid, []))
                   if 0 <= m["start"] < m["end"] <= len(text) and text[m["start"]:m["end"]] == m["text"]]
        result.append(CaseOutput(oid, variant, model_, rep, name, status, text, error, bool(simulated), matches,
                                 flags.get(oid, {}), scores.get(oid, {}), finish))
    return result


# -- review ------------------------------------------------------------------------------------------


def review_pairs(session: Session, run_id: int, baseline: str, seed: int = 0) -> list[Pair]:
    """Baseline vs every other variant, per case and model: repeat 0, the same swapped-in name.

    The queue order is shuffled with a RNG seeded by the run, so every rater sees the same sequence
    (and a half-finished session continues where it stopped).
    """
    variants, cases = run_keys(session, run_id)
    rows = raw_rows(session, select(Output.id, Output.case_id, Output.variant_id, Output.model, Output.swap_name)
                    .where(Output.run_id == run_id, Output.repeat == 0, Output.status == OutputStatus.OK)
                    .order_by(Output.id))
    cells: dict[tuple[int, str], dict[str, dict[int, int]]] = {}
    for oid, case_id, variant_id, model, name in rows:
        cells.setdefault((case_id, model), {}).setdefault(name, {})[variant_id] = oid
    baseline_id = next((vid for vid, key in variants.items() if key == baseline), None)
    pairs: list[Pair] = []
    for (case_id, model), by_name in cells.items():
        for name in sorted(by_name):
            outs = by_name[name]
            if baseline_id not in outs or len(outs) < 2:
                continue
            for variant_id, oid in sorted(outs.items()):
                if variant_id != baseline_id:
                    pairs.append(Pair(case_id, cases[case_id][0], model, outs[baseline_id], oid, baseline,
                                      variants[variant_id]))
            break  # one name per case: the comparison is between prompts, not names
    random.Random(f"review:{run_id}:{seed}").shuffle(pairs)
    return pairs


def rated_pairs(session: Session, run_id: int, rater: str) -> set[tuple[int, int]]:
    stmt = select(Rating.output_a_id, Rating.output_b_id).where(Rating.run_id == run_id, Rating.rater == rater)
    return {(a, b) for a, b in session.execute(stmt)}


def output_texts(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, bool, bool]]:
    """id -> (text, simulated, cut off at max_tokens)."""
    stmt = select(Output.id, Output.text, Output.simulated, Output.finish_reason).where(Output.id.in_(list(ids)))
    return {oid: (text or "", bool(sim), is_truncated(finish)) for oid, text, sim, finish in session.execute(stmt)}


def ratings_count(session: Session, run_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Rating).where(Rating.run_id == run_id)) or 0)


# -- run progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    run_id: int
    status: str
    done: int
    total: int
    errors: int


def run_progress(session: Session, experiment: str, *, after_run_id: int = 0, run_id: int | None = None
                 ) -> Progress | None:
    """Progress of a run started from the UI: its outputs so far vs the planned calls."""
    run = session.get(Run, run_id) if run_id else latest_run_for(session, experiment)
    if run is None or (run_id is None and run.id <= after_run_id):
        return None  # the new run has not been created yet
    session.refresh(run)
    done, errors = session.execute(
        select(func.count(), func.coalesce(func.sum(when((Output.status == OutputStatus.ERROR, 1), else_=0)), 0))
        .where(Output.run_id == run.id)
    ).one()
    return Progress(run.id, run.status, int(done), int(run.total_calls), int(errors))


def latest_run_id(session: Session, experiment: str) -> int:
    run = latest_run_for(session, experiment)
    return run.id if run is not None else 0


# -- runner ------------------------------------------------------------------------------------------


def judge_inputs(session: Session, run_id: int, metrics: Sequence[str]
                 ) -> tuple[set[tuple[int, str]], list[JudgeInput]]:
    """What a run's rubric judge still has to do: the (output id, metric) pairs already scored for `metrics`,
    and every successful output of the run with what its judge prompt needs, in output order."""
    judged = {
        (oid, metric)
        for oid, metric in session.execute(
            select(Score.output_id, Score.metric)
            .join(Output, Output.id == Score.output_id)
            .where(Output.run_id == run_id, Score.metric.in_(list(metrics)), Score.value.is_not(None))
        )
    }
    outputs = session.execute(
        select(Output.id, Output.text, Variant.key, Variant.task, Variant.language)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.status == OutputStatus.OK)
        .order_by(Output.id)
    ).all()
    return judged, [JudgeInput(*row) for row in outputs]
