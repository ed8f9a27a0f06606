"""The read model's whole-run reads for analysis, reports and export: run headers from SQL aggregates,
score frames, output, rating and pairing frames (pandas).

A run can hold 100,000 outputs with 1.6 million scores. Loading those as ORM objects takes tens of
seconds: `numeric_scores` reads plain DB-API tuples (about ten times faster into NumPy) and no output
text; `outputs_frame`/`scores_frame` (texts, score details) are for export and smaller reads, in chunks
of output ids when a run is large.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case as when
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.errors import WorkbenchError
from workbench.experiment.spec import ExperimentSpec
from workbench.providers.finish import TRUNCATED_REASONS
from workbench.store.models import Case, Experiment, Output, Rating, Run, Score, Variant
from workbench.store.queries import raw_rows, run_keys, unpriced_count
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


def output_id_bounds(session: Session, run_id: int, chunk: int) -> list[tuple[int, int]]:
    """Inclusive (first, last) output ids of consecutive chunks of about `chunk` outputs of a run."""
    ids = list(session.scalars(select(Output.id).where(Output.run_id == run_id).order_by(Output.id)))
    return [(ids[i], ids[min(i + chunk, len(ids)) - 1]) for i in range(0, len(ids), chunk)]


def _cell_keys() -> list[Any]:
    """The columns that say which output a row is about: its id, variant, case (and cluster), model, repeat and
    the name swapped in."""
    return [Output.id.label("output_id"), Variant.key.label("variant"), Case.key.label("case"),
            Case.cluster.label("cluster"), Output.model, Output.repeat, Output.swap_name, Output.swap_group]


def outputs_frame(session: Session, run_id: int, id_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per output with variant/case keys (text included); `id_range` limits it to one chunk."""
    stmt = (
        select(
            *_cell_keys(),
            Output.status,
            Output.text,
            Output.error,
            Output.attempts,
            Output.input_tokens,
            Output.output_tokens,
            Output.latency_ms,
            Output.cost_usd,
            Output.cached,
            Output.simulated,
            Output.finish_reason,
            Variant.language,
            Variant.task,
        )
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id)
        .order_by(Output.id)
    )
    if id_range is not None:
        stmt = stmt.where(Output.id.between(*id_range))
    return pd.DataFrame(session.execute(stmt).mappings().all())


def scores_frame(
    session: Session,
    run_id: int,
    *,
    with_detail: bool = False,
    metric_prefix: str | None = None,
    id_range: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Long format for the statistics engine: case, variant, model, repeat, metric, value (+ swap, cluster).

    `metric_prefix` keeps only the metrics that start with it (e.g. "ranking.top1."); `id_range` only the
    scores of outputs with ids in that inclusive range.
    """
    columns: list[Any] = [
        *_cell_keys(),
        Score.metric,
        Score.value,
        Score.kind,
    ]
    if with_detail:
        columns.append(Score.detail)
    stmt = (
        select(*columns)
        .join(Output, Output.id == Score.output_id)
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id)
    )
    if metric_prefix:
        stmt = stmt.where(Score.metric.startswith(metric_prefix, autoescape=True))
    if id_range is not None:
        stmt = stmt.where(Output.id.between(*id_range))
    frame = pd.DataFrame(session.execute(stmt).mappings().all())
    if frame.empty:
        frame = pd.DataFrame(columns=[c.key for c in columns])
    return frame


def ratings_frame(session: Session, run_id: int) -> pd.DataFrame:
    """Blind A/B ratings in the shape the preference statistics expect."""
    columns = ["case", "variant_a", "variant_b", "winner", "left", "rater", "comment", "model", "output_a_id",
               "output_b_id"]
    frame = pair_ratings(session, run_id)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    # The stats engine wants `left` as the variant shown on the left, not "a"/"b".
    frame["left"] = frame["variant_a"].where(frame["left"] == "a", frame["variant_b"])
    return frame[columns]


def pair_ratings(session: Session, run_id: int) -> pd.DataFrame:
    """Every A/B rating of a run by output ids: output_a_id, output_b_id, winner (a | b | tie), left (a | b),
    rater, comment, case (key), the two variants and the model, in the order they were given."""
    a = Output.__table__.alias("a")
    b = Output.__table__.alias("b")
    va = Variant.__table__.alias("va")
    vb = Variant.__table__.alias("vb")
    stmt = (
        select(Rating.output_a_id, Rating.output_b_id, Rating.winner, Rating.left, Rating.rater, Rating.comment,
               Case.key.label("case"), va.c.key.label("variant_a"), vb.c.key.label("variant_b"),
               a.c.model.label("model"))
        .join(Case, Case.id == Rating.case_id)
        .join(a, a.c.id == Rating.output_a_id)
        .join(b, b.c.id == Rating.output_b_id)
        .join(va, va.c.id == a.c.variant_id)
        .join(vb, vb.c.id == b.c.variant_id)
        .where(Rating.run_id == run_id)
        .order_by(Rating.id)
    )
    columns = ["output_a_id", "output_b_id", "winner", "left", "rater", "comment", "case", "variant_a", "variant_b",
               "model"]
    frame = pd.DataFrame(session.execute(stmt).mappings().all())
    return frame if not frame.empty else pd.DataFrame(columns=columns)


def pairable_outputs(session: Session, run_id: int) -> pd.DataFrame:
    """The successful outputs of a run with what pairing them needs: output_id, variant, case_id, model,
    repeat, swap_name, text, task, language."""
    stmt = (
        select(Output.id.label("output_id"), Variant.key.label("variant"), Output.case_id, Output.model,
               Output.repeat, Output.swap_name, Output.text, Variant.task, Variant.language)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.status == OutputStatus.OK)
        .order_by(Output.id)
    )
    columns = ["output_id", "variant", "case_id", "model", "repeat", "swap_name", "text", "task", "language"]
    frame = pd.DataFrame(session.execute(stmt).mappings().all())
    return frame if not frame.empty else pd.DataFrame(columns=columns)
