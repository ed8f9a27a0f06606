"""Lint-rate intervals: whole cases resampled, and never the empty interval 0…0."""

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


def test_mixed_flags_use_the_case_bootstrap() -> None:
    row = lint_rates(_scores([[1, 1, 1]] * 5 + [[0, 0, 0]] * 15)).iloc[0]
    assert row["rate"] == pytest.approx(0.25)
    assert 0.0 < row["ci_low"] < 0.25 < row["ci_high"] < 1.0
