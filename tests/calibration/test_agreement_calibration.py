"""Error rates of the judge-trust verdicts (workbench.analysis.judge_agreement), ≥ 400 simulated rating rounds each.

Model: every pair of outputs has a true quality difference q ~ N(0, 1); every rater (each recruiter and the
judge) sees q + N(0, σ²) and says "first", "second" or "tie" (|seen| < its own tie threshold, 0.3-0.7 per
recruiter: some recruiters tie more than others). 40 pairs, each rated by 2 of 4 recruiters.

* a judge exactly as noisy as the recruiters ("exchangeable"): "do not rely" may appear at most 5% of the
  time (false alarm);
* a judge whose κ with the recruiters is exactly the margin (0.10) below theirs with each other: "as well as
  they agree with each other" may appear at most 5% of the time;
* without pairs rated by two recruiters (each pair rated once), the fixed levels: "substantial" for a judge
  whose κ with the recruiters is exactly 0.6, "do not rely" for one at exactly 0.4, each at most 5%.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.calibration.conftest import Rate, Report
from workbench.analysis.judge_agreement import MARGIN, SUBSTANTIAL, WEAK, judge_agreement
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


def _population_kappa(judge_sigma: float, rng: np.random.Generator, n: int = 200_000) -> float:
    """κ(judge, recruiter) for very many pairs, recruiters with tie thresholds drawn as in `_round`."""
    q = rng.normal(0, 1, n)
    recruiter = _say(q + rng.normal(0, SIGMA, n), rng.uniform(0.3, 0.7, n))
    judge = _say(q + rng.normal(0, judge_sigma, n), 0.5)
    table = np.zeros((3, 3))
    np.add.at(table, (judge + 1, recruiter + 1), 1)
    return weighted_kappa(table, "linear")


def _sigma_for_kappa(target: float) -> float:
    rng = np.random.default_rng(2)
    low, high = 0.01, 5.0
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if _population_kappa(mid, rng) > target else (low, mid)
    return (low + high) / 2


def _round(rng: np.random.Generator, judge_sigma: float, raters_per_pair: int = 2, pairs: int = N_PAIRS
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    q = rng.normal(0, 1, pairs)
    ties = rng.uniform(0.3, 0.7, N_RECRUITERS)
    rows = []
    for pair in range(pairs):
        for rater in rng.choice(N_RECRUITERS, raters_per_pair, replace=False):
            pref = int(_say(q[pair] + rng.normal(0, SIGMA), ties[rater]))
            rows.append({"output_a_id": 2 * pair, "output_b_id": 2 * pair + 1, "rater": f"r{rater}",
                         "winner": {1: "a", -1: "b", 0: "tie"}[pref]})
    judge = _say(q + rng.normal(0, judge_sigma, pairs), 0.5)
    prefs = pd.DataFrame({"first": 2 * np.arange(pairs), "second": 2 * np.arange(pairs) + 1,
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


@pytest.mark.parametrize("pairs", [40, 120])
def test_fixed_levels_without_pairs_rated_twice(pairs: int, calibration_report: Report) -> None:
    """Each pair rated by one recruiter: no recruiter–recruiter κ to compare with, so the judge is held to
    κ's CI above 0.6 ("substantial") or below 0.4 ("do not rely"). At exactly those κ, each claim ≤ 5%."""
    at = {level: _sigma_for_kappa(level) for level in (SUBSTANTIAL, WEAK)}
    substantial = weak = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([91_000, pairs, seed])
        ratings, judge = _round(rng, at[SUBSTANTIAL], raters_per_pair=1, pairs=pairs)
        verdict = judge_agreement(ratings, judge, seed=seed, n_boot=1000, n_boot_alpha=0).rubrics[0].verdict
        substantial += verdict == "substantial"
        ratings, judge = _round(rng, at[WEAK], raters_per_pair=1, pairs=pairs)
        verdict = judge_agreement(ratings, judge, seed=seed, n_boot=1000, n_boot_alpha=0).rubrics[0].verdict
        weak += verdict == "weak"
    sub_rate, weak_rate = Rate(substantial, N_RUNS), Rate(weak, N_RUNS)
    calibration_report(f"no pair rated twice, {pairs} pairs: judge κ exactly {SUBSTANTIAL} → 'substantial' "
                       f"{sub_rate}; exactly {WEAK} → 'do not rely' {weak_rate}")
    assert sub_rate.value <= ALPHA + MC_SLACK and weak_rate.value <= ALPHA + MC_SLACK
