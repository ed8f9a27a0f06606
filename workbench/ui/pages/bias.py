"""Bias: coded-wording lint rates and the name-swap audit (impact ratios, flags, plain explanations)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from workbench.report.charts import impact_ratio_chart
from workbench.run_analysis import RunAnalysis
from workbench.ui.analysis import start_analysis
from workbench.ui.components import FLAG_BADGES, FLAG_COLOURS, colour_column, num, pct, stats_help
from workbench.ui.i18n import bias_explanation, group_label, metric_label, t
from workbench.ui.queries import RunHeader
from workbench.ui.run_view import analysed_run_page


def lint_section(result: RunAnalysis) -> None:
    st.subheader(t("lint_title"))
    st.caption(t("lint_caption"))
    rates = result.lint_rates
    if rates.empty:
        st.info(t("no_lints"))
        return
    table = pd.DataFrame({
        t("col_model"): rates["model"],
        t("col_variant"): rates["variant"],
        t("col_lint"): rates["metric"].map(metric_label),
        t("col_rate"): rates["rate"],
        t("col_ci"): [f"{pct(lo)} … {pct(hi)}" for lo, hi in zip(rates["ci_low"], rates["ci_high"], strict=True)],
        t("col_outputs"): rates["n_outputs"],
    })
    if rates["model"].nunique() == 1:
        table = table.drop(columns=[t("col_model")])
    st.dataframe(table, hide_index=True, column_config={
        t("col_rate"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
    })
    chart_data = rates.assign(lint=rates["metric"].map(metric_label))
    base = alt.Chart(chart_data).encode(
        y=alt.Y("variant:N", title=None), color=alt.Color("variant:N", legend=None),
    )
    bars = base.mark_bar(opacity=0.75).encode(x=alt.X("rate:Q", title=t("col_rate"), axis=alt.Axis(format="%")))
    ci = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
    chart = alt.layer(bars, ci).properties(width=260, height=alt.Step(22)).facet(
        facet=alt.Facet("lint:N", title=None), columns=2)
    st.altair_chart(chart)


def swap_section(result: RunAnalysis, header: RunHeader) -> None:
    st.subheader(t("swap_title"))
    st.caption(t("swap_caption"))
    if header.spec.swap is None:
        st.info(t("no_swap"))
        return
    if result.bias is None or result.bias.to_frame().empty:
        st.info(t("no_swap_results"))
        return
    frame = result.bias.to_frame()
    overall_box(result.bias.flag, frame)
    worst = result.bias.worst
    if worst is not None:
        st.caption(t("overall_source", variant=worst[0].variant, outcome=metric_label(worst[0].metric),
                     group=group_label(worst[1].group), reference=group_label(worst[1].reference)))
    table = pd.DataFrame({
        t("col_flag"): frame["flag"].map(lambda f: t(f"flag_{f}")),
        t("col_model"): frame["model"],
        t("col_variant"): frame["variant"],
        t("col_outcome"): frame["metric"].map(metric_label),
        t("col_group"): frame["group"].map(group_label),
        t("col_reference"): frame["reference"].map(group_label),
        t("col_selection"): [f"{pct(r)} vs {pct(ref)}" for r, ref in zip(frame["rate"], frame["reference_rate"],
                                                                         strict=True)],
        t("col_impact_ratio"): [
            f"{num(ir)} ({num(lo)} … {num(hi)})" for ir, lo, hi in
            zip(frame["impact_ratio"], frame["impact_ratio_ci_low"], frame["impact_ratio_ci_high"], strict=True)
        ],
        t("col_p_adj"): frame["p_adjusted"].map(lambda p: num(p, ".3f")),
    })
    # Columns that say the same on every row only take room.
    for key, column in (("col_model", "model"), ("col_outcome", "metric")):
        if frame[column].nunique() == 1:
            table = table.drop(columns=[t(key)])
    colours = {t(f"flag_{flag}"): colour for flag, colour in FLAG_COLOURS.items()}
    widths = {"col_flag": 95, "col_variant": 200, "col_group": 175, "col_reference": 175, "col_selection": 125,
              "col_impact_ratio": 135, "col_p_adj": 70}
    st.dataframe(colour_column(table, t("col_flag"), colours), hide_index=True,
                 column_config={t(key): st.column_config.Column(width=w) for key, w in widths.items()})
    st.markdown(f"**{t('col_explanation')}**")
    order = {"red": 0, "orange": 1, "inconclusive": 2, "green": 3}
    for row in sorted(frame.to_dict(orient="records"), key=lambda r: order.get(str(r["flag"]), 9)):
        flag = str(row["flag"])
        badge = f":{FLAG_BADGES.get(flag, 'gray')}-badge[{t('flag_' + flag)}]"
        st.markdown(f"{badge} **{row['variant']}** — {bias_explanation(row)}")
    chart = impact_ratio_chart(frame.rename(columns={"impact_ratio_ci_low": "ratio_ci_low",
                                                     "impact_ratio_ci_high": "ratio_ci_high"}))
    if chart is not None:
        st.markdown(f"**{t('impact_chart_title')}**")
        st.altair_chart(chart)
    with st.expander(t("technical_details")):
        for sentence in result.bias.sentences():
            st.markdown(f"- {sentence}")
    st.caption(t("legal_label"))
    stats_help()


def overall_box(flag: str, frame: pd.DataFrame) -> None:
    """The audit's worst flag as a coloured box with one plain sentence, then the count per flag."""
    box = {"red": st.error, "orange": st.warning, "green": st.success}.get(flag, st.info)
    box(f"**{t('overall_flag')}: {t('flag_' + flag)}** — {t('overall_' + flag)}", icon=":material/flag:")
    counts = frame["flag"].value_counts()
    st.markdown(" ".join(f":{FLAG_BADGES[f]}-badge[{t('flag_' + f)}: {int(counts.get(f, 0))}]"
                         for f in ("red", "orange", "green", "inconclusive")))


def render() -> None:
    page = analysed_run_page("bias_title")
    if page is None:
        return
    url, header, result = page
    if result is None:
        start_analysis(url, header)
        return
    if result.info.outputs != header.outputs:
        st.caption(t("verdicts_stale", n=result.info.outputs, m=header.outputs))
    lint_section(result)
    swap_section(result, header)


if __name__ == "__main__":
    render()
