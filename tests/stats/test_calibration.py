"""Calibration by simulation: the false-positive rate is α, a planted effect is found at the analytic power.

Each experiment: 20 cases × 3 repeats, case random effect + case×variant interaction + output noise,
analysed end-to-end with ``analyse`` (aggregation, permutation p-value, verdict). Seeds are fixed, so
these tests are deterministic; tolerances are 3 Monte Carlo standard errors.
"""

from __future__ import annotations

import math

import numpy as np

from workbench.stats import analyse, paired_t_power

N_SIM = 500
ALPHA = 0.05
N_CASES, N_REPEATS = 20, 3
SIGMA_INTERACTION, SIGMA_NOISE = 0.5, 1.0
# per-case difference SD: interaction of both variants + averaged noise of both variants
SD_DIFF = math.sqrt(2 * SIGMA_INTERACTION**2 + 2 * SIGMA_NOISE**2 / N_REPEATS)


def _rejection_rate(simulate, effect: float, seed0: int, n_sim: int = N_SIM, **kwargs) -> float:
    hits = 0
    for i in range(n_sim):
        frame = simulate(
            np.random.default_rng(seed0 + i),
            n_cases=N_CASES,
            n_repeats=N_REPEATS,
            effects={"base": 0.0, "b": effect},
            sigma_interaction=SIGMA_INTERACTION,
            sigma_noise=SIGMA_NOISE,
        )
        hits += analyse(frame, "base", seed=i, n_bootstrap=0, **kwargs).get("b").significant
    return hits / n_sim


def test_false_positive_rate_is_alpha(simulate):
    n_sim = 2 * N_SIM  # the tighter check: 1,000 A/A experiments
    rate = _rejection_rate(simulate, 0.0, seed0=10_000, n_sim=n_sim)
    mc_se = math.sqrt(ALPHA * (1 - ALPHA) / n_sim)
    assert abs(rate - ALPHA) <= 3 * mc_se


def test_planted_effect_found_at_analytic_power(simulate):
    d_z = 0.8
    expected = paired_t_power(d_z, N_CASES, ALPHA)  # ≈ 0.92 for n = 20
    rate = _rejection_rate(simulate, d_z * SD_DIFF, seed0=20_000)
    mc_se = math.sqrt(expected * (1 - expected) / N_SIM)
    assert abs(rate - expected) <= 3 * mc_se


def test_clustered_cases_keep_alpha_where_the_naive_analysis_does_not(simulate):
    # 8 job families × 5 cases, a shared family-level shift in the difference (no true effect): the
    # per-case analysis over-rejects; cluster-robust CI + cluster sign-flip keep the nominal rate.
    n_sim, naive, robust = 200, 0, 0
    for i in range(n_sim):
        rng = np.random.default_rng(30_000 + i)
        frame = simulate(rng, n_cases=40, n_repeats=1, effects={"base": 0.0, "b": 0.0}, sigma_noise=0.5)
        family = frame["case"].str[-3:].astype(int) // 5
        frame["cluster"] = "family" + family.astype(str)
        is_b = frame["variant"] == "b"
        frame.loc[is_b, "value"] += rng.normal(0, 1.0, 8)[family[is_b]]
        robust += analyse(frame, "base", seed=i, n_bootstrap=100).get("b").significant
        naive += analyse(frame.drop(columns="cluster"), "base", seed=i, n_bootstrap=100).get("b").significant
    mc_se = math.sqrt(ALPHA * (1 - ALPHA) / n_sim)
    assert robust / n_sim <= ALPHA + 3 * mc_se
    assert naive / n_sim > 0.2
