"""Compare: verdicts from the stats engine, charts with CIs, outputs side by side per test case."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.report.charts import distribution_chart, effect_chart
from workbench.run_analysis import RunAnalysis, is_headline
from workbench.scoring.dismissal import span_key
from workbench.scoring.judge import JudgeProvenance
from workbench.scoring.registry import is_text_metric, metric_kind
from workbench.ui.analysis import start_analysis
from workbench.ui.components import colour_column, legend, num, output_card, stats_help
from workbench.ui.flag_panel import WHO_KEY, dismissed_spans, flag_panel
from workbench.ui.i18n import metric_label, t, verdict_label, verdict_sentence
from workbench.ui.queries import (
    RunHeader,
    case_data,
    case_means,
    case_outputs,
    flag_metric_names,
    metric_names,
    run_cases,
    swap_names,
)
from workbench.ui.run_view import analysed_run_page
from workbench.ui.state import query

VERDICT_COLOURS = {"better": "#1b7837", "worse": "#b2182b", "higher": "#2166ac", "lower": "#2166ac"}
CARDS_PER_ROW = 3


@st.cache_data(show_spinner=False, max_entries=64)
def _case_means(url: str, run_id: int, metric: str, version: tuple[int, int, int, str], exclude_truncated: bool
                ) -> pd.DataFrame:
    del url, version  # cache key only
    return query(case_means, run_id, metric, exclude_truncated=exclude_truncated)


@st.cache_data(show_spinner=False, max_entries=16)
def _metrics(url: str, run_id: int, version: tuple[int, int, int, str]) -> list[str]:
    del url, version
    return query(metric_names, run_id)


def verdict_table(verdicts: pd.DataFrame, several_models: bool, judge: JudgeProvenance | None = None
                  ) -> pd.DataFrame:
    """The headline verdicts in plain columns, verdict first (binary measures as % and pp); judge metrics
    name their judge."""
    rows = []
    for _, v in verdicts.iterrows():
        binary = v["kind"] == "binary"
        scale, unit, mean_spec = (100.0, " pp", ".1f") if binary else (1.0, "", ".2f")
        mean_unit = "%" if binary else ""
        rows.append({
            t("col_model"): v["model"],
            t("col_metric"): metric_label(str(v["metric"]), judge),
            t("col_variant"): v["variant"],
            t("col_verdict"): verdict_label(v),
            t("col_difference"): num(v["estimate"] * scale, "+.2f") + unit,
            t("col_ci"): f"{num(_scaled(v['ci_low'], scale), '+.2f')} … {num(_scaled(v['ci_high'], scale), '+.2f')}",
            t("col_p_adj"): _p(v["p_adjusted"]),
            t("col_family"): t(f"family_{v.get('family', 'primary')}"),
            t("col_baseline_mean"): num(v["baseline_mean"] * scale, mean_spec) + mean_unit,
            t("col_variant_mean"): num(v["variant_mean"] * scale, mean_spec) + mean_unit,
            t("col_cases"): f"{v['n_cases']}×{v['n_repeats']}",
        })
    frame = pd.DataFrame(rows)
    if not several_models and not frame.empty:
        frame = frame.drop(columns=[t("col_model")])
    return frame


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None or pd.isna(value) else float(value) * scale


def _p(p: float | None) -> str:
    if p is None or pd.isna(p):
        return "–"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}" if p < 0.01 else f"{p:.3f}"


def verdict_section(result: RunAnalysis, header: RunHeader) -> None:
    st.subheader(t("verdicts_title"))
    st.caption(t("verdicts_caption", baseline=header.baseline, alpha=header.spec.alpha,
                 correction=header.spec.correction.upper()))
    if result.info.outputs != header.outputs:
        st.caption(t("verdicts_stale", n=result.info.outputs, m=header.outputs))
    truncation = result.truncation
    for warning in result.warnings:
        if truncation is not None and warning == truncation.sentence():
            key = "truncated_excluded" if truncation.excluded else "truncated_included"
            warning = t(key, count=truncation.count, outputs=truncation.outputs, where=truncation.where)
        st.warning(warning)
    verdicts = result.headline_verdicts()
    if verdicts.empty:
        st.info(t("no_verdicts"))
        return
    judge = result.info.judge
    table = verdict_table(verdicts, len(header.models) > 1, judge)
    colours = {verdict_label({"significant": True, "direction": d, "descriptive_only": False}): c
               for d, c in VERDICT_COLOURS.items()}
    st.dataframe(colour_column(table, t("col_verdict"), colours), hide_index=True,
                 height=min(38 + 35 * len(table), 640),  # every verdict visible without scrolling
                 column_config={t("col_verdict"): st.column_config.TextColumn(width="medium")})
    if judge is not None and verdicts["metric"].astype(str).str.startswith("judge.").any():
        st.caption(t("judged_by", model=judge.model + (" (SIMULATED)" if judge.simulated else "")))
    significant = [v for v in result.analysis.verdicts if v.significant and is_headline(v.metric)] \
        if result.analysis else []
    if significant:
        with st.expander(t("verdict_sentences", n=len(significant)), expanded=len(significant) <= 8):
            for verdict in significant:
                st.markdown(f"- {verdict_sentence(verdict)}")
    chart = effect_chart(verdicts)
    if chart is not None:
        st.markdown(f"**{t('effect_chart_title')}**")
        st.altair_chart(chart)
    stats_help()


def distribution_section(url: str, header: RunHeader) -> None:
    headline = [m for m in _metrics(url, header.run_id, header.version) if is_headline(m)]
    # Numeric measures first: a 0/1 flag's case means make a less telling picture.
    metrics = sorted(headline, key=lambda m: (metric_kind(m) == "binary", m != "readability", m))
    if not metrics:
        return
    st.subheader(t("distribution_title"))
    default = 0
    metric = st.selectbox(t("metric"), metrics, index=default, format_func=metric_label, key="cmp_metric")
    exclude = header.spec.truncated_outputs == "exclude" and is_text_metric(metric)
    chart = distribution_chart(_case_means(url, header.run_id, metric, header.version, exclude), metric)
    if chart is None:
        st.info(t("no_scores_metric"))
    else:
        st.caption(t("distribution_caption"))
        st.altair_chart(chart)


def _step_case(cases: list[int], delta: int) -> None:
    current = st.session_state.get("cmp_case")
    index = cases.index(current) if current in cases else 0
    st.session_state["cmp_case"] = cases[(index + delta) % len(cases)]


def outputs_section(url: str, header: RunHeader) -> None:
    st.subheader(t("side_by_side_title"))
    flags = flag_metric_names(_metrics(url, header.run_id, header.version))
    cols = st.columns([2, 2, 2, 1])
    model = cols[0].selectbox(t("filter_model"), header.models, key="cmp_model")
    flag = cols[1].selectbox(t("filter_flag"), ["", *flags], key="cmp_flag",
                             format_func=lambda f: t("flag_any") if not f else t(f"flagname_{f}"))
    search = cols[2].text_input(t("filter_case"), key="cmp_search", placeholder=t("filter_case_placeholder"))
    repeat = cols[3].number_input(t("repeat"), min_value=0, max_value=max(header.spec.repeats - 1, 0), step=1,
                                  key="cmp_repeat")
    cases = query(run_cases, header.run_id, model=model, flag_metric=flags.get(flag) if flag else None,
                  search=search.strip())
    if cases.empty:
        st.info(t("no_cases_match"))
        return
    ids = cases["case_id"].astype(int).tolist()
    labels = {int(r.case_id): f"{r.case} · {r.title}" if r.title else str(r.case) for r in cases.itertuples()}
    if st.session_state.get("cmp_case") not in labels:
        st.session_state["cmp_case"] = ids[0]
    nav = st.columns([1, 6, 1], vertical_alignment="bottom")
    nav[0].button(t("previous"), on_click=_step_case, args=(ids, -1), width="stretch", icon=":material/arrow_back:")
    case_id = nav[1].selectbox(t("case_n", n=len(ids)), ids, key="cmp_case", format_func=labels.__getitem__)
    nav[2].button(t("next"), on_click=_step_case, args=(ids, 1), width="stretch", icon=":material/arrow_forward:")
    name = None
    if header.spec.swap:
        names = query(swap_names, header.run_id, case_id)
        name = st.selectbox(t("swap_name"), names, key="cmp_name") if names else None
    with st.expander(t("case_data")):
        st.json(query(case_data, case_id), expanded=True)
    outputs = query(case_outputs, header.run_id, case_id, model=model, repeat=int(repeat), swap_name=name)
    if not outputs:
        st.info(t("no_outputs_case"))
        return
    legend()
    st.text_input(t("rater_name"), key=WHO_KEY, placeholder=t("rater_placeholder"), width=320)
    dismissed = dismissed_spans([out.output_id for out in outputs])
    for start in range(0, len(outputs), CARDS_PER_ROW):
        row = st.columns(CARDS_PER_ROW)
        for col, out in zip(row, outputs[start:start + CARDS_PER_ROW], strict=False):
            with col:
                title = out.variant + (f" ({t('baseline')})" if out.variant == header.baseline else "")
                flagged = [t(f"flagname_{k}") for k, metric in flags.items() if out.flags.get(metric, 0) > 0]
                meta = f"{out.model} · {t('repeat')} {out.repeat}" + (f" · {out.swap_name}" if out.swap_name else "")
                meta += f" · {len(out.text.split())} {t('words')}"
                if flagged:
                    meta += " · ⚑ " + ", ".join(flagged)
                if out.truncated:
                    meta += f" · ✂ {t('cut_off')}"
                gone = dismissed.get(out.output_id, {})
                shown = [m for m in out.matches if span_key(m) not in gone]
                output_card(title, out.text, shown, simulated=out.simulated, meta=meta,
                            error=out.error if out.status != "ok" else None)
                flag_panel(out.output_id, out.matches, gone)


def render() -> None:
    page = analysed_run_page("compare_title")
    if page is None:
        return
    url, header, result = page
    if result is not None:
        verdict_section(result, header)
    distribution_section(url, header)
    outputs_section(url, header)
    if result is None:
        start_analysis(url, header)  # after the page is drawn: see run_analysis


if __name__ == "__main__":
    render()
