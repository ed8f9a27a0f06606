"""Planted effects are detected as often as `workbench power` predicts (within 5 percentage points),
with the multiplicity correction actually applied and with clustered cases (df = G − 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.calibration.conftest import Rate, Report
from tests.calibration.simulate import variant_scores
from workbench.stats import analyse, paired_t_power

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

ALPHA = 0.05
N_RUNS = 400


def test_planted_effect_in_a_primary_family_of_four(calibration_report: Report) -> None:
    """Variants b (planted) and c (null) vs base on two primary metrics: Holm over 4 tests."""
    n, repeats, sd_int, sd_noise = 20, 2, 0.5, 1.0
    sd_diff = math.sqrt(2 * sd_int**2 + 2 * sd_noise**2 / repeats)
    d_z = 0.75
    predicted = paired_t_power(d_z, n, ALPHA, n_tests=4)
    unadjusted = paired_t_power(d_z, n, ALPHA)
    hits = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([11, seed])
        frame = variant_scores(rng, n_cases=n, variants=("base", "b", "c"), metrics=("m1", "m2"), repeats=repeats,
                               sd_interaction=sd_int, sd_noise=sd_noise, shifts={("b", "m1"): d_z * sd_diff})
        hits += analyse(frame, "base", seed=seed, n_bootstrap=0).get("b", "m1").significant
    observed = Rate(hits, N_RUNS)
    calibration_report(f"planted d_z = {d_z}, n = {n}, Holm over 4: detected {observed}, predicted {predicted:.1%} "
                       f"(the unadjusted prediction would say {unadjusted:.1%})")
    assert abs(observed.value - predicted) <= 0.05


def test_planted_effect_with_clustered_cases(calibration_report: Report) -> None:
    """40 cases in 10 clusters of 4 sharing a cluster × variant effect: predicted with the design effect and
    G − 1 = 9 degrees of freedom; the analysis uses the cluster-robust SE and cluster sign-flips."""
    n, size, repeats, sd_int, sd_noise, sd_cluster = 40, 4, 1, 0.5, 0.6, 0.5
    # per-case difference variance and the share of it that clusters carry
    var_d = 2 * sd_int**2 + 2 * sd_noise**2 / repeats + 2 * sd_cluster**2
    icc = 2 * sd_cluster**2 / var_d
    deff = 1 + (size - 1) * icc
    d_z = 0.55
    predicted = paired_t_power(d_z, n, ALPHA, design_effect=deff, cluster_size=size)
    naive = paired_t_power(d_z, n, ALPHA)
    hits = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([12, seed])
        frame = variant_scores(rng, n_cases=n, repeats=repeats, sd_interaction=sd_int, sd_noise=sd_noise,
                               cluster_size=size, sd_cluster=sd_cluster, shifts={("b", "m1"): d_z * math.sqrt(var_d)})
        hits += analyse(frame, "a", seed=seed, n_bootstrap=0).get("b").significant
    observed = Rate(hits, N_RUNS)
    calibration_report(f"planted d_z = {d_z}, 10 clusters of 4 (design effect {deff:.2f}, df 9): detected "
                       f"{observed}, predicted {predicted:.1%} (ignoring the clusters would predict {naive:.1%})")
    assert abs(observed.value - predicted) <= 0.05


@pytest.mark.parametrize(("true_d_z", "pilot_cases"), [(0.5, 20), (0.3, 20), (0.5, 40)])
def test_plans_from_a_pilot_run(true_d_z: float, pilot_cases: int, calibration_report: Report) -> None:
    """`workbench power RUN` plans from a pilot's observed d_z. Each simulated pilot: `pilot_cases` per-case
    differences with the true d_z; the plan's cases for 80% power; its real power at the true d_z. Planning
    on the observed d_z promises 80% but gives less (a pilot that saw a large effect plans too few cases);
    the safeguard plan (lower bound of the pilot's 60% interval) gives at least the promised power on average,
    and no plan at all when the pilot cannot tell the effect from none."""
    from workbench.stats import paired_t_sample_size
    from workbench.stats.power import safeguard_d_z

    def real_power(planned_on: float) -> float:
        try:
            cases = max(paired_t_sample_size(planned_on, 0.8, ALPHA), 6)  # (verdicts need ≥ 6 cases)
        except ValueError:  # a near-zero effect: over a million cases ("more than a million" in the CLI)
            cases = 1_000_000
        return paired_t_power(true_d_z, cases, ALPHA)

    rng = np.random.default_rng([13, pilot_cases, int(true_d_z * 10)])
    observed_power, safe_power, no_plan = [], [], 0
    for _ in range(2_000):
        d = rng.normal(true_d_z, 1.0, pilot_cases)
        d_z = float(d.mean() / d.std(ddof=1))
        observed_power.append(real_power(d_z))
        safe = safeguard_d_z(d_z, pilot_cases)
        if safe is None:
            no_plan += 1
        else:
            safe_power.append(real_power(safe))
    obs, safe_arr = np.array(observed_power), np.array(safe_power)
    calibration_report(
        f"pilot of {pilot_cases} cases, true d_z {true_d_z}, plans for 80% power: on the observed d_z the real power "
        f"is {obs.mean():.0%} on average, below 50% for {np.mean(obs < 0.5):.0%} of pilots; safeguard plan "
        f"{safe_arr.mean():.0%} on average, below 50% for {np.mean(safe_arr < 0.5):.0%}, no plan (effect not "
        f"shown) for {no_plan / 2_000:.0%}")
    assert obs.mean() < 0.8 <= safe_arr.mean()
    assert np.mean(safe_arr < 0.5) < np.mean(obs < 0.5)
