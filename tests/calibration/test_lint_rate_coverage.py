"""The lint-rate interval ("share of outputs flagged, 95% CI over cases") covers the true rate ~95% of the
time when cases differ in how often they get flagged and their repeats are not independent.

Each simulated run: every case has its own flag probability, Beta-distributed around the true rate
(concentration 2: some cases are flagged far more often than others), its repeats flagged independently
with that probability. 1,000 runs per design; coverage with its Wilson 95% interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.calibration.conftest import Rate, Report
from workbench.analysis.run_results import lint_rates

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

RUNS = 1_000


def flags(rng: np.random.Generator, cases: int, repeats: int, rate: float, concentration: float | None
          ) -> pd.DataFrame:
    p = np.full(cases, rate) if concentration is None else rng.beta(rate * concentration,
                                                                    (1 - rate) * concentration, cases)
    value = (rng.random((cases, repeats)) < p[:, None]).astype(float).ravel()
    return pd.DataFrame({"model": "m", "variant": "v", "metric": "age_coded.flagged",
                         "case": np.repeat([f"c{i}" for i in range(cases)], repeats), "value": value})


@pytest.mark.parametrize(("cases", "repeats", "rate", "concentration"),
                         [(20, 2, 0.1, 2.0), (20, 2, 0.3, 2.0), (20, 3, 0.05, 2.0), (40, 2, 0.1, 2.0),
                          (10, 2, 0.2, 2.0), (20, 1, 0.1, None)])
def test_lint_rate_interval_covers_the_true_rate(cases: int, repeats: int, rate: float, concentration: float | None,
                                                 calibration_report: Report) -> None:
    covered = 0
    for seed in range(RUNS):
        row = lint_rates(flags(np.random.default_rng([cases, repeats, seed]), cases, repeats, rate,
                               concentration)).iloc[0]
        covered += row["ci_low"] <= rate <= row["ci_high"]
    coverage = Rate(covered, RUNS)
    spread = "cases alike" if concentration is None else f"case rates Beta (concentration {concentration:g})"
    calibration_report(f"lint rate {rate:.0%}, {cases} cases × {repeats} repeat{'s' if repeats > 1 else ''}, "
                       f"{spread}: the 95% CI covers it in {coverage}")
    assert coverage.ci[1] >= 0.95 and coverage.value >= 0.93
