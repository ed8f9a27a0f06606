"""Per-variant × model summary of a run: counts, cost, latency and the mean of key metrics (SQL aggregates)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy import case as when

from workbench.providers.finish import TRUNCATED_REASONS
from workbench.scoring.catalogue import outcome_prefixes, summary_metrics, summary_patterns
from workbench.store.db import Store
from workbench.store.models import Output, Score, Variant
from workbench.store.queries import unpriced_count
from workbench.store.statuses import OutputStatus


def summarise_run(store: Store, run_id: int, *, exclude_truncated: bool = True) -> pd.DataFrame:
    """One row per variant × model; `truncated` counts outputs cut off at max_tokens, whose text metrics
    are left out of the means when `exclude_truncated` (the spec's `truncated_outputs: exclude`).

    The metric means are those the scorers declare `summary=True` (`scoring.catalogue`), in that order."""
    key_metrics = summary_metrics()
    keys = (Variant.key.label("variant"), Output.model)
    truncated = and_(Output.status == OutputStatus.OK, Output.finish_reason.in_(sorted(TRUNCATED_REASONS)))
    counts = (
        select(
            *keys,
            func.sum(when((Output.status == OutputStatus.OK, 1), else_=0)).label("outputs"),
            func.sum(when((Output.status == OutputStatus.ERROR, 1), else_=0)).label("errors"),
            func.sum(Output.cost_usd).label("cost_usd"),
            unpriced_count().label("unpriced"),
            func.avg(when((Output.status == OutputStatus.OK, Output.latency_ms), else_=None)).label("latency_ms"),
            func.max(when((Output.simulated, 1), else_=0)).label("simulated"),
            func.sum(when((truncated, 1), else_=0)).label("truncated"),
        )
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id)
        .group_by(*keys)
        .order_by(func.min(Output.id))
    )
    means = (
        select(*keys, Score.metric, func.avg(Score.value))
        .join(Output, Output.id == Score.output_id)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, or_(Score.metric.in_(key_metrics), *(
            Score.metric.startswith(prefix, autoescape=True) for prefix in summary_patterns())))
        .group_by(*keys, Score.metric)
    )
    if exclude_truncated:
        outcome = or_(*(Score.metric.startswith(prefix, autoescape=True) for prefix in outcome_prefixes()))
        means = means.where(or_(not_(truncated), Output.finish_reason.is_(None), outcome))
    with store.session() as session:
        summary = pd.DataFrame(session.execute(counts).all(), columns=["variant", "model", "outputs", "errors",
                                                                        "cost_usd", "unpriced", "latency_ms",
                                                                        "simulated", "truncated"])
        metric_means = pd.DataFrame(session.execute(means).all(), columns=["variant", "model", "metric", "value"])
    if summary.empty:
        return summary
    summary["simulated"] = summary["simulated"].astype(bool)
    if not metric_means.empty:
        present = set(metric_means["metric"])
        order = dict.fromkeys(m for m in (*key_metrics, *sorted(present)) if m in present)
        wide = metric_means.pivot_table(index=["variant", "model"], columns="metric", values="value")
        summary = summary.join(wide.reindex(columns=list(order)), on=["variant", "model"])
    return summary
