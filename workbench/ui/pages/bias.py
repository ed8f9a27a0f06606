"""Bias: one sentence per prompt on the name-swap audit, the evidence behind each flag, a name-swap viewer,
and coded wording (lint rates, masculine/feminine-coded words with highlighted examples)."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from workbench import number_format as nf
from workbench.analysis.run_results import RunAnalysis
from workbench.bidi import neutralise
from workbench.scoring.catalogue import metric_info
from workbench.scoring.flag_spans import matches_from_details
from workbench.stats import BiasAudit, BiasAuditUnit
from workbench.store.frames import RunHeader, flagged_examples, metric_names
from workbench.store.queries import CaseOutput, case_means, case_outputs
from workbench.store.swaps import swap_cases, swap_names_by_group
from workbench.ui.charts import impact_ratio_chart, rate_chart
from workbench.ui.components import (
    chart_text_colour,
    colour_column,
    flag_badge,
    flag_text,
    legend,
    output_card,
    stats_help,
)
from workbench.ui.i18n import group_label, lang, metric_label, t
from workbench.ui.navigation import PageInfo
from workbench.ui.palette import FLAG_COLOURS
from workbench.ui.run_view import analysed_run_page
from workbench.ui.sentences import flip_sentence, outcome_phrase, overall_sentence, unit_sentence
from workbench.ui.state import query
from workbench.ui.verdict_cache import start_analysis

PAGE = PageInfo("results", 30, ":material/balance:", "Bias", "Bias")

CHARTS_PER_ROW = 2
EXAMPLES = 2  # highlighted example texts per variant


def lint_section(url: str, result: RunAnalysis, header: RunHeader) -> None:
    st.subheader(t("lint_title"))
    st.caption(t("lint_caption"))
    gendered_wording(url, header)
    rates = result.lint_rates
    if rates.empty:
        st.info(t("no_lints"))
        return
    code = lang()
    table = pd.DataFrame({
        t("col_model"): rates["model"],
        t("col_variant"): rates["variant"],
        t("col_lint"): rates["metric"].map(metric_label),
        t("col_rate"): rates["rate"].map(lambda r: nf.percent(r, 1, lang=code)),
        t("col_ci"): [f"{nf.percent(lo, 1, lang=code)} … {nf.percent(hi, 1, lang=code)}"
                      for lo, hi in zip(rates["ci_low"], rates["ci_high"], strict=True)],
        t("col_outputs"): rates["n_outputs"].map(lambda n: nf.count(n, code)),
    })
    several_models = rates["model"].nunique() > 1
    if not several_models:
        table = table.drop(columns=[t("col_model")])
    st.dataframe(table, hide_index=True, width="stretch")
    metrics = list(dict.fromkeys(rates["metric"]))
    colour = chart_text_colour()
    for start in range(0, len(metrics), CHARTS_PER_ROW):
        cols = st.columns(CHARTS_PER_ROW)
        for col, metric in zip(cols, metrics[start:start + CHARTS_PER_ROW], strict=False):
            group = rates[rates["metric"] == metric].copy()
            group["name"] = group["variant"] + (" · " + group["model"] if several_models else "")
            col.altair_chart(rate_chart(group, title=metric_label(metric), axis=t("col_rate"), text_colour=colour,
                                        lang=code), width="stretch")


@st.cache_data(show_spinner=False, max_entries=32)
def _gender_means(url: str, run_id: int, version: tuple[int, int, str]) -> pd.DataFrame:
    """Masculine- and feminine-coded words per text, per model × variant (means over case means)."""
    del url, version
    metrics = [m for m in query(metric_names, run_id)
               if metric_info(m).scorer == "gender_coded" and metric_info(m).kind == "count"]
    frames = [query(case_means, run_id, m) for m in metrics]
    if not frames:
        return pd.DataFrame()
    means = pd.concat(frames).groupby(["model", "variant", "metric"])["value"].mean().reset_index()
    means["kind"] = means["metric"].str.rsplit(".", n=1).str[-1]
    return means.pivot_table(index=["model", "variant"], columns="kind", values="value").reset_index()


def gendered_wording(url: str, header: RunHeader) -> None:
    """Masculine/feminine-coded words per prompt, with the most-flagged texts highlighted."""
    means = _gender_means(url, header.run_id, header.version)
    if means.empty:
        return
    code = lang()
    st.markdown(f"**{t('gender_title')}**")
    for row in means.to_dict(orient="records"):
        st.markdown(t("gender_sentence", variant=row["variant"],
                      masculine=nf.number(row.get("masculine"), 1, lang=code),
                      feminine=nf.number(row.get("feminine"), 1, lang=code)))
    examples = query(flagged_examples, header.run_id, 40)
    shown: dict[str, int] = {}
    picked = []
    for example in examples:
        if shown.get(example["variant"], 0) < EXAMPLES:
            shown[example["variant"]] = shown.get(example["variant"], 0) + 1
            picked.append(example)
    if not picked:
        return
    with st.expander(t("gender_examples", n=len(picked)), expanded=False):
        legend()
        cols = st.columns(2)
        for i, example in enumerate(picked):
            text = example["text"]
            matches = [m for m in matches_from_details(example["details"])
                       if 0 <= m["start"] < m["end"] <= len(text) and text[m["start"]:m["end"]] == m["text"]]
            with cols[i % 2]:
                output_card(f"{example['variant']} · {t('case')} {example['case']}", text, matches,
                            simulated=example["simulated"], meta=example["model"])


def swap_section(url: str, result: RunAnalysis, header: RunHeader) -> None:
    st.subheader(t("swap_title"))
    st.caption(t("swap_caption"))
    audit = result.bias
    if audit is None or audit.to_frame().empty:
        st.info(t("no_swap_results"))
        return
    frame = audit.to_frame()
    overall_box(audit, header)
    st.markdown(f"**{t('per_prompt_title')}**")
    for unit in sorted(audit.units, key=lambda u: -FLAG_ORDER.get(u.flag, 0)):
        prompt_sentence(unit, audit.alpha, header, several_models=len(header.models) > 1)
    chart_frame = frame.assign(name=[f"{v} · {group_label(g)}" for v, g in zip(frame["variant"], frame["group"],
                                                                               strict=True)])
    chart = impact_ratio_chart(chart_frame, title=t("impact_chart_title"), axis=t("axis_impact_ratio"),
                               flag_labels={f: flag_text(f) for f in FLAG_COLOURS}, text_colour=chart_text_colour(),
                               lang=lang())
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    swap_viewer(url, audit, header)
    with st.expander(t("technical_details")):
        audit_table(frame)
    st.caption(t("legal_label"))


FLAG_ORDER = {"green": 0, "inconclusive": 1, "orange": 2, "red": 3}


def overall_box(audit: BiasAudit, header: RunHeader) -> None:
    """The audit's worst flag, naming the prompt and the group it comes from, then the count per flag."""
    flag = audit.flag
    box = {"red": st.error, "orange": st.warning, "green": st.success}.get(flag, st.info)
    box(f"**{t('overall_flag')}: {flag_text(flag)}** — {overall_sentence(audit, header.spec.task)}",
        icon=":material/flag:")
    counts = audit.to_frame()["flag"].value_counts()
    st.html(" ".join(flag_badge(f, f": {int(counts.get(f, 0))}") for f in ("red", "orange", "green", "inconclusive")))
    st.caption(t("flag_counts_caption"))


def prompt_sentence(unit: BiasAuditUnit, alpha: float, header: RunHeader, *, several_models: bool) -> None:
    """One sentence per prompt: outcome in words, each group against the reference, flag basis, flips."""
    name = html.escape(unit.variant + (f" · {unit.model}" if several_models else ""))
    sentence = html.escape(unit_sentence(unit, header.spec.task, alpha))
    st.html(f'<p class="wb-prompt-bias">{flag_badge(unit.flag)} <b>{name}</b> — {sentence}</p>')
    flips = flip_sentence(unit.flip, alpha)
    if flips:
        st.markdown(f"&nbsp;&nbsp;&nbsp;{t('flip_label')}: {flips}")


def audit_table(frame: pd.DataFrame) -> None:
    code = lang()
    table = pd.DataFrame({
        t("col_flag"): frame["flag"].map(flag_text),
        t("col_model"): frame["model"],
        t("col_variant"): frame["variant"],
        t("col_outcome"): frame["metric"].map(metric_label),
        t("col_group"): frame["group"].map(group_label),
        t("col_reference"): frame["reference"].map(group_label),
        t("col_selection"): [f"{nf.percent(r, 0, lang=code)} / {nf.percent(ref, 0, lang=code)}"
                             for r, ref in zip(frame["rate"], frame["reference_rate"], strict=True)],
        t("col_impact_ratio"): [
            f"{nf.number(ir, lang=code)} ({nf.number(lo, lang=code)} … {nf.number(hi, lang=code)})" for ir, lo, hi in
            zip(frame["impact_ratio"], frame["impact_ratio_ci_low"], frame["impact_ratio_ci_high"], strict=True)
        ],
        t("col_p_adj"): frame["p_adjusted"].map(lambda p: nf.p_value(p, code)),
    })
    for key, column in (("col_model", "model"), ("col_outcome", "metric")):
        if frame[column].nunique() == 1:
            table = table.drop(columns=[t(key)])
    colours = {flag_text(flag): colour for flag, colour in FLAG_COLOURS.items()}
    st.dataframe(colour_column(table, t("col_flag"), colours), hide_index=True, width="stretch")
    st.caption(t("audit_family", n=len(frame)))  # the family of every adjusted p-value above


# -- name-swap viewer ----------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _swap_cases(url: str, run_id: int, variant: str, model: str, metric: str,
                version: tuple[int, int, str]) -> pd.DataFrame:
    del url, version
    return query(swap_cases, run_id, variant, model, metric)


def swap_viewer(url: str, audit: BiasAudit, header: RunHeader) -> None:
    """The same case under two names side by side; filter to the cases where the decision flipped."""
    st.markdown(f"**{t('viewer_title')}**")
    if header.spec.swap is not None and header.spec.swap.mode == "ranking":
        st.caption(t("viewer_ranking"))
        return
    units = sorted(audit.units, key=lambda u: -FLAG_ORDER.get(u.flag, 0))
    labels = {i: f"{u.variant} · {u.model}" if len(header.models) > 1 else u.variant for i, u in enumerate(units)}
    cols = st.columns([2, 2])
    index = cols[0].selectbox(t("field_variant"), list(labels), format_func=labels.__getitem__, key="swap_unit")
    unit = units[index]
    selection = unit.outcome == "selection"
    label = "viewer_only_flipped" if selection else "viewer_largest"
    only = cols[1].toggle(t(label), value=selection, key="swap_flipped", help=t(f"{label}_help"))
    cases = _swap_cases(url, header.run_id, unit.variant, unit.model, unit.metric, header.version)
    if selection and only:
        cases = cases[cases["flipped"]]
    if cases.empty:
        st.info(t("viewer_none"))
        return
    code = lang()
    case_labels = {int(r.case_id): neutralise(str(r.case)) for r in cases.itertuples()}
    st.caption(t("viewer_count", n=len(cases), m=len(_swap_cases(url, header.run_id, unit.variant, unit.model,
                                                                   unit.metric, header.version))))
    row = st.columns([2, 1])
    case_id = row[0].selectbox(t("case"), list(case_labels), format_func=case_labels.__getitem__, key="swap_case")
    repeat = row[1].number_input(t("repeat"), min_value=1, max_value=max(header.spec.repeats, 1), step=1,
                                 key="swap_repeat", help=t("repeat_help"))
    outputs = [o for o in query(case_outputs, header.run_id, int(case_id), model=unit.model, repeat=int(repeat) - 1)
               if o.variant == unit.variant]
    names = query(swap_names_by_group, header.run_id, int(case_id))
    by_name = {o.swap_name: o for o in outputs}
    if len(by_name) < 2:
        st.info(t("viewer_none"))
        return
    first, second = _default_names(unit, by_name, names)
    name_labels = {n: neutralise(f"{n} ({group_label(g)})") for n, g in names.items() if n in by_name}
    pick = st.columns(2)
    left = pick[0].selectbox(t("viewer_name", n=1), list(name_labels), index=list(name_labels).index(first),
                             format_func=name_labels.__getitem__, key=f"swap_left_{case_id}")
    right = pick[1].selectbox(t("viewer_name", n=2), list(name_labels), index=list(name_labels).index(second),
                              format_func=name_labels.__getitem__, key=f"swap_right_{case_id}")
    cards = st.columns(2)
    for col, name in zip(cards, (left, right), strict=True):
        out = by_name[name]
        value = out.scores.get(unit.metric)
        shown = (t("yes") if value else t("no")) if selection and value is not None else nf.number(value, 0, lang=code)
        with col:
            output_card(name_labels[name], out.text, out.matches, simulated=out.simulated,
                        meta=f"{metric_label(unit.metric)}: {shown}", error=out.error if out.status != "ok" else None)
    if left != right:
        a, b = by_name[left].scores.get(unit.metric), by_name[right].scores.get(unit.metric)
        differs = a is not None and b is not None and a != b
        st.caption(t("viewer_differs" if differs else "viewer_same", outcome=outcome_phrase(unit.metric,
                                                                                              header.spec.task)))


def _default_names(unit: BiasAuditUnit, by_name: dict[str, CaseOutput], groups: dict[str, str]) -> tuple[str, str]:
    """A reference-group name and a name of the most affected group, preferring a pair whose outcome differs."""
    worst = max(unit.comparisons, key=lambda c: (FLAG_ORDER.get(c.flag, 0), abs(c.difference)), default=None)
    target = worst.group if worst else None
    refs = [n for n in by_name if groups.get(n) == unit.reference] or list(by_name)
    others = [n for n in by_name if groups.get(n) == target and n not in refs] or [n for n in by_name if n != refs[0]]
    for ref in refs:
        for other in others:
            if by_name[ref].scores.get(unit.metric) != by_name[other].scores.get(unit.metric):
                return ref, other
    return refs[0], others[0]


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
    if header.spec.swap is not None:
        swap_section(url, result, header)
        lint_section(url, result, header)
    else:
        lint_section(url, result, header)
        st.subheader(t("swap_title"))
        st.info(t("no_swap"))
    stats_help()
    start_analysis(url, header)  # an outdated analysis (ratings, dismissals since): the new one, last


if __name__ == "__main__":
    render()
