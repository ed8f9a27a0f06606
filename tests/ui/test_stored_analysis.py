"""Compare and Bias read the analysis stored when the run ended (issue #12 speed): as it is while it
matches the run, marked outdated after a rating or dismissal until the new one is stored."""

from __future__ import annotations

import time

import pytest

from workbench.store.queries import review_pairs
from workbench.store.repository import add_rating
from workbench.ui import run_stats
from workbench.ui import verdict_cache as ui_analysis
from workbench.ui.run_stats import analyse_and_store, current_stamp, load_stored

from .conftest import UIEnv
from .test_pages import SWAP, VACANCY, frame_with, open_page, texts

OUTDATED = "computed before the latest ratings"


def _rate_once(env: UIEnv, run_id: int) -> None:
    store = env.store()
    with store.session() as session:
        pair = review_pairs(session, run_id, "vacancy_nl_formal")[0]  # baseline vs another prompt, one case
        add_rating(session, run_id=run_id, case_id=pair.case_id, output_a=pair.output_a, output_b=pair.output_b,
                   left="a", winner="b", rater="tester")
    store.dispose()


def test_pages_show_the_stored_analysis_without_computing(ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ui_env.store()
    for run_id in ui_env.runs.values():
        analyse_and_store(store, run_id)  # what the end of `workbench run` does
    store.dispose()

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the page recomputed a stored, current analysis")

    monkeypatch.setattr(run_stats, "analyse_for_pages", never)
    at = open_page("compare", ui_env.runs[VACANCY])
    assert "Decision" in {str(h.value) for h in at.subheader}
    assert "vacancy_nl_inclusive" in set(frame_with(at, "Verdict")["Variant"])
    assert OUTDATED not in texts(at.caption)
    bias = open_page("bias", ui_env.runs[SWAP])
    assert "screening_nl_structured" in set(frame_with(bias, "Impact ratio (95% CI)")["Variant"])


def test_a_rating_marks_a_big_runs_stored_analysis_outdated_until_recomputed(
        ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_analysis, "INLINE_LIMIT", 0)  # a "big" run: recomputed by the worker process
    run_id = ui_env.runs[VACANCY]
    store = ui_env.store()
    analyse_and_store(store, run_id)
    _rate_once(ui_env, run_id)
    assert load_stored(store, run_id).stamp != current_stamp(store, run_id)  # type: ignore[union-attr]
    at = open_page("compare", run_id)
    # the stored verdicts are shown at once, marked, while the worker computes the new ones
    assert "vacancy_nl_inclusive" in set(frame_with(at, "Verdict")["Variant"])
    assert OUTDATED in texts(at.caption)
    deadline = time.monotonic() + 60
    while OUTDATED in texts(at.caption) and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    assert OUTDATED not in texts(at.caption)
    stored = load_stored(store, run_id)
    assert stored is not None and stored.stamp == current_stamp(store, run_id)  # the worker stored it
    assert stored.analysis.preferences is not None  # and it counts the new rating
    nl = open_page("compare", run_id, lang="nl")
    assert "berekend vóór de laatste beoordelingen" not in texts(nl.caption)  # current again, in Dutch too
    store.dispose()


def test_a_small_run_is_recomputed_inline_after_a_rating_and_stored(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    store = ui_env.store()
    analyse_and_store(store, run_id)
    _rate_once(ui_env, run_id)
    at = open_page("compare", run_id, lang="nl")
    assert "berekend vóór de laatste beoordelingen" not in texts(at.caption)
    assert "vacancy_nl_inclusive" in set(frame_with(at, "Oordeel")["Variant"])
    stored = load_stored(store, run_id)
    assert stored is not None and stored.stamp == current_stamp(store, run_id)
    store.dispose()


def test_the_distribution_chart_reads_its_case_means_from_the_stored_analysis(
        ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stored case means are those the chart's own query gives (same outputs, same averages), and
    a page with a stored analysis draws the chart without that query (it took 1.5-3.5 s cold on a
    100,000-output run: bench_ui.py)."""
    import pandas as pd

    from workbench.store.queries import case_means
    from workbench.ui.pages import compare

    run_id = ui_env.runs[VACANCY]
    store = ui_env.store()
    stored = analyse_and_store(store, run_id).case_means
    assert not stored.empty
    with store.session() as session:
        for metric in sorted(set(stored["metric"])):
            expected = case_means(session, run_id, metric).sort_values(["model", "variant", "case"])
            got = stored[stored["metric"] == metric].sort_values(["model", "variant", "case"])
            pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True),
                                          check_dtype=False)
    store.dispose()

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the chart queried the case means although the analysis holds them")

    monkeypatch.setattr(compare, "_case_means", never)
    at = open_page("compare", run_id)
    assert not at.exception
    assert "Per-variant distribution" in {str(h.value) for h in at.subheader}
    assert "Dots: one per test case" in texts(at.caption)  # the chart is drawn (no caption without it)
