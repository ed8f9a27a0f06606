"""History: a metric over every run of the selected run's experiment (mean over cases, 95% CI per run)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench import number_format as nf
from workbench.analysis.run_history import history_chart, run_history
from workbench.ui.i18n import lang, t
from workbench.ui.navigation import PageInfo
from workbench.ui.run_view import run_page
from workbench.ui.state import require_store

PAGE = PageInfo("results", 50, ":material/timeline:", "History", "Geschiedenis")


@st.cache_data(show_spinner=False, max_entries=8)
def _history(url: str, experiment: str, newest_run: int, outputs: int) -> pd.DataFrame:
    """Cached per database, experiment and the selected run's progress (new results refresh it)."""
    return run_history(require_store(), experiment)


def render() -> None:
    page = run_page("history_title")
    if page is None:
        return
    url, header = page
    st.caption(t("history_intro"))
    history = _history(url, header.experiment, header.run_id, header.outputs)
    if history.empty or history["run"].nunique() < 1:
        st.info(t("history_empty"))
        return
    metrics = sorted(history["metric"].unique())
    primary = [m for m in (header.spec.primary or []) if m in metrics]
    metric = st.selectbox(t("history_metric"), metrics, index=metrics.index(primary[0]) if primary else 0,
                          key="history_metric")
    if history["run"].nunique() < 2:
        st.info(t("history_one_run"))
    chart = history_chart(history, metric)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    part = history[history["metric"] == metric].sort_values(["run", "variant", "model"])
    changed = part.groupby(["variant", "model"])["prompt_hash"].transform(lambda s: s.ne(s.shift()) & s.shift().notna())
    st.dataframe(pd.DataFrame({
        t("col_run"): part["run"],
        t("col_started"): pd.to_datetime(part["started_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("col_variant"): part["variant"],
        t("history_col_model"): part["model"],
        t("history_col_mean"): part["mean"],
        t("history_col_ci"): [f"{nf.number(lo, 2, lang=lang())} … {nf.number(hi, 2, lang=lang())}"
                              for lo, hi in zip(part["ci_low"], part["ci_high"], strict=True)],
        t("history_col_cases"): part["n_cases"],
        t("history_col_prompt"): [f"{h} ({t('history_changed')})" if c else h
                                  for h, c in zip(part["prompt_hash"], changed, strict=True)],
    }), hide_index=True)
    st.caption(t("history_caption"))


if __name__ == "__main__":
    render()
