"""The common top of every page about one run: title, SIMULATED banner, key numbers, empty states."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import streamlit as st

from workbench.analysis.run_results import RunAnalysis
from workbench.scoring.judge import judge_provenance
from workbench.store.frames import RunHeader, run_header, run_stamp
from workbench.ui import config
from workbench.ui.components import empty_state, simulated_banner
from workbench.ui.config import page_path
from workbench.ui.i18n import lang, t
from workbench.ui.state import open_store, query, selected_run
from workbench.ui.verdict_cache import analysis_state


@st.cache_data(show_spinner=False, max_entries=64)
def cached_header(url: str, run_id: int, stamp: tuple[object, ...]) -> RunHeader:
    """The run's header, recomputed only when its stamp changes (a finished big run: never; its
    aggregates over 100,000 outputs would otherwise cost every page run, e.g. each blind rating)."""
    del stamp  # cache key only
    with open_store(url).session() as session:
        return run_header(session, run_id)


def current_header(url: str, run_id: int) -> RunHeader:
    """The run's header from the cache while its stamp holds (ratings counted afresh, cheaply)."""
    stamp = query(run_stamp, run_id)
    return dataclasses.replace(cached_header(url, run_id, stamp[:-1]), ratings=stamp[-1])


def run_page(title_key: str, *, show_baseline: bool = True) -> tuple[str, RunHeader] | None:
    """Title and header of the selected run, or an empty state (then None: nothing more to show).

    The Review page hides the baseline's name: raters should not know which prompt is the incumbent.
    """
    st.title(t(title_key))
    run_id = selected_run()
    if run_id is None:
        empty_state(t("no_runs"), page_path("run"), t("go_run"))
        return None
    # Ratings are counted afresh (cheap); a new rating must not recompute the output aggregates.
    header = current_header(config.db_url(), run_id)
    caption = t("run_caption", run=run_id, experiment=header.experiment, status=t(f"status_{header.status}"))
    st.caption(caption + (t("baseline_caption", baseline=header.baseline) if show_baseline else ""))
    if header.simulated:
        simulated_banner()
    judge = judge_provenance(header.spec)
    if judge is not None and judge.simulated:
        st.warning(t("simulated_judge_banner", model=judge.model), icon=":material/science:")
    if header.outputs == 0:
        empty_state(t("no_outputs_yet"), page_path("run"), t("go_run"))
        return None
    return config.db_url(), header


def header_cards(header: RunHeader) -> None:
    cols = st.columns(5)
    cols[0].metric(t("metric_outputs"), f"{header.outputs:,}", border=True, delta_color="off", delta_arrow="off",
                   delta=t("of_planned", total=f"{header.total_calls:,}"))
    cols[1].metric(t("metric_errors"), f"{header.errors:,}", border=True)
    cols[2].metric(t("metric_variants"), len(header.variants), border=True)
    cols[3].metric(t("metric_models"), len(header.models), border=True)
    cols[4].metric(t("metric_ratings"), f"{header.ratings:,}", border=True)


@st.fragment(run_every=1.0)
def wait_for_analysis(url: str, header: RunHeader, *, outdated: bool = False) -> None:
    """Polls the background analysis of a big run; reruns the page once the (new) verdicts are ready.
    `outdated`: an older analysis is shown meanwhile (computed before the latest ratings or dismissals)."""
    state = analysis_state(url, header, start=False)  # the page starts the worker after drawing
    if state.analysis is not None and not state.outdated:
        st.rerun()
    if outdated:
        st.caption(t("analysis_outdated"))
    else:
        st.info(t("analysis_pending", n=header.outputs), icon=":material/hourglass_top:")


def analysed_run_page(title_key: str) -> tuple[str, RunHeader, RunAnalysis | None] | None:
    """`run_page` plus key numbers and the run's analysis; while a big run is analysed, a polling notice.

    The result is None until the verdicts are ready; the page then draws what it can and calls
    `start_analysis` last, so the worker does not compete with the first render.
    """
    page = run_page(title_key)
    if page is None:
        return None
    url, header = page
    header_cards(header)
    state = analysis_state(url, header, start=False)
    if state.analysis is None or state.outdated:
        wait_for_analysis(url, header, outdated=state.outdated)
    return url, header, state.analysis


_MISSING_WARNING = re.compile(r"^(\d+) of (\d+) planned outputs are missing or failed")


def translated_warnings(warnings: list[str], truncation: Any = None, sequential: Any = None) -> list[str]:
    """The analysis' warnings in the UI language (known ones translated, others as the engine wrote them)."""
    out = []
    for warning in warnings:
        missing = _MISSING_WARNING.match(warning)
        if sequential is not None and warning == sequential.explanation():
            out.append(sequential.explanation(lang()))  # why a --until-decided run stopped where it did
        elif truncation is not None and warning == truncation.sentence():
            key = "truncated_excluded" if truncation.excluded else "truncated_included"
            out.append(t(key, count=truncation.count, outputs=truncation.outputs, where=truncation.where))
        elif missing:
            out.append(t("warn_missing", n=int(missing.group(1)), m=int(missing.group(2))))
        elif warning == "no scores yet":
            out.append(t("warn_no_scores"))
        else:
            out.append(warning)
    return out
