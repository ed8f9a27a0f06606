"""Overview: every run in the store at a glance, with the way to the other pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.store.repository import list_runs
from workbench.ui.components import empty_state
from workbench.ui.config import page_path
from workbench.ui.i18n import t
from workbench.ui.state import query


def render() -> None:
    st.title(t("overview_title"))
    st.caption(t("overview_intro"))
    runs = query(list_runs)
    if not runs:
        empty_state(t("no_runs"), page_path("run"), t("go_run"))
        return
    frame = pd.DataFrame(runs)
    cols = st.columns(4)
    cols[0].metric(t("metric_runs"), f"{len(frame):,}", border=True)
    cols[1].metric(t("metric_outputs"), f"{int(frame['outputs'].sum()):,}", border=True)
    cols[2].metric(t("metric_running"), f"{int((frame['status'] == 'running').sum()):,}", border=True)
    cols[3].metric(t("metric_cost"), f"${frame['cost_usd'].sum():,.2f}", border=True)
    table = pd.DataFrame({
        t("col_run"): frame["id"],
        t("col_experiment"): frame["experiment"] + frame["simulated"].map({True: "  · SIMULATED", False: ""}),
        t("col_status"): frame["status"].map(lambda s: t(f"status_{s}")),
        t("col_progress"): (frame["outputs"] / frame["total"].where(frame["total"] > 0)).fillna(0.0),
        t("col_outputs"): frame["outputs"].map("{:,}".format) + " / " + frame["total"].map("{:,}".format),
        t("col_errors"): frame["errors"],
        t("col_cost"): frame["cost_usd"],
        t("col_spent"): frame["spent_usd"],
        t("col_started"): pd.to_datetime(frame["started_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("col_started_by"): frame["started_by"].fillna(""),
    })
    st.dataframe(
        table, hide_index=True,
        column_config={
            t("col_progress"): st.column_config.ProgressColumn(t("col_progress"), min_value=0.0, max_value=1.0,
                                                                format="percent"),
            t("col_cost"): st.column_config.NumberColumn(format="$%.4f", help=t("col_cost_help")),
            t("col_spent"): st.column_config.NumberColumn(format="$%.4f", help=t("col_spent_help")),
        },
    )
    for run in runs:
        if run["status"] == "stale":
            st.warning(t("stale_hint", run=run["id"], spec=run["spec_path"]), icon=":material/history:")
    st.subheader(t("next_steps"))
    links = st.columns(3)
    with links[0]:
        st.page_link(page_path("compare"), label=t("nav_compare"), icon=":material/compare:")
        st.caption(t("compare_blurb"))
    with links[1]:
        st.page_link(page_path("bias"), label=t("nav_bias"), icon=":material/balance:")
        st.caption(t("bias_blurb"))
    with links[2]:
        st.page_link(page_path("review"), label=t("nav_review"), icon=":material/how_to_vote:")
        st.caption(t("review_blurb"))


if __name__ == "__main__":
    render()
