"""Overview: every run in the store at a glance, with its winner and bias flag; a row opens its run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from workbench import number_format as nf
from workbench.analysis.decision_summary import decision_summary
from workbench.analysis.run_results import RunAnalysis
from workbench.store.queries import list_runs
from workbench.store.records import RunListing
from workbench.ui.components import empty_state, flag_text
from workbench.ui.config import db_url, page_path
from workbench.ui.i18n import lang, t
from workbench.ui.navigation import PageInfo, pages
from workbench.ui.run_view import current_header
from workbench.ui.state import query, select_run
from workbench.ui.verdict_cache import INLINE_LIMIT, run_analysis

PAGE = PageInfo("results", 10, ":material/dashboard:", "Overview", "Overzicht")

TABLE_KEY = "overview_runs"
OPEN_KEY = "_overview_open"
DECIDED_RUNS = 10  # winner and bias for the newest runs only: each needs the run's analysis


def winner_text(result: RunAnalysis) -> str:
    """The decision summary's verdict in a few words: the adopted variant(s), or why there is none."""
    if result.analysis is None or not result.analysis.verdicts:
        return nf.MISSING
    summary = decision_summary(result.analysis, simulated=result.info.simulated)
    several = len(summary.models) > 1

    def name(decision: Any) -> str:
        return f"{decision.variant} · {decision.model}" if several else str(decision.variant)

    adopted = [name(d) for d in summary.decisions if d.recommendation == "adopt"]
    if adopted:
        return "✔ " + ", ".join(adopted)
    promising = [name(d) for d in summary.decisions if d.recommendation == "promising"]
    if promising:
        return t("winner_promising", variants=", ".join(promising))
    if summary.decisions and all(d.recommendation == "reject" for d in summary.decisions):
        return t("winner_keep_baseline", baseline=summary.baseline)
    return t("winner_none")


def bias_text(result: RunAnalysis) -> str:
    """The name-swap audit's overall flag in words, with the prompt it comes from."""
    audit = result.bias
    if audit is None:
        return nf.MISSING
    worst = audit.worst
    return flag_text(audit.flag) + (f" · {worst[0].variant}" if worst is not None else "")


def decision_cells(run: RunListing, url: str, *, start: bool = False) -> tuple[str, str]:
    """(winner, bias) of one run: from its cached analysis; a big run only once it has been analysed.
    `start`: a finished big run without an analysis gets its background worker now (the newest run is
    the one most likely opened next, so its verdicts are on their way before Compare asks for them)."""
    if run["status"] == "running":
        return t("winner_running"), t("winner_running")
    if not run["outputs"]:
        return nf.MISSING, nf.MISSING
    header = current_header(url, int(run["id"]))  # cached: Compare then finds the same header
    result = run_analysis(url, header, start=start)
    if result is None:
        return t("winner_pending"), t("winner_pending")
    return winner_text(result), bias_text(result)


def _open_selected(ids: list[int]) -> Callable[[], None]:
    def callback() -> None:
        rows = st.session_state[TABLE_KEY]["selection"]["rows"]
        if rows:
            select_run(ids[rows[0]])
            st.session_state[OPEN_KEY] = ids[rows[0]]
    return callback


def render() -> None:
    st.title(t("overview_title"))
    st.caption(t("overview_intro"))
    runs = query(list_runs)
    if not runs:
        empty_state(t("no_runs"), page_path("run"), t("go_run"))
        return
    code = lang()
    url = db_url()
    frame = pd.DataFrame(runs)
    cols = st.columns(4)
    cols[0].metric(t("metric_runs"), nf.count(len(frame), code), border=True)
    cols[1].metric(t("metric_outputs"), nf.count(int(frame["outputs"].sum()), code), border=True)
    cols[2].metric(t("metric_running"), nf.count(int((frame["status"] == "running").sum()), code), border=True)
    cols[3].metric(t("metric_cost"), "$" + nf.number(float(frame["cost_usd"].sum()), 2, lang=code), border=True)
    cells = [decision_cells(run, url, start=i == 0) if i < DECIDED_RUNS else ("", "") for i, run in enumerate(runs)]
    table = pd.DataFrame({
        t("col_run"): frame["id"],
        t("col_experiment"): frame["experiment"] + frame["simulated"].map({True: "  · SIMULATED", False: ""}),
        t("col_status"): frame["status"].map(lambda s: t(f"status_{s}")),
        t("col_winner"): [winner for winner, _ in cells],
        t("col_bias"): [bias for _, bias in cells],
        t("col_progress"): (frame["outputs"] / frame["total"].where(frame["total"] > 0)).fillna(0.0),
        t("col_outputs"): [f"{nf.count(o, code)} / {nf.count(n, code)}"
                           for o, n in zip(frame["outputs"], frame["total"], strict=True)],
        t("col_errors"): frame["errors"],
        t("col_cost"): ["$" + nf.number(float(v), 4, lang=code) for v in frame["cost_usd"]],
        t("col_spent"): ["$" + nf.number(float(v), 4, lang=code) for v in frame["spent_usd"]],
        t("col_started"): pd.to_datetime(frame["started_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("col_started_by"): frame["started_by"].fillna(""),
    })
    st.dataframe(
        table, hide_index=True, key=TABLE_KEY, on_select=_open_selected([int(i) for i in frame["id"]]),
        selection_mode="single-row",
        column_config={
            t("col_winner"): st.column_config.TextColumn(help=t("col_winner_help")),
            t("col_bias"): st.column_config.TextColumn(help=t("col_bias_help")),
            t("col_progress"): st.column_config.ProgressColumn(t("col_progress"), min_value=0.0, max_value=1.0,
                                                                format="percent"),
            t("col_cost"): st.column_config.TextColumn(help=t("col_cost_help")),
            t("col_spent"): st.column_config.TextColumn(help=t("col_spent_help")),
        },
    )
    st.caption(t("overview_open_hint", n=DECIDED_RUNS, limit=INLINE_LIMIT))
    if (chosen := st.session_state.pop(OPEN_KEY, None)) is not None:
        # The run goes in the address too: the browser's old ?run= would otherwise choose the run again.
        st.switch_page(page_path("compare"), query_params={"run": str(chosen)})
    for run in runs:
        if run["status"] == "stale":
            st.warning(t("stale_hint", run=run["id"], spec=run["spec_path"]), icon=":material/history:")
    st.subheader(t("next_steps"))
    declared = pages()  # each page's own title and icon (workbench/ui/navigation.py)
    for column, name in zip(st.columns(3), ("compare", "bias", "review"), strict=True):
        with column:
            st.page_link(page_path(name), label=declared[name].title(lang()), icon=declared[name].icon)
            st.caption(t(f"{name}_blurb"))


if __name__ == "__main__":
    render()
