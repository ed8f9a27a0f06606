"""Lint-rate intervals: repeats of a case are not independent, and never the empty interval 0…0."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.run_results import lint_rates


def _scores(flags_per_case: list[list[int]]) -> pd.DataFrame:
    rows = [
        {"model": "m", "variant": "v", "metric": "age_coded.flagged", "case": case, "value": float(flag)}
        for case, flags in enumerate(flags_per_case)
        for flag in flags
    ]
    return pd.DataFrame(rows)


def test_no_flag_in_20_cases_still_allows_a_rate_up_to_17_percent() -> None:
    row = lint_rates(_scores([[0, 0, 0]] * 20)).iloc[0]
    assert row["rate"] == 0.0
    assert row["ci_low"] == 0.0
    # Clopper-Pearson upper bound for 0 of 20: 1 - 0.025 ** (1 / 20)
    assert row["ci_high"] == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-9)
    assert (row["n_outputs"], row["n_cases"]) == (60, 20)


def test_every_output_flagged_mirrors_the_interval() -> None:
    row = lint_rates(_scores([[1, 1]] * 10)).iloc[0]
    assert row["rate"] == 1.0
    assert row["ci_low"] == pytest.approx(0.025 ** (1 / 10), rel=1e-9)
    assert row["ci_high"] == 1.0


def test_mixed_flags_count_cases_not_outputs() -> None:
    """5 of 20 cases flagged in all 3 repeats: the 60 outputs carry the evidence of ~20, so the interval is
    Wilson's for 5 of 20, not for 15 of 60."""
    from workbench.stats.binary import wilson_interval

    row = lint_rates(_scores([[1, 1, 1]] * 5 + [[0, 0, 0]] * 15)).iloc[0]
    assert row["rate"] == pytest.approx(0.25)
    # cluster-robust variance 20/19 · (5·(3 − 0.75)² + 15·0.75²) / 60² → n_eff = 0.25·0.75 / var = 19
    low, high = wilson_interval(0.25 * 19, 19)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["ci_high"] - row["ci_low"] > wilson_interval(15, 60)[1] - wilson_interval(15, 60)[0]
