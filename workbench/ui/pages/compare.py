"""Compare: verdicts from the stats engine, charts with CIs, outputs side by side per test case."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from workbench import number_format as nf
from workbench.analysis.decision_summary import Language, decision_sentence, decision_summary, summary_lines
from workbench.analysis.run_results import RunAnalysis
from workbench.bidi import neutralise, neutralise_data
from workbench.scoring.catalogue import is_headline, is_judge_metric, is_text_metric, metric_info, metric_kind
from workbench.scoring.dismissal import span_key
from workbench.scoring.judge import JudgeProvenance
from workbench.store.frames import RunHeader, metric_names
from workbench.store.queries import (
    CaseOutput,
    case_data,
    case_means,
    case_outputs,
    flag_metric_names,
    run_cases,
    swap_names,
)
from workbench.ui.charts import distribution_chart, effect_chart, verdict_category
from workbench.ui.components import chart_text_colour, colour_column, legend, output_card, stats_help, tooltip
from workbench.ui.flag_panel import WHO_KEY, dismissed_spans, flag_panel
from workbench.ui.i18n import flag_name, lang, lower_first, metric_help, metric_label, t, verdict_label
from workbench.ui.navigation import PageInfo
from workbench.ui.palette import VERDICT_COLOURS, VERDICT_SYMBOLS
from workbench.ui.run_view import analysed_run_page, translated_warnings
from workbench.ui.sentences import correction_name, verdict_sentence
from workbench.ui.state import query, remembered_text_input
from workbench.ui.verdict_cache import start_analysis
from workbench.ui.versions_panel import versions_panel

PAGE = PageInfo("results", 20, ":material/compare:", "Compare", "Vergelijken")

CARDS_PER_ROW = 3
CHARTS_PER_ROW = 2


@st.cache_data(show_spinner=False, max_entries=64)
def _case_means(url: str, run_id: int, metric: str, version: tuple[int, int, str], exclude_truncated: bool
                ) -> pd.DataFrame:
    del url, version  # cache key only
    return query(case_means, run_id, metric, exclude_truncated=exclude_truncated)


@st.cache_data(show_spinner=False, max_entries=16)
def _metrics(url: str, run_id: int, version: tuple[int, int, str]) -> list[str]:
    del url, version
    return query(metric_names, run_id)


def importance_order(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Significant verdicts first, then by standardised effect size (largest first)."""
    size = verdicts["d_z"].abs() if "d_z" in verdicts.columns else verdicts["estimate"].abs()
    order = pd.DataFrame({"ns": ~verdicts["significant"].astype(bool), "size": -size.fillna(0.0)})
    return verdicts.loc[order.sort_values(["ns", "size"], kind="stable").index]


def verdict_word(row: Mapping[str, Any]) -> str:
    """Symbol and word ("▲ better"): the verdict never relies on the cell colour alone."""
    return f"{VERDICT_SYMBOLS[verdict_category(row)]} {verdict_label(row)}"


def verdict_table(verdicts: pd.DataFrame, several_models: bool, judge: JudgeProvenance | None = None
                  ) -> pd.DataFrame:
    """The headline verdicts in plain columns, most important first (binary measures as % and pp); judge
    metrics name their judge."""
    code = lang()
    rows = []
    for v in importance_order(verdicts).to_dict(orient="records"):
        binary = v["kind"] == "binary"
        scale, unit = (100.0, " pp") if binary else (1.0, "")
        digits = 1 if binary else 2
        mean_unit = "%" if binary else ""
        difference = nf.number(v["estimate"] * scale, digits, signed=True, lang=code) + unit
        low = nf.number(_scaled(v["ci_low"], scale), digits, signed=True, lang=code)
        high = nf.number(_scaled(v["ci_high"], scale), digits, signed=True, lang=code)
        rows.append({
            t("col_metric"): metric_label(str(v["metric"]), judge),
            t("col_variant"): f"{v['variant']} · {v['model']}" if several_models else v["variant"],
            t("col_verdict"): verdict_word(v),
            t("col_difference_ci"): f"{difference} ({low} … {high})",
            t("col_p_adj"): nf.p_value(v["p_adjusted"], code),
            t("col_family"): t(f"family_{v.get('family', 'primary')}"),
            t("col_means"): f"{nf.number(v['baseline_mean'] * scale, digits, lang=code)}{mean_unit} → "
                            f"{nf.number(v['variant_mean'] * scale, digits, lang=code)}{mean_unit}",
            t("col_n"): f"{nf.count(v['n_cases'], code)} × {nf.count(v['n_repeats'], code)}",
        })
    return pd.DataFrame(rows)


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None or pd.isna(value) else float(value) * scale


def verdict_colours(verdicts: pd.DataFrame) -> dict[str, str]:
    """Cell text of each verdict -> its colour (the charts use the same palette); no colour when not significant."""
    colours = {}
    for row in verdicts.to_dict(orient="records"):
        category = verdict_category(row)
        if category != "not_significant":
            colours[verdict_word(row)] = VERDICT_COLOURS[category]
    return colours


RECOMMENDATION_BOX = {"adopt": st.success, "reject": st.error, "promising": st.warning}
RECOMMENDATION_ICON = {"adopt": ":material/thumb_up:", "reject": ":material/thumb_down:",
                       "promising": ":material/warning:"}


def decision_section(result: RunAnalysis) -> None:
    """The decision per variant against the baseline (the same structure the report and terminal show)."""
    if result.analysis is None or not result.analysis.verdicts:
        return
    summary = decision_summary(result.analysis, simulated=result.info.simulated)
    code: Language = "nl" if lang() == "nl" else "en"

    def label(metric: str) -> str:
        return lower_first(metric_label(metric))

    lines = summary_lines(summary, lang=code, label=label)
    st.subheader(t("decision_title"))
    st.caption(lines[0])
    several = len(summary.models) > 1
    for decision in summary.decisions:
        box = RECOMMENDATION_BOX.get(decision.recommendation, st.info)
        box(decision_sentence(decision, code, label, show_model=several),
            icon=RECOMMENDATION_ICON.get(decision.recommendation, ":material/info:"))


def verdict_section(result: RunAnalysis, header: RunHeader) -> None:
    st.subheader(t("verdicts_title"))
    st.caption(t("verdicts_caption", baseline=header.baseline, alpha=header.spec.alpha,
                 correction=correction_name(header.spec.correction)))
    if result.info.outputs != header.outputs:
        st.caption(t("verdicts_stale", n=result.info.outputs, m=header.outputs))
    # (a sequential run's stop explanation, too: --until-decided)
    for warning in translated_warnings(result.warnings, result.truncation, result.sequential):
        st.warning(warning)
    verdicts = result.headline_verdicts()
    if verdicts.empty:
        st.info(t("no_verdicts"))
        return
    judge = result.info.judge
    table = verdict_table(verdicts, len(header.models) > 1, judge)
    # Widths that fit every column on a 1400 px wide window (with the sidebar open).
    widths = {"col_metric": (170, ""), "col_variant": (140, ""), "col_verdict": (185, "help_verdict"),
              "col_difference_ci": (160, "help_ci"), "col_p_adj": (64, "help_p_adj"),
              "col_family": (84, "help_family"), "col_means": (112, "help_means"), "col_n": (72, "help_cases")}
    config = {t(key): st.column_config.TextColumn(width=width, help=t(tip) if tip else None)
              for key, (width, tip) in widths.items()}
    st.dataframe(colour_column(table, t("col_verdict"), verdict_colours(verdicts)), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(table), 640),  # every verdict visible without scrolling
                 column_config=config)
    if judge is not None and verdicts["metric"].map(is_judge_metric).any():
        st.caption(t("judged_by", model=judge.model + (" (SIMULATED)" if judge.simulated else "")))
    analysis = result.analysis
    shown = [v for v in analysis.verdicts if is_headline(v.metric)] if analysis else []
    significant = [v for v in shown if v.significant]
    if significant:
        with st.expander(t("verdict_sentences", n=len(significant)), expanded=len(significant) <= 8):
            for verdict in significant:
                st.markdown(f"- {verdict_sentence(verdict)}")
    effect_charts(verdicts, several_models=len(header.models) > 1)
    stats_help()


def effect_charts(verdicts: pd.DataFrame, *, several_models: bool) -> None:
    """One forest plot per measure, two per row, the full page width."""
    st.markdown(f"**{t('effect_chart_title')}**")
    labels = {c: t(f"legend_{c}") for c in VERDICT_COLOURS}
    metrics = list(dict.fromkeys(importance_order(verdicts)["metric"]))
    colour = chart_text_colour()
    for start in range(0, len(metrics), CHARTS_PER_ROW):
        cols = st.columns(CHARTS_PER_ROW)
        for col, metric in zip(cols, metrics[start:start + CHARTS_PER_ROW], strict=False):
            group = verdicts[verdicts["metric"] == metric]
            binary = (group["kind"] == "binary").all()
            names = {i: (f"{r['variant']} · {r['model']}" if several_models else str(r["variant"]))
                     for i, r in group.iterrows()}
            rows = group[[c for c in _CHART_COLUMNS if c in group.columns]]
            spec = _effect_spec(rows, title=metric_label(str(metric)), unit=t("axis_pp" if binary else "axis_diff"),
                                names=names, labels=labels, text_colour=colour, lang=lang())
            col.vega_lite_chart(spec=spec, width="stretch")


# What a forest plot reads from the verdict rows (hashing only these keeps the cache lookup cheap).
_CHART_COLUMNS = ("kind", "estimate", "ci_low", "ci_high", "descriptive_only", "significant", "direction", "outcome")


@st.cache_data(show_spinner=False, max_entries=512)
def _effect_spec(group: pd.DataFrame, *, title: str, unit: str, names: Mapping[str, str], labels: Mapping[str, str],
                 text_colour: str, lang: str) -> dict[str, Any]:
    """The forest plot's Vega-Lite spec, built once per verdicts and language: building and validating
    20 Altair charts took ~2 s of every Compare rerun on a 100,000-output run (same spec as before)."""
    chart = effect_chart(group, title=title, unit=unit, names=names, labels=labels, text_colour=text_colour, lang=lang)
    return chart.to_dict(validate=False)  # the schema check (~40 % of it) belongs in tests, not every page view


def distribution_means(url: str, header: RunHeader, result: RunAnalysis | None, metric: str, exclude: bool
                       ) -> pd.DataFrame:
    """The chart's case means: from the run's analysis (computed when the run ended), else one query."""
    if result is not None and not result.case_means.empty:
        means = result.case_means[result.case_means["metric"] == metric]
        if not means.empty:
            return means
    return _case_means(url, header.run_id, metric, header.version, exclude)


def distribution_section(url: str, header: RunHeader, result: RunAnalysis | None) -> None:
    headline = [m for m in _metrics(url, header.run_id, header.version) if is_headline(m)]
    # Numeric measures first: a 0/1 flag's case means make a less telling picture.
    metrics = sorted(headline, key=lambda m: (metric_kind(m) == "binary", m != "readability", m))
    if not metrics:
        return
    st.subheader(t("distribution_title"))
    labels = {m: metric_label(m) for m in metrics}  # bound now: format_func may run outside this script run
    metric = st.selectbox(t("metric"), metrics, format_func=labels.__getitem__, key="cmp_metric")
    binary = metric_kind(metric) == "binary"
    exclude = header.spec.truncated_outputs == "exclude" and is_text_metric(metric)
    chart = distribution_chart(distribution_means(url, header, result, metric, exclude), title=labels[metric],
                               axis=t("axis_case_share" if binary else "axis_case_mean"), binary=binary,
                               text_colour=chart_text_colour(), lang=lang())
    if chart is None:
        st.info(t("no_scores_metric"))
    else:
        st.caption(t("distribution_caption"))
        st.altair_chart(chart, width="stretch")


def _step_case(cases: list[int], delta: int) -> None:
    current = st.session_state.get("cmp_case")
    index = cases.index(current) if current in cases else 0
    st.session_state["cmp_case"] = cases[(index + delta) % len(cases)]


def score_list(out: CaseOutput, baseline: CaseOutput | None) -> str:
    """The text's headline scores, each with its difference to the baseline's text and a plain tooltip."""
    code = lang()
    items = []
    for metric in sorted(m for m in out.scores if is_headline(m) or metric_info(m).card):
        value = out.scores[metric]
        binary = metric_kind(metric) == "binary"
        shown = t("yes") if binary and value else t("no") if binary else nf.number(value, _digits(value), lang=code)
        delta = ""
        if baseline is not None and baseline is not out and metric in baseline.scores:
            base = baseline.scores[metric]
            if binary and base != value:
                delta = t("baseline_value", value=t("yes") if base else t("no"))
            elif not binary:
                delta = t("vs_baseline", delta=nf.number(value - base, _digits(value - base), signed=True, lang=code))
        label = tooltip(metric_label(metric), metric_help(metric))
        items.append(f'<li>{label}: <b>{html.escape(shown)}</b> <span class="wb-delta">{html.escape(delta)}</span>'
                     "</li>")
    return f'<ul class="wb-scores">{"".join(items)}</ul>' if items else ""


def _digits(value: float) -> int:
    return 0 if float(value).is_integer() else 1 if abs(value) >= 10 else 2


def outputs_section(url: str, header: RunHeader) -> None:
    st.subheader(t("side_by_side_title"))
    flags = flag_metric_names(_metrics(url, header.run_id, header.version))
    cols = st.columns([2, 2, 2, 1])
    model = cols[0].selectbox(t("filter_model"), header.models, key="cmp_model")
    flag_names = {f: flag_name(metric) for f, metric in flags.items()} | {"": t("flag_any")}
    flag = cols[1].selectbox(t("filter_flag"), ["", *flags], key="cmp_flag", format_func=flag_names.__getitem__)
    search = cols[2].text_input(t("filter_case"), key="cmp_search", placeholder=t("filter_case_placeholder"))
    repeat = cols[3].number_input(t("repeat"), min_value=1, max_value=max(header.spec.repeats, 1), step=1,
                                  key="cmp_repeat", help=t("repeat_help"))
    cases = query(run_cases, header.run_id, model=model, flag_metric=flags.get(flag) if flag else None,
                  search=search.strip())
    if cases.empty:
        st.info(t("no_cases_match"))
        return
    ids = cases["case_id"].astype(int).tolist()
    labels = {int(r.case_id): neutralise(f"{r.case} · {r.title}" if r.title else str(r.case))
              for r in cases.itertuples()}
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
        st.json(neutralise_data(query(case_data, case_id)), expanded=True)
    outputs = query(case_outputs, header.run_id, case_id, model=model, repeat=int(repeat) - 1, swap_name=name)
    if not outputs:
        st.info(t("no_outputs_case"))
        return
    legend()
    baseline = next((o for o in outputs if o.variant == header.baseline), None)
    remembered_text_input(t("rater_name"), WHO_KEY, placeholder=t("rater_placeholder"), width=320)
    dismissed = dismissed_spans([out.output_id for out in outputs])
    for start in range(0, len(outputs), CARDS_PER_ROW):
        row = st.columns(CARDS_PER_ROW)
        for col, out in zip(row, outputs[start:start + CARDS_PER_ROW], strict=False):
            with col:
                output_card_for(out, baseline, flags, header, dismissed.get(out.output_id, {}))


def output_card_for(out: CaseOutput, baseline: CaseOutput | None, flags: dict[str, str], header: RunHeader,
                    gone: Any) -> None:
    """One output with its scores against the baseline text; dismissed flags are not highlighted."""
    title = out.variant + (f" ({t('baseline')})" if out.variant == header.baseline else "")
    flagged = [flag_name(metric) for metric in flags.values() if out.flags.get(metric, 0) > 0]
    meta = f"{out.model} · {t('repeat')} {out.repeat + 1}" + (f" · {out.swap_name}" if out.swap_name else "")
    meta += f" · {nf.count(len(out.text.split()), lang())} {t('words')}"
    if flagged:
        meta += " · ⚑ " + ", ".join(flagged)
    if out.truncated:
        meta += f" · ✂ {t('cut_off')}"
    ok = out.status == "ok"
    shown = [m for m in out.matches if span_key(m) not in gone]
    output_card(title, out.text, shown, simulated=out.simulated, meta=meta,
                error=None if ok else out.error, extra_html=score_list(out, baseline) if ok else "")
    flag_panel(out.output_id, out.matches, gone)


def render() -> None:
    page = analysed_run_page("compare_title")
    if page is None:
        return
    url, header, result = page
    versions_panel(header.run_id)
    if result is not None:
        decision_section(result)
        verdict_section(result, header)
    distribution_section(url, header, result)
    outputs_section(url, header)
    start_analysis(url, header)  # missing or outdated: computed from now, after the page is drawn


if __name__ == "__main__":
    render()

