"""Sequential runs (issue #19): the anytime-valid test's error rate under looks every 10 cases, the naive
peeking it replaces, and the cases it saves against the fixed-n design with the same power.

Paired differences are drawn the way the simulated provider draws screening scores (case merit from the
demo candidates' `fit` + N(0, 0.8²) output noise + planted shift, clipped to 1-10 and rounded:
`workbench.providers.simulated.scores.screening_scores`), one run = up to 200 cases with a look every 10,
and the regularisation is fixed from the first look's scores as the runner does. That the runner's looks
give exactly the pure test's answers on the same data is checked in tests/core/test_sequential_run.py.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from tests.calibration.conftest import Rate, Report
from workbench.providers.simulated.scores import screening_scores
from workbench.stats.sequential import Design, fixed_n_for_power, naive_peeking, simulate_paths

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

ROOT = Path(__file__).resolve().parents[2]
RUNS = 400
MAX_CASES, LOOK_EVERY, ALPHA = 200, 10, 0.05
FITS = np.array([float(row["fit"]) for row in csv.DictReader((ROOT / "experiments/data/candidates_nl.csv").open())])


def draw(rng: np.random.Generator, runs: int, shifts: tuple[float, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    """Differences (candidate − baseline) per candidate, shape (runs, MAX_CASES), and each run's prior SD."""
    merit = rng.choice(FITS, size=(runs, MAX_CASES))
    base = screening_scores(merit, np.zeros_like(merit), rng)
    arms = [screening_scores(merit, np.full_like(merit, s), rng) for s in shifts]
    diffs = [arm - base for arm in arms]
    first = np.hstack([base[:, :LOOK_EVERY], arms[0][:, :LOOK_EVERY]])
    prior = math.sqrt(2) * first.std(axis=1, ddof=1)  # as `prior_sd_for` at the first look
    return diffs, prior


def null_sd() -> float:
    diffs, _ = draw(np.random.default_rng(99), 2000, (0.0,))
    return float(diffs[0].std())


def test_no_effect_false_positives_stay_below_alpha_and_naive_peeking_does_not(calibration_report: Report) -> None:
    rng = np.random.default_rng(19)
    design = Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=1)
    (d,), prior = draw(rng, RUNS, (0.0,))
    _, code = simulate_paths(d, design, prior_sd=prior)
    anytime = Rate(int(np.isin(code, (1, -1)).sum()), RUNS)
    naive = Rate(int(naive_peeking(d, design.looks(), ALPHA).sum()), RUNS)
    calibration_report(f"no effect, look every {LOOK_EVERY} of {MAX_CASES} cases, α={ALPHA}: "
                       f"anytime-valid false positives {anytime}; naive peeking (fixed-n t-test at every look) "
                       f"on the same data {naive}")
    assert anytime.ci[1] <= ALPHA + 0.02
    assert naive.value > ALPHA and naive.ci[0] > ALPHA

    # Two candidates against one baseline (3 variants): run-level error = either candidate "found".
    design2 = Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=2)
    (d1, d2), prior2 = draw(np.random.default_rng(20), RUNS, (0.0, 0.0))
    hits = np.zeros(RUNS, dtype=bool)
    for dk in (d1, d2):
        _, code = simulate_paths(dk, design2, prior_sd=prior2)
        hits |= np.isin(code, (1, -1))
    family = Rate(int(hits.sum()), RUNS)
    calibration_report(f"no effect, 2 candidates (Bonferroni over 2 tests): run-level false positives {family}")
    assert family.ci[1] <= ALPHA + 0.02


def test_no_effect_with_a_margin_stops_for_futility(calibration_report: Report) -> None:
    design = Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=1)
    (d,), prior = draw(np.random.default_rng(21), RUNS, (0.0,))
    used, code = simulate_paths(d, design, prior_sd=prior, margin=0.75)
    futile = Rate(int((code == 2).sum()), RUNS)
    wrong = Rate(int(np.isin(code, (1, -1)).sum()), RUNS)
    calibration_report(f"no effect, margin 0.75 points: stopped as equivalent (futility) {futile}, median "
                       f"{int(np.median(used))} of {MAX_CASES} cases; false better/worse {wrong}")
    assert wrong.ci[1] <= ALPHA + 0.02
    assert futile.value > 0.9 and np.median(used) < MAX_CASES


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_equivalence_is_rarely_claimed_at_the_margin(sign: float, calibration_report: Report) -> None:
    """A candidate whose true mean difference is exactly the margin (the boundary of "equivalent"):
    "stopped as equivalent" must stay at or below α. The margin is set to the true mean difference of a
    0.75-point shift after clipping and rounding, from 2,000 × 200 simulated cases (standard error ~0.002)."""
    shift = sign * 0.75
    (big,), _ = draw(np.random.default_rng(31), 2000, (shift,))
    margin = abs(float(big.mean()))
    design = Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=1)
    (d,), prior = draw(np.random.default_rng(32 if sign > 0 else 33), RUNS, (shift,))
    _, code = simulate_paths(d, design, prior_sd=prior, margin=margin)
    equivalent = Rate(int((code == 2).sum()), RUNS)
    calibration_report(f"true difference exactly {'+' if sign > 0 else '−'}margin ({margin:.2f} points): "
                       f"stopped as equivalent {equivalent}")
    assert equivalent.value <= ALPHA and equivalent.ci[1] <= ALPHA + 0.02


@pytest.mark.parametrize("d_z", [0.3, 0.5, 0.8])
def test_planted_effects_stop_early(d_z: float, calibration_report: Report) -> None:
    shift = d_z * null_sd()
    design = Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=1)
    (d,), prior = draw(np.random.default_rng(int(d_z * 100)), RUNS, (shift,))
    realised = float(d.mean() / d.std())
    used, code = simulate_paths(d, design, prior_sd=prior)
    power = Rate(int((code == 1).sum()), RUNS)
    # The fixed-n paired t-test with the same power (capped at 99%: a fixed n for "100%" does not exist,
    # so the cap can only understate the saving).
    same_power = min(power.value, 0.99)
    fixed = fixed_n_for_power(realised, same_power, ALPHA)
    median = float(np.median(used))
    saving = 1 - median / fixed
    calibration_report(
        f"planted d_z {d_z} (realised {realised:.2f}): power {power}; median cases used {median:.0f} "
        f"(mean {used.mean():.0f}) vs fixed-n {fixed} for {same_power:.0%} power: saves {saving:.0%}")
    assert not (code == -1).any()
    if d_z >= 0.5:
        assert saving >= 0.30


@pytest.mark.parametrize(("rate", "cases_differ"), [(0.05, False), (0.10, True), (0.30, False)])
def test_yes_no_primary_without_an_effect(rate: float, cases_differ: bool, calibration_report: Report) -> None:
    """A yes/no flag as the primary metric (e.g. age-coded wording), rare or not, the same rate for both
    prompts; with `cases_differ` each case has its own rate (Beta, concentration 2) shared by both prompts.
    The confidence sequence is only asymptotically valid, and early looks see few flags: false better/worse
    must still stay at or below α. The regularisation is the runner's for yes/no metrics (prior SD 1)."""
    from workbench.stats.sequential import prior_sd_for

    rng = np.random.default_rng([19, int(rate * 100), cases_differ])
    p = rng.beta(rate * 2, (1 - rate) * 2, (RUNS, MAX_CASES)) if cases_differ else np.full((RUNS, MAX_CASES), rate)
    base = (rng.random((RUNS, MAX_CASES)) < p).astype(float)
    cand = (rng.random((RUNS, MAX_CASES)) < p).astype(float)
    prior = np.full(RUNS, prior_sd_for(base[0], binary=True))
    _, code = simulate_paths(cand - base, Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=1), prior_sd=prior)
    wrong = Rate(int(np.isin(code, (1, -1)).sum()), RUNS)
    calibration_report(f"yes/no primary at {rate:.0%}{', case rates differ' if cases_differ else ''}, no effect, look "
                       f"every {LOOK_EVERY} of {MAX_CASES} cases: false better/worse {wrong}")
    assert wrong.ci[1] <= ALPHA + 0.02
