"""Altair charts shared by the HTML report and the Streamlit UI."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart
SIGNIFICANT = "#1b7837"
NOT_SIGNIFICANT = "#878787"
WORSE = "#b2182b"


def case_means(scores: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The unit of analysis: one mean per case × variant × model (repeats averaged)."""
    subset = scores[scores["metric"] == metric].dropna(subset=["value"])
    return subset.groupby(["model", "variant", "case"], as_index=False)["value"].mean()


def mean_ci(values: pd.Series) -> pd.Series:
    """Mean of the values with its 95% t-interval and n (the bars of the report's and the UI's charts)."""
    n = len(values)
    mean = float(values.mean())
    if n < 2:
        return pd.Series({"mean": mean, "low": mean, "high": mean, "n": n})
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return pd.Series({"mean": mean, "low": mean - half, "high": mean + half, "n": n})


def distribution_chart(scores: pd.DataFrame, metric: str, *, width: int = 420) -> AnyChart | None:
    """Per-variant distribution of case means (dots) with the mean and its 95% t-interval."""
    means = case_means(scores, metric)
    if means.empty:
        return None
    summary = means.groupby(["model", "variant"])["value"].apply(mean_ci).unstack().reset_index()
    # One data frame for every layer, so that the layered chart can be faceted by model.
    data = means.merge(summary, on=["model", "variant"])
    base = alt.Chart().encode(y=alt.Y("variant:N", title=None, axis=alt.Axis(labelLimit=260)))
    dots = (
        base.mark_circle(size=28, opacity=0.35)
        .encode(
            x=alt.X("value:Q", title=f"{metric} (case means)"),
            yOffset=alt.YOffset("jitter:Q"),
            tooltip=["case:N", "variant:N", alt.Tooltip("value:Q", format=".2f")],
        )
        .transform_calculate(jitter="(random() - 0.5) * 14")
    )
    interval = base.mark_rule(strokeWidth=3, color="black").encode(
        x="low:Q",
        x2="high:Q",
        tooltip=[alt.Tooltip("mean:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                 alt.Tooltip("high:Q", format=".2f"), "n:Q"],
    )
    centre = base.mark_point(shape="diamond", size=90, filled=True, color="black").encode(x="mean:Q")
    layered = alt.layer(dots, interval, centre, data=data).properties(width=width, height=alt.Step(34))
    if data["model"].nunique() > 1:
        return layered.facet(row=alt.Row("model:N", title=None)).properties(
            title=f"{metric}: case means, mean ± 95% CI"
        )
    return layered.properties(title=f"{metric}: case means, mean ± 95% CI")


def effect_chart(verdicts: pd.DataFrame, *, width: int = 300) -> AnyChart | None:
    """Forest plot: difference vs baseline with its 95% CI, one panel per metric (own scale)."""
    if verdicts.empty:
        return None
    data = verdicts[
        [
            "model",
            "metric",
            "variant",
            "estimate",
            "ci_low",
            "ci_high",
            "significant",
            "direction",
            "p_adjusted",
        ]
    ].copy()
    data["verdict"] = np.where(
        data["significant"], np.where(data["direction"] == "worse", "worse", "significant"), "not significant"
    )
    color = alt.Color(
        "verdict:N",
        scale=alt.Scale(
            domain=["significant", "worse", "not significant"], range=[SIGNIFICANT, WORSE, NOT_SIGNIFICANT]
        ),
        title=None,
    )
    base = alt.Chart().encode(y=alt.Y("variant:N", title=None, axis=alt.Axis(labelLimit=260)))
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title="difference vs baseline"), x2="ci_high:Q", color=color
    )
    point = base.mark_circle(size=70).encode(
        x="estimate:Q",
        color=color,
        tooltip=[
            "variant:N",
            "metric:N",
            alt.Tooltip("estimate:Q", format="+.3f"),
            alt.Tooltip("ci_low:Q", format=".3f"),
            alt.Tooltip("ci_high:Q", format=".3f"),
            alt.Tooltip("p_adjusted:Q", format=".4f"),
        ],
    )
    zero = alt.Chart().mark_rule(strokeDash=[4, 3], color="#555").encode(x=alt.datum(0))
    return (
        alt.layer(zero, rule, point, data=data)
        .properties(width=width, height=alt.Step(26))
        .facet(facet=alt.Facet("metric:N", title=None), columns=2)
        .resolve_scale(x="independent")
        .configure_axisY(labelLimit=260)
        .configure_legend(labelLimit=200)
    )


def impact_ratio_chart(audit: pd.DataFrame, *, width: int = 420) -> AnyChart | None:
    """Impact ratio per group with its CI and the four-fifths line."""
    if audit.empty or "impact_ratio" not in audit.columns:
        return None
    data = audit.dropna(subset=["impact_ratio"]).copy()
    if data.empty:
        return None
    flags = ["red", "orange", "green", "inconclusive", "reference"]
    palette = ["#d7301f", "#fc8d59", "#1a9850", "#878787", "#4575b4"]
    base = alt.Chart().encode(y=alt.Y("group:N", title=None))
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ratio_ci_low:Q", title="impact ratio", scale=alt.Scale(domain=[0, 1.3])), x2="ratio_ci_high:Q"
    )
    point = base.mark_circle(size=90).encode(
        x="impact_ratio:Q",
        color=alt.Color("flag:N", scale=alt.Scale(domain=flags, range=palette)),
        tooltip=["group:N", alt.Tooltip("impact_ratio:Q", format=".2f"), "flag:N"],
    )
    threshold = alt.Chart().mark_rule(strokeDash=[5, 3], color="#d7301f").encode(x=alt.datum(0.8))
    chart = alt.layer(threshold, rule, point, data=data).properties(width=width, height=alt.Step(30))
    facets = [c for c in ("variant", "metric") if c in data.columns and data[c].nunique() > 1]
    if facets:
        return chart.facet(row=alt.Row(facets[0] + ":N", title=None))
    return chart
