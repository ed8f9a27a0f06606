"""Per-variant × model summary of a run: counts, cost, latency and the mean of key metrics."""

from __future__ import annotations

import pandas as pd

from workbench.store.db import Store
from workbench.store.repository import outputs_frame, scores_frame

KEY_METRICS = (
    "words",
    "readability",
    "gender_coded.masculine",
    "gender_coded.feminine",
    "age_coded.flagged",
    "exclusion.flagged",
    "screening.score",
    "screening.invite",
)


def summarise_run(store: Store, run_id: int) -> pd.DataFrame:
    with store.session() as session:
        outputs = outputs_frame(session, run_id)
        scores = scores_frame(session, run_id)
    if outputs.empty:
        return pd.DataFrame()
    grouped = outputs.groupby(["variant", "model"], sort=False)
    summary = pd.DataFrame(
        {
            "outputs": grouped["status"].apply(lambda s: int((s == "ok").sum())),
            "errors": grouped["status"].apply(lambda s: int((s == "error").sum())),
            "cost_usd": grouped["cost_usd"].sum(min_count=1),
            "latency_ms": grouped["latency_ms"].mean(),
            "simulated": grouped["simulated"].any(),
        }
    )
    if not scores.empty:
        judge = sorted(m for m in scores["metric"].unique() if str(m).startswith("judge."))
        wanted = [m for m in (*KEY_METRICS, *judge) if m in set(scores["metric"])]
        if wanted:
            means = (
                scores[scores["metric"].isin(wanted)]
                .pivot_table(index=["variant", "model"], columns="metric", values="value", aggfunc="mean")
                .reindex(columns=wanted)
            )
            summary = summary.join(means)
    return summary.reset_index()
