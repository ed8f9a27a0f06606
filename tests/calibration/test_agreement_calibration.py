"""Error rates of the judge-trust verdicts (workbench.analysis.judge_agreement), ≥ 400 simulated rating rounds each.

Model: every pair of outputs has a true quality difference q ~ N(0, 1); every rater (each recruiter and the
judge) sees q + N(0, σ²) and says "first", "second" or "tie" (|seen| < its own tie threshold, 0.3-0.7 per
recruiter: some recruiters tie more than others). 40 pairs, each rated by 2 of 4 recruiters.

* a judge exactly as noisy as the recruiters ("exchangeable"): "do not rely" may appear at most 5% of the
  time (false alarm);
* a judge whose κ with the recruiters is exactly the margin (0.10) below theirs with each other: "as well as
  they agree with each other" may appear at most 5% of the time.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.calibration.conftest import Rate, Report
from workbench.analysis.judge_agreement import MARGIN, judge_agreement
from workbench.stats.agreement import weighted_kappa

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

N_RUNS = 400
ALPHA = 0.05
MC_SLACK = 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_RUNS)
N_PAIRS, N_RECRUITERS, SIGMA = 40, 4, 0.6


def _say(seen: np.ndarray, tie: float) -> np.ndarray:
    return np.where(seen > tie, 1, np.where(seen < -tie, -1, 0))


def _population_gap(judge_sigma: float, rng: np.random.Generator, n: int = 200_000) -> float:
    """κ(judge, recruiter) − κ(recruiter, recruiter) for very many pairs (the population value)."""
    q = rng.normal(0, 1, n)
    r1 = _say(q + rng.normal(0, SIGMA, n), 0.5)
    r2 = _say(q + rng.normal(0, SIGMA, n), 0.5)
    j = _say(q + rng.normal(0, judge_sigma, n), 0.5)

    def kappa(x: np.ndarray, y: np.ndarray) -> float:
        table = np.zeros((3, 3))
        np.add.at(table, (x + 1, y + 1), 1)
        return weighted_kappa(table, "linear")

    return kappa(j, r1) - kappa(r1, r2)


def _round(rng: np.random.Generator, judge_sigma: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    q = rng.normal(0, 1, N_PAIRS)
    ties = rng.uniform(0.3, 0.7, N_RECRUITERS)
    rows = []
    for pair in range(N_PAIRS):
        for rater in rng.choice(N_RECRUITERS, 2, replace=False):
            pref = int(_say(q[pair] + rng.normal(0, SIGMA), ties[rater]))
            rows.append({"output_a_id": 2 * pair, "output_b_id": 2 * pair + 1, "rater": f"r{rater}",
                         "winner": {1: "a", -1: "b", 0: "tie"}[pref]})
    judge = _say(q + rng.normal(0, judge_sigma, N_PAIRS), 0.5)
    prefs = pd.DataFrame({"first": 2 * np.arange(N_PAIRS), "second": 2 * np.arange(N_PAIRS) + 1,
                          "rubric": "clarity", "pref": judge})
    return pd.DataFrame(rows), prefs


def test_judge_trust_verdicts(calibration_report: Report) -> None:
    # the judge noise at which judge–recruiter κ is exactly MARGIN below recruiter–recruiter κ
    rng = np.random.default_rng(1)
    low, high = SIGMA, 3.0
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if _population_gap(mid, rng) > -MARGIN else (low, mid)
    margin_sigma = (low + high) / 2
    false_alarm = as_well_at_margin = as_well_exchangeable = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng(90_000 + seed)
        ratings, judge = _round(rng, SIGMA)
        verdict = judge_agreement(ratings, judge, seed=seed, n_boot=1000, n_boot_alpha=0).rubrics[0].verdict
        false_alarm += verdict == "do_not_rely"
        as_well_exchangeable += verdict == "as_well"
        ratings, judge = _round(rng, margin_sigma)
        verdict = judge_agreement(ratings, judge, seed=seed, n_boot=1000, n_boot_alpha=0).rubrics[0].verdict
        as_well_at_margin += verdict == "as_well"
    alarm, at_margin = Rate(false_alarm, N_RUNS), Rate(as_well_at_margin, N_RUNS)
    calibration_report(f"judge as good as the recruiters (40 pairs × 2 of 4 recruiters): 'do not rely' {alarm}; "
                       f"'as well as they agree with each other' {Rate(as_well_exchangeable, N_RUNS)}")
    calibration_report(f"judge κ exactly {MARGIN} below the recruiters' (σ_judge {margin_sigma:.2f} vs "
                       f"{SIGMA}): 'as well as' {at_margin}")
    assert alarm.value <= ALPHA + MC_SLACK
    assert at_margin.value <= ALPHA + MC_SLACK
