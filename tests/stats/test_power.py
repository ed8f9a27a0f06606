"""Power, sample size, minimum detectable effect and the cases-vs-repeats planner."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.stats import (
    VarianceSplit,
    analyse,
    minimum_detectable_effect,
    paired_t_power,
    paired_t_sample_size,
    plan_allocation,
    variance_split,
)


@pytest.mark.parametrize(("d", "n"), [(0.5, 34), (0.8, 15), (0.2, 199), (1.0, 10)])
def test_sample_size_is_smallest_n_reaching_power(d, n):
    assert paired_t_sample_size(d) == n
    assert paired_t_power(d, n) >= 0.8 > paired_t_power(d, n - 1)


def test_sample_size_options():
    assert paired_t_sample_size(-0.5) == 34  # two-sided: sign irrelevant
    assert paired_t_sample_size(0.5, alternative="greater") < 34
    assert paired_t_sample_size(0.5, power=0.9) > 34
    with pytest.raises(ValueError):
        paired_t_sample_size(0.0)
    with pytest.raises(ValueError):
        paired_t_sample_size(-0.5, alternative="greater")


def test_power_edges():
    assert paired_t_power(0.0, 30) == pytest.approx(0.05, abs=1e-12)  # size of the test
    assert math.isnan(paired_t_power(0.5, 1))
    assert paired_t_power(0.79, 1000) == pytest.approx(1.0)  # scipy nct tail NaN handled


def test_mde_inverts_power():
    mde = minimum_detectable_effect(20, sd=2.0)
    assert paired_t_power(mde / 2.0, 20) == pytest.approx(0.8, abs=1e-8)
    assert 0.48 < minimum_detectable_effect(34, 1.0) < 0.5  # 34 pairs give 80% power at d = 0.5
    assert math.isnan(minimum_detectable_effect(1, 1.0)) and math.isnan(minimum_detectable_effect(10, 0.0))


def test_variance_split_recovers_components():
    rng = np.random.default_rng(0)
    n, k, sb, sw = 4000, 4, 0.6, 1.5  # σ_b of the case difference, σ_w per output and variant
    between = rng.normal(0, sb, n)
    a = rng.normal(0, sw, (n, k)) + between[:, None]
    b = rng.normal(0, sw, (n, k))
    d = a.mean(axis=1) - b.mean(axis=1)
    split = variance_split(d, a.var(axis=1, ddof=1), b.var(axis=1, ddof=1), np.full(n, k), np.full(n, k))
    assert split.sigma2_between == pytest.approx(sb**2, rel=0.15)
    assert split.sigma2_within == pytest.approx(2 * sw**2, rel=0.05)
    assert split.var_mean(n, k) == pytest.approx(np.var(d, ddof=1) / n, rel=0.1)
    assert variance_split(d[:1], [1.0], [1.0], [2], [2]) is None


def test_plan_prefers_cases_unless_they_are_capped_or_costly():
    split = VarianceSplit(sigma2_between=1.0, sigma2_within=8.0, n_cases=20, n_repeats=3)
    free = plan_allocation(split, budget_calls=1200)
    assert free.recommended.n_repeats == 1 and free.recommended.n_cases == 600
    assert "cases" in free.explanation
    capped = plan_allocation(split, budget_calls=1200, max_cases=50)
    assert capped.recommended.n_cases == 50 and capped.recommended.n_repeats > 1
    costly = plan_allocation(split, budget_calls=1200, case_cost_calls=20)
    assert costly.recommended.n_repeats > 1
    assert costly.notes and "K*" in costly.notes[0]
    # each option's se follows Var = (σ²_b + σ²_w/K)/n
    for o in free.options:
        assert o.se == pytest.approx(math.sqrt(split.var_mean(o.n_cases, o.n_repeats)))
    assert free.to_dict()["recommended"]["n_repeats"] == 1


def test_plan_from_an_analysis(simulate):
    frame = simulate(np.random.default_rng(3), n_cases=30, n_repeats=4, sigma_noise=2.0)
    plan = analyse(frame, "base").plan("b", budget_calls=800)
    assert plan is not None and plan.recommended.n_repeats == 1 and plan.recommended.n_cases == 400
    single = simulate(np.random.default_rng(4), n_cases=30, n_repeats=1)
    assert analyse(single, "base").plan("b", budget_calls=800) is None
