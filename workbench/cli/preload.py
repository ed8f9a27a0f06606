"""Import the end-of-run summary's libraries while a run waits on the network, not after it.

`workbench run` prints a summary and a decision when the calls are done; that needs pandas and SciPy
(~1.5 s of imports on an idle 2-core machine, several seconds under load), which used to be paid after
the last response, between the work and the exit. `PreloadingProgress` wraps the progress sink and, once
the first result has arrived (the run is then waiting on providers, and start-up no longer competes
for the CPU), imports those modules in a background thread. Python's per-module import locks make this
safe: the summary's own import later either finds the module loaded or waits for the thread to finish
it. Measured in bench/README.md ("Run fixed overhead", `bench/bench_run_overhead.py`).
"""

from __future__ import annotations

import importlib
import threading

from workbench.runner.progress import ProgressSink

# What the summary after a run imports (workbench.cli.app._print_summary / _print_decision).
SUMMARY_MODULES = ("workbench.store.run_summary", "workbench.analysis.run_results", "workbench.report.console",
                   "workbench.ui.run_stats")


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the summary's own import reports any real problem, in its place
            return


class PreloadingProgress:
    """A progress sink that starts the summary's imports in a thread at the first result."""

    def __init__(self, inner: ProgressSink, modules: tuple[str, ...] = SUMMARY_MODULES) -> None:
        self.inner = inner
        self.modules = modules
        self.thread: threading.Thread | None = None

    def start(self, phase: str, total: int, done: int) -> None:
        self.inner.start(phase, total, done)

    def advance(self, *, ok: bool, cost: float | None, cached: bool) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=_import_all, args=(self.modules,), name="preload", daemon=True)
            self.thread.start()
        self.inner.advance(ok=ok, cost=cost, cached=cached)

    def note(self, text: str) -> None:
        self.inner.note(text)

    def pacing(self, concurrency: int, maximum: int, state: str) -> None:
        self.inner.pacing(concurrency, maximum, state)

    def stop(self) -> None:
        self.inner.stop()
