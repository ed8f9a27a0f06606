"""Run analyses for the UI: the same statistics as `analyse_run`, loaded fast, cached, and for big
runs computed in a worker process so the page stays interactive while the verdicts are computed.

First choice is the analysis stored when the run ended (workbench.store.page_analyses): when its stamp
matches the run (no rating, dismissal or result since), it is shown as it is; when only ratings or
dismissals changed, it is shown marked as outdated while the new one is computed (inline for small
runs, in the worker for big ones) and stored in its place.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.analysis.run_results import RunAnalysis
from workbench.errors import WorkbenchError
from workbench.stats import PreferenceAnalysis, analyse_preferences
from workbench.store.frames import RunHeader, ratings_frame
from workbench.store.page_analyses import analysis_stamp, stored_stamp
from workbench.ui import codec
from workbench.ui.config import state_dir
from workbench.ui.private_files import open_private_for_writing, read_private
from workbench.ui.run_stats import ANALYSIS_VERSION, StoredPageAnalysis, analyse_and_store, load_stored
from workbench.ui.state import open_store, query
from workbench.ui.verdict_worker import RESULT_GLOB

# The worker's resampling is many skinny matrix products: one BLAS thread does them 2-3× faster on a
# busy 2-core machine than threads that wait for each other (bench/README.md), and leaves the other
# core to the page renders.
SINGLE_THREAD_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Runs up to this many outputs are analysed inline (well under a second); bigger ones in the background.
INLINE_LIMIT = 20_000


Version = tuple[Any, ...]


@dataclass(frozen=True)
class AnalysisState:
    """What a page shows: the analysis (None while a big run's first one is computed) and whether it
    predates the run's latest ratings, dismissed flags or results (a newer one is then on its way)."""

    analysis: RunAnalysis | None
    outdated: bool = False


def data_version(stamp: dict[str, Any]) -> Version:
    """The stamp as a cache key (and worker result name): changes with results, ratings and dismissals."""
    return (ANALYSIS_VERSION, json.dumps(stamp, sort_keys=True, default=str))


@st.cache_data(show_spinner=False, max_entries=16)
def cached_analysis(url: str, run_id: int, version: Version) -> RunAnalysis:
    """Keyed by (database, run, data version); computed here and stored for every other page and session."""
    del version  # only part of the cache key
    return analyse_and_store(open_store(url), run_id, must_store=False)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored(url: str, run_id: int, version: Version) -> StoredPageAnalysis | None:
    """The stored analysis, decoded once per stored stamp (a new row has a new key)."""
    del version
    return load_stored(open_store(url), run_id)


def stored_analysis(url: str, run_id: int) -> StoredPageAnalysis | None:
    found = query(stored_stamp, run_id)
    if found is None or found[0] != ANALYSIS_VERSION:
        return None
    return _stored(url, run_id, data_version(found[1]))


@st.cache_data(show_spinner=False, max_entries=32)
def cached_preferences(url: str, run_id: int, n_ratings: int, baseline: str, alpha: float
                       ) -> PreferenceAnalysis | None:
    """Preference statistics alone (the Review page), cheap and refreshed on every new rating."""
    del n_ratings
    with open_store(url).session() as session:
        ratings = ratings_frame(session, run_id)
    if ratings.empty:
        return None
    return analyse_preferences(ratings, alpha=alpha, reference=baseline or None)


# -- big runs: a worker process ----------------------------------------------------------------------
# A thread would hold the GIL for most of the ~10 s the statistics take on 100,000 outputs and slow
# every page render meanwhile; a separate process (`python -m workbench.ui.verdict_worker`) does not,
# and its result (JSON in the user's private state folder, never a pickle) outlives a server restart.


def result_path(url: str, run_id: int, version: Version) -> Path:
    digest = hashlib.sha256(repr(version).encode()).hexdigest()[:12]
    return state_dir(url) / f"analysis-run{run_id}-{digest}.json"


@st.cache_data(show_spinner=False, max_entries=16)
def _load_result(path: str, mtime: float) -> RunAnalysis:
    del mtime
    result = codec.loads(read_private(Path(path)))  # only our own types are rebuilt; nothing is executed
    if not isinstance(result, RunAnalysis):
        raise WorkbenchError("analysis result file holds something else; it is recomputed", file=path)
    return result


@dataclass
class _Job:
    proc: subprocess.Popen[bytes]
    path: Path
    started: float


class _Workers:
    """At most one worker process per run: a run that is still filling up changes its data version
    every second, and each version must not get a worker of its own."""

    RETRY_AFTER_S = 60.0  # a failed analysis is retried, but not on every 1-second poll

    def __init__(self) -> None:
        self.jobs: dict[tuple[str, int], _Job] = {}
        self.lock = threading.Lock()

    def peek(self, url: str, run_id: int) -> _Job | None:
        with self.lock:
            return self.jobs.get((url, run_id))

    def ensure(self, path: Path, url: str, run_id: int) -> _Job:
        with self.lock:
            job = self.jobs.get((url, run_id))
            if job is not None:
                code = job.proc.poll()
                if code is None:
                    return job  # busy (perhaps with an older version): the next poll starts the newest
                if job.path == path and code != 0 and time.monotonic() - job.started < self.RETRY_AFTER_S:
                    return job  # failed recently: report it rather than retry every second
            # The URL (password included) goes through the environment, never the command line (`ps`).
            env = dict(os.environ, WORKBENCH_DB_URL=url, **SINGLE_THREAD_BLAS)
            with open(open_private_for_writing(path.with_suffix(".err")), "wb") as err:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "workbench.ui.verdict_worker", str(run_id), str(path)],
                    stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True, env=env,
                )
            job = self.jobs[(url, run_id)] = _Job(proc, path, time.monotonic())
            return job


@st.cache_resource(show_spinner=False)
def _workers() -> _Workers:
    return _Workers()


def _latest_result(url: str, run_id: int) -> Path | None:
    found = sorted(state_dir(url).glob(RESULT_GLOB.format(run_id=run_id)), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def background_analysis(url: str, header: RunHeader, version: Version, *, start: bool = True
                        ) -> tuple[RunAnalysis | None, bool]:
    """(analysis, current): the worker's analysis for this data version, or while it is computed the
    newest older result (or None) with current=False."""
    path = result_path(url, header.run_id, version)
    if (done := _try_load(path)) is not None:
        return done, True
    workers = _workers()
    job = workers.ensure(path, url, header.run_id) if start else workers.peek(url, header.run_id)
    if job is not None and job.path == path and job.proc.poll() not in (None, 0) and not path.exists():
        raise WorkbenchError(f"analysis of run {header.run_id} failed: {_last_line(path.with_suffix('.err'))}")
    if (done := _try_load(path)) is not None:  # finished between the two checks
        return done, True
    older = _latest_result(url, header.run_id)
    return (_try_load(older) if older else None), False


def _try_load(path: Path) -> RunAnalysis | None:
    """A stored result, or None (and the file removed) when it is missing, foreign or unreadable."""
    try:
        return _load_result(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, WorkbenchError):
        path.unlink(missing_ok=True)
        return None


def _last_line(path: Path) -> str:
    try:
        body = read_private(path).decode("utf-8", errors="replace")
        lines = [line for line in body.splitlines() if line.strip()]
    except (OSError, WorkbenchError):
        return "no details"
    return lines[-1] if lines else "no details"


def analysis_state(url: str, header: RunHeader, *, start: bool = True) -> AnalysisState:
    """The run's analysis for the pages: the stored one when it is current; otherwise a fresh one
    (inline for small runs; big runs: the worker's, and meanwhile the stored or an older one, outdated).

    Pages pass start=False first and call `start_analysis` once everything else is drawn, so the
    worker does not compete with the first render for the CPU.
    """
    stamp = query(analysis_stamp, header.run_id)
    stored = stored_analysis(url, header.run_id)
    if stored is not None and stored.stamp == stamp:
        return AnalysisState(stored.analysis)
    version = data_version(stamp)
    if header.outputs + header.errors <= INLINE_LIMIT:
        return AnalysisState(cached_analysis(url, header.run_id, version))
    result, current = background_analysis(url, header, version, start=start)
    if current or stored is None:
        return AnalysisState(result, outdated=result is not None and not current)
    return AnalysisState(stored.analysis, outdated=True)  # the stored one beats an older worker file


def run_analysis(url: str, header: RunHeader, *, start: bool = True) -> RunAnalysis | None:
    """The analysis of a run (perhaps outdated), or None while a big run is analysed for the first time."""
    return analysis_state(url, header, start=start).analysis


def start_analysis(url: str, header: RunHeader) -> None:
    """Start a big run's worker when its analysis is missing or outdated (nothing to do when current)."""
    analysis_state(url, header, start=True)
