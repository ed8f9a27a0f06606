"""The run analysis the pages show: `analyse_run` restricted to the metrics the pages display.

No Streamlit imports: the worker process for big runs (`workbench.ui.verdict_worker`) uses it too.
"""

from __future__ import annotations

from workbench.analysis.run_results import RunAnalysis, analyse_run, display_metrics
from workbench.store.db import Store
from workbench.store.frames import metric_names, run_header


def analyse_for_pages(store: Store, run_id: int, *, seed: int = 0) -> RunAnalysis:
    with store.session() as session:
        spec = run_header(session, run_id).spec
        metrics = display_metrics(metric_names(session, run_id), spec)
    return analyse_run(store, run_id, seed=seed, metrics=metrics)
