"""Altair charts of the UI pages, in the UI language and the verdict table's colours.

Unlike the report's charts (`workbench.report.charts`, fixed-size SVGs), these fill the page width,
draw one small chart per measure (own axis, cropped to the data, no overlapping facet labels), show
yes/no measures in percentage points, label every axis and legend in words, and format numbers the
way the UI language writes them. Confidence intervals are drawn in the theme's text colour (black on
the light theme); points carry a shape as well as a colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import altair as alt
import numpy as np
import pandas as pd

from workbench.report.charts import mean_ci
from workbench.ui.palette import FLAG_COLOURS, VERDICT_COLOURS

SHAPES = {"better": "triangle-up", "worse": "triangle-down", "higher": "diamond", "lower": "diamond",
          "possible_harm": "square", "equivalent": "cross", "non_inferior": "cross", "not_significant": "circle"}
FLAG_SHAPES = {"red": "cross", "orange": "triangle-up", "green": "circle", "inconclusive": "square",
               "reference": "diamond"}
NL_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}
ROW_STEP = 30


def _locale(chart: alt.LayerChart | alt.FacetChart, lang: str) -> alt.LayerChart:
    """Dutch decimal commas and thousands points on the axes when the UI is Dutch."""
    assert isinstance(chart, alt.LayerChart)
    return chart.configure(locale=alt.Locale(number=NL_LOCALE)) if lang == "nl" else chart


def _padded(low: float, high: float, include_zero: bool = True) -> list[float]:
    """An axis cropped to the data (and 0, the line of no difference), with a little room either side."""
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or max(abs(high), 1.0)
    return [low - 0.06 * span, high + 0.06 * span]


def verdict_category(row: Mapping[str, object]) -> str:
    """The palette key of a verdict row: better / worse / higher / lower (significant), possible_harm,
    equivalent / non_inferior (margin tests) or not_significant."""
    if row.get("descriptive_only"):
        return "not_significant"
    if row.get("significant") and row.get("direction") in SHAPES:
        return str(row["direction"])
    outcome = str(row.get("outcome", ""))
    return outcome if outcome in ("possible_harm", "equivalent", "non_inferior") else "not_significant"


def effect_chart(group: pd.DataFrame, *, title: str, unit: str, names: Mapping[str, str], labels: Mapping[str, str],
                 text_colour: str, lang: str) -> alt.LayerChart:
    """Forest plot of one measure: each variant's difference from the baseline with its 95% CI.

    `group` holds the verdict rows of one metric (several models: one row per model × variant);
    `names` maps row index -> the label on the y axis; `labels` maps verdict category -> legend text.
    """
    scale = 100.0 if (group["kind"] == "binary").all() else 1.0
    data = pd.DataFrame({
        "name": [names[i] for i in group.index],
        "estimate": group["estimate"].astype(float) * scale,
        "low": group["ci_low"].astype(float) * scale,
        "high": group["ci_high"].astype(float) * scale,
        "category": [verdict_category(r) for r in group.to_dict(orient="records")],
    })
    data["verdict"] = data["category"].map(labels)
    present = [c for c in SHAPES if c in set(data["category"])]
    lows = data["low"].fillna(data["estimate"])
    highs = data["high"].fillna(data["estimate"])
    x_scale = alt.Scale(domain=_padded(float(lows.min()), float(highs.max())), nice=False, zero=False)
    interval, point = _interval_and_point(
        data, columns=("estimate", "low", "high"), legend="verdict", axis=unit, x_scale=x_scale,
        legend_items=[(labels[c], VERDICT_COLOURS[c], SHAPES[c]) for c in present], label_limit=320,
        estimate_format="+.2f", text_colour=text_colour)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 3], color=text_colour, opacity=0.6) \
        .encode(x="x:Q")
    chart = alt.layer(zero, interval, point).properties(title=title, width="container", height=alt.Step(ROW_STEP))
    return _locale(chart, lang)


def distribution_chart(means: pd.DataFrame, *, title: str, axis: str, binary: bool, text_colour: str, lang: str,
                       variant_label: Callable[[str], str] = str) -> alt.LayerChart | None:
    """Case means of one measure per variant (dots), with the mean (diamond) and its 95% CI (black rule).

    Yes/no measures are shown as each case's share in percent (0-100).
    """
    data = means.dropna(subset=["value"]).copy()
    if data.empty:
        return None
    if binary:
        data["value"] = data["value"] * 100.0
    data["name"] = data["variant"].map(variant_label)
    if data["model"].nunique() > 1:
        data["name"] = data["name"] + " · " + data["model"].astype(str)
    summary = data.groupby("name")["value"].apply(mean_ci).unstack().reset_index()
    x_scale = alt.Scale(domain=_padded(float(min(data["value"].min(), summary["low"].min())),
                                       float(max(data["value"].max(), summary["high"].max())), include_zero=False),
                        nice=False, zero=False)
    y = alt.Y("name:N", title=None, axis=alt.Axis(labelLimit=320))
    dots = alt.Chart(data).mark_circle(size=30, opacity=0.45, color=VERDICT_COLOURS["higher"]).encode(
        x=alt.X("value:Q", title=axis, scale=x_scale), y=y, yOffset=alt.YOffset("jitter:Q"),
        tooltip=[alt.Tooltip("case:N"), alt.Tooltip("value:Q", format=".1f", title=axis)],
    ).transform_calculate(jitter="(random() - 0.5) * 14")
    interval = alt.Chart(summary).mark_rule(strokeWidth=3, color=text_colour).encode(x="low:Q", x2="high:Q", y=y)
    centre = alt.Chart(summary).mark_point(shape="diamond", size=110, filled=True, color=text_colour, opacity=1) \
        .encode(x="mean:Q", y=y, tooltip=[alt.Tooltip("mean:Q", format=".2f", title=axis)])
    chart = alt.layer(dots, interval, centre).properties(title=title, width="container", height=alt.Step(40))
    return _locale(chart, lang)


def _interval_and_point(data: pd.DataFrame, *, columns: tuple[str, str, str], legend: str, axis: str,
                        x_scale: alt.Scale, legend_items: list[tuple[str, str, str]], label_limit: int,
                        estimate_format: str, text_colour: str) -> tuple[alt.Chart, alt.Chart]:
    """The two layers of a forest plot, one row per `name`: the CI as a line in the text colour and the
    estimate as a point whose colour and shape (never colour alone) follow the `legend` column.

    `columns` names the estimate, CI low and CI high columns; `legend_items` gives (label, colour, shape)
    for each legend entry present, in legend order.
    """
    estimate, low, high = columns
    domain = [label for label, _, _ in legend_items]
    colour = alt.Color(f"{legend}:N", title=None, legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=domain, range=[c for _, c, _ in legend_items]))
    shape = alt.Shape(f"{legend}:N", title=None, scale=alt.Scale(domain=domain, range=[m for _, _, m in legend_items]))
    base = alt.Chart(data).encode(y=alt.Y("name:N", title=None, sort=None, axis=alt.Axis(labelLimit=label_limit)))
    interval = base.mark_rule(color=text_colour, strokeWidth=2).encode(
        x=alt.X(f"{low}:Q", title=axis, scale=x_scale), x2=f"{high}:Q")
    point = base.mark_point(filled=True, size=110, opacity=1).encode(
        x=f"{estimate}:Q", color=colour, shape=shape,
        tooltip=[alt.Tooltip("name:N", title=""), alt.Tooltip(f"{legend}:N", title=""),
                 alt.Tooltip(f"{estimate}:Q", format=estimate_format, title=axis)])
    return interval, point


def impact_ratio_chart(frame: pd.DataFrame, *, title: str, axis: str, flag_labels: Mapping[str, str],
                       text_colour: str, lang: str) -> alt.LayerChart | None:
    """Impact ratio of each group against the reference with its CI; the four-fifths line dashed.

    `frame` has one row per comparison with `name` (the y label), `flag`, `impact_ratio` and its CI.
    """
    data = frame.dropna(subset=["impact_ratio"]).copy()
    if data.empty:
        return None
    data["flag_text"] = data["flag"].map(flag_labels)
    present = [f for f in FLAG_COLOURS if f in set(data["flag"])]
    low = float(np.nanmin([data["impact_ratio_ci_low"].min(), data["impact_ratio"].min(), 0.8]))
    high = float(np.nanmax([data["impact_ratio_ci_high"].max(), data["impact_ratio"].max(), 1.0]))
    x_scale = alt.Scale(domain=_padded(low, high, include_zero=False), nice=False, zero=False)
    interval, point = _interval_and_point(
        data, columns=("impact_ratio", "impact_ratio_ci_low", "impact_ratio_ci_high"), legend="flag_text",
        axis=axis, x_scale=x_scale, legend_items=[(flag_labels[f], FLAG_COLOURS[f], FLAG_SHAPES[f]) for f in present],
        label_limit=360, estimate_format=".2f", text_colour=text_colour)
    four_fifths = alt.Chart(pd.DataFrame({"x": [0.8]})).mark_rule(color=text_colour, strokeDash=[5, 3]).encode(x="x:Q")
    parity = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color=text_colour, opacity=0.5).encode(x="x:Q")
    chart = alt.layer(four_fifths, parity, interval, point).properties(title=title, width="container",
                                                                       height=alt.Step(ROW_STEP))
    return _locale(chart, lang)


def rate_chart(rows: pd.DataFrame, *, title: str, axis: str, text_colour: str, lang: str) -> alt.LayerChart:
    """Share of outputs flagged by one check, per variant (`name`), as bars with a 95% CI."""
    data = rows.assign(rate=rows["rate"] * 100.0, low=rows["ci_low"] * 100.0, high=rows["ci_high"] * 100.0)
    high = float(np.nanmax([data["high"].max(), data["rate"].max(), 1.0]))
    x = alt.X("rate:Q", title=f"{axis} (%)", scale=alt.Scale(domain=[0, min(100.0, high * 1.1)], nice=False))
    y = alt.Y("name:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    bars = alt.Chart(data).mark_bar(color=VERDICT_COLOURS["higher"], opacity=0.8).encode(
        x=x, y=y, tooltip=[alt.Tooltip("name:N", title=""), alt.Tooltip("rate:Q", format=".1f", title=axis)])
    interval = alt.Chart(data).mark_rule(color=text_colour, strokeWidth=2).encode(x="low:Q", x2="high:Q", y=y)
    chart = alt.layer(bars, interval).properties(title=title, width="container", height=alt.Step(ROW_STEP))
    return _locale(chart, lang)
