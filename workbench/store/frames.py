"""Bulk reads for analysis: run headers from SQL aggregates and score frames without ORM rows.

A run can hold 100,000 outputs with 1.6 million scores. Loading those as ORM objects takes tens of
seconds; plain DB-API tuples convert to NumPy about ten times faster, and no output text is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from workbench.errors import WorkbenchError
from workbench.experiment.spec import ExperimentSpec
from workbench.providers.finish import TRUNCATED_REASONS
from workbench.store.models import Case, Experiment, Output, Rating, Run, Score, Variant
from workbench.store.repository import unpriced_count
from workbench.store.statuses import OutputStatus

METRIC_SAMPLE = 50  # outputs inspected to list a run's metrics (every output gets the same scorers)


@dataclass(frozen=True)
class RunHeader:
    """Everything a page header needs about one run, from cheap aggregate queries."""

    run_id: int
    experiment: str
    experiment_id: int
    status: str
    simulated: bool
    total_calls: int
    outputs: int  # successful outputs
    errors: int
    cost_usd: float
    ratings: int
    baseline: str
    variants: list[str]
    models: list[str]
    spec: ExperimentSpec
    started_at: datetime | None = None
    finished_at: datetime | None = None
    unpriced: int = 0  # outputs whose price is unknown (not in cost_usd)

    @property
    def version(self) -> tuple[int, int, str]:
        """Changes whenever new results arrive or the status changes: the key for cached verdicts.

        Ratings are not part of it: a blind rating must not make every page recompute the run's verdicts
        (preferences are analysed on their own, keyed by the number of ratings).
        """
        return (self.outputs, self.errors, self.status)


def raw_rows(session: Session, stmt: Select[Any] | Any) -> list[tuple[Any, ...]]:
    """Rows as plain tuples from the DB-API cursor (only for ints, floats and strings)."""
    result = session.connection().execute(stmt)
    cursor = getattr(result, "cursor", None)
    if cursor is None:  # pragma: no cover - buffered results on exotic dialects
        return [tuple(row) for row in result]
    return list(cursor.fetchall())


def run_header(session: Session, run_id: int) -> RunHeader:
    run = session.get(Run, run_id)
    if run is None:
        raise WorkbenchError(f"run {run_id} does not exist")
    experiment = session.get(Experiment, run.experiment_id)
    assert experiment is not None
    spec = ExperimentSpec.model_validate(experiment.spec)
    ok, errors, cost, unpriced = session.execute(
        select(
            func.coalesce(func.sum(when((Output.status == OutputStatus.OK, 1), else_=0)), 0),
            func.coalesce(func.sum(when((Output.status == OutputStatus.ERROR, 1), else_=0)), 0),
            func.coalesce(func.sum(Output.cost_usd), 0.0),
            unpriced_count(),
        ).where(Output.run_id == run_id)
    ).one()
    ratings = session.scalar(select(func.count()).select_from(Rating).where(Rating.run_id == run_id)) or 0
    # A key has one row per prompt version: list each key once, in the order the variants were first stored.
    variants = list(dict.fromkeys(session.scalars(select(Variant.key).where(Variant.experiment_id == experiment.id)
                                                  .order_by(Variant.id))))
    return RunHeader(
        run_id=run.id, experiment=experiment.name, experiment_id=experiment.id, status=run.status,
        simulated=run.simulated, total_calls=run.total_calls, outputs=int(ok), errors=int(errors),
        cost_usd=float(cost), ratings=int(ratings), baseline=spec.baseline or (variants[0] if variants else ""),
        variants=variants, models=[m.display for m in spec.models], spec=spec, started_at=run.started_at,
        finished_at=run.finished_at, unpriced=int(unpriced),
    )


def run_stamp(session: Session, run_id: int) -> tuple[Any, ...]:
    """Changes whenever `run_header` would: (status, finished, heartbeat, newest output, ratings), from
    indexed lookups instead of the header's aggregates over every output; a cache key for big runs' headers."""
    run = session.get(Run, run_id)
    if run is None:
        raise WorkbenchError(f"run {run_id} does not exist")
    newest = session.scalar(select(func.max(Output.id)).where(Output.run_id == run_id))
    ratings = session.scalar(select(func.count()).select_from(Rating).where(Rating.run_id == run_id)) or 0
    return (run.status, run.finished_at, run.heartbeat_at, newest, int(ratings))


def metric_names(session: Session, run_id: int) -> list[str]:
    """Metrics scored in this run (read from a sample of outputs: the scorers are the same for all)."""
    sample = select(Output.id).where(Output.run_id == run_id, Output.status == OutputStatus.OK).limit(METRIC_SAMPLE)
    stmt = select(Score.metric).where(Score.output_id.in_(sample)).distinct().order_by(Score.metric)
    return list(session.scalars(stmt))


def all_metric_names(session: Session, run_id: int) -> list[str]:
    """Every metric scored in this run (exact; `metric_names` samples and is cheaper)."""
    stmt = (
        select(Score.metric).join(Output, Output.id == Score.output_id).where(Output.run_id == run_id)
        .distinct().order_by(Score.metric)
    )
    return list(session.scalars(stmt))


def run_keys(session: Session, run_id: int) -> tuple[dict[int, str], dict[int, tuple[str, str | None]]]:
    experiment_id = select(Run.experiment_id).where(Run.id == run_id).scalar_subquery()
    variants = {vid: key for vid, key in
                session.execute(select(Variant.id, Variant.key).where(Variant.experiment_id == experiment_id))}
    cases = {cid: (key, cluster) for cid, key, cluster in
             session.execute(select(Case.id, Case.key, Case.cluster).where(Case.experiment_id == experiment_id))}
    return variants, cases


def numeric_scores(session: Session, run_id: int, metrics: Sequence[str]) -> pd.DataFrame:
    """Long score frame (no detail) for the given metrics, built without ORM rows.

    Outputs are loaded once (100k rows), scores as (output id, metric code, value) numbers; the string
    columns are filled in with NumPy indexing. Rows are in output-id order, as the runner wrote them.
    """
    columns = ["output_id", "case", "cluster", "variant", "model", "repeat", "swap_name", "swap_group",
               "metric", "value"]
    if not metrics:
        return pd.DataFrame(columns=columns)
    variants, cases = run_keys(session, run_id)
    meta = raw_rows(session, select(Output.id, Output.case_id, Output.variant_id, Output.model, Output.repeat,
                                    Output.swap_name, Output.swap_group).where(Output.run_id == run_id))
    code = when({m: i for i, m in enumerate(metrics)}, value=Score.metric)
    rows = raw_rows(session, select(Score.output_id, code, Score.value)
                    .join(Output, Output.id == Score.output_id)
                    .where(Output.run_id == run_id, Score.metric.in_(list(metrics)))
                    .order_by(Score.output_id, Score.metric))
    if not meta or not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(meta, columns=["output_id", "case_id", "variant_id", "model", "repeat", "swap_name",
                                      "swap_group"]).set_index("output_id")
    # Resolve keys on the 100k outputs, then gather them for the 1M+ score rows by position.
    out["case"] = out["case_id"].map({cid: key for cid, (key, _) in cases.items()})
    out["cluster"] = out["case_id"].map({cid: cluster for cid, (_, cluster) in cases.items()})
    out["variant"] = out["variant_id"].map(variants)
    values = np.array(rows, dtype=float)  # NULL -> nan
    ids = values[:, 0].astype(np.int64)
    pos = out.index.get_indexer(ids)
    metric_arr = np.asarray(list(metrics), dtype=object)
    frame = pd.DataFrame({"output_id": ids})
    for name in ("case", "cluster", "variant", "model", "repeat", "swap_name", "swap_group"):
        frame[name] = out[name].to_numpy()[pos]
    frame["metric"] = metric_arr[values[:, 1].astype(np.int64)]
    frame["value"] = values[:, 2]
    return frame


def flagged_examples(session: Session, run_id: int, limit: int) -> list[dict[str, Any]]:
    """The `limit` outputs of a run with the most wording flags: text, keys and every score detail.

    Ranks in SQL (lint flags plus masculine-coded counts), so only these few texts are ever loaded.
    """
    weight = func.sum(Score.value)
    flagged = or_(Score.metric.like("%.flagged"), Score.metric.like("gender_coded%.masculine"))
    top = (
        select(Score.output_id, weight.label("weight"))
        .join(Output, Output.id == Score.output_id)
        .where(Output.run_id == run_id, flagged, Score.value > 0)
        .group_by(Score.output_id)
        .order_by(weight.desc(), Score.output_id)
        .limit(limit)
    )
    ids = [row[0] for row in session.execute(top)]
    if not ids:
        return []
    outputs = session.execute(
        select(Output.id, Output.text, Output.model, Output.simulated, Variant.key, Case.key, Output.finish_reason)
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.id.in_(ids))
    ).all()
    details: dict[int, list[Any]] = {}
    for output_id, detail in session.execute(select(Score.output_id, Score.detail).where(Score.output_id.in_(ids))):
        details.setdefault(output_id, []).append(detail)
    by_id = {
        oid: {"output_id": oid, "text": text or "", "model": model, "simulated": bool(sim), "variant": variant,
              "case": case, "details": details.get(oid, []), "finish_reason": finish}
        for oid, text, model, sim, variant, case, finish in outputs
    }
    return [by_id[i] for i in ids if i in by_id]


def truncated_outputs(session: Session, run_id: int) -> list[tuple[int, str, str]]:
    """(output id, variant, model) of every successful output that was cut off at a token limit."""
    stmt = (
        select(Output.id, Variant.key, Output.model)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.status == OutputStatus.OK,
               Output.finish_reason.in_(sorted(TRUNCATED_REASONS)))
        .order_by(Output.id)
    )
    return [(int(oid), str(variant), str(model)) for oid, variant, model in session.execute(stmt)]
