"""The run analysis the pages show: `analyse_run` restricted to the metrics the pages display, and its
stored copy (computed once when a run ends; workbench.store.page_analyses keeps it with its stamp).

No Streamlit imports: the worker process for big runs (`workbench.ui.verdict_worker`) and the CLI's
end of `workbench run` use it too.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from workbench.analysis.run_results import RunAnalysis, analyse_run, display_metrics
from workbench.store.db import Store
from workbench.store.frames import metric_names, run_header
from workbench.store.page_analyses import analysis_stamp, load_analysis, save_analysis
from workbench.ui import codec

# Bump when the analysis or what it holds changes: stored analyses of another version are recomputed.
ANALYSIS_VERSION = 3  # 2: case means of the headline metrics (Compare's distribution chart);
# 3: omnibus tests corrected over their family (stats.compare_variants._adjust_omnibus); position bias over
# pairs; flip tests Holm-corrected over the audit; lint-rate intervals over cases; ranking audits in name sets


@dataclass(frozen=True)
class StoredPageAnalysis:
    analysis: RunAnalysis
    stamp: dict[str, Any]
    seconds: float  # how long computing it took


def analyse_for_pages(store: Store, run_id: int, *, seed: int = 0) -> RunAnalysis:
    with store.session() as session:
        spec = run_header(session, run_id).spec
        metrics = display_metrics(metric_names(session, run_id), spec)
    return analyse_run(store, run_id, seed=seed, metrics=metrics)


def current_stamp(store: Store, run_id: int) -> dict[str, Any]:
    with store.session() as session:
        return analysis_stamp(session, run_id)


def analyse_and_store(store: Store, run_id: int, *, must_store: bool = True) -> RunAnalysis:
    """Compute the page analysis and store it with the stamp of the data it starts from (taken first:
    a rating saved meanwhile makes the stored analysis outdated, never wrongly current).
    `must_store=False`: a failure to store (read-only database) is logged; the analysis is returned."""
    stamp = current_stamp(store, run_id)
    start = time.perf_counter()
    result = analyse_for_pages(store, run_id)
    seconds = time.perf_counter() - start
    try:
        save_analysis(store, run_id, ANALYSIS_VERSION, stamp, codec.dumps(result).decode("utf-8"), seconds)
    except Exception:
        if must_store:
            raise
        logging.getLogger(__name__).warning("run %s: analysis not stored", run_id, exc_info=True)
    return result


def load_stored(store: Store, run_id: int) -> StoredPageAnalysis | None:
    """The run's stored analysis (whatever its stamp), or None: none stored, another analysis version,
    or unreadable (then it is recomputed like a missing one)."""
    with store.session() as session:
        row = load_analysis(session, run_id)
    if row is None or row.version != ANALYSIS_VERSION:
        return None
    try:
        result = codec.loads(row.body.encode("utf-8"))
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(result, RunAnalysis):
        return None
    return StoredPageAnalysis(result, row.stamp, row.seconds)
