"""The anytime-valid sequential test (workbench.stats.sequential): formulas, decisions, resumability."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.stats.sequential import (
    Design,
    TestState,
    boundary_multiplier,
    classify,
    log_mixture_martingale,
    mixture_rho,
    naive_peeking,
    regularised_sd,
    simulate_paths,
    update_test,
)


def test_boundary_matches_the_published_formula() -> None:
    # Howard et al. (2021) / Waudby-Smith et al. (2021): sqrt(2(tρ²+1)/(t²ρ²) log(sqrt(tρ²+1)/α))
    rho = mixture_rho(0.05, 50)
    assert rho == pytest.approx(math.sqrt((-2 * math.log(0.05) + math.log(-2 * math.log(0.05) + 1)) / 50))
    t = 30
    v = t * rho**2 + 1
    expected = math.sqrt(2 * v / (t * t * rho**2) * math.log(math.sqrt(v) / 0.05))
    assert boundary_multiplier(t, 0.05, rho) == pytest.approx(expected)
    # wider than the fixed-n z-interval at every n (the price of looking as often as you like)
    for n in (10, 50, 200, 1000):
        assert boundary_multiplier(n, 0.05, rho) > 1.96 / math.sqrt(n)


def test_martingale_crosses_1_over_alpha_exactly_when_the_interval_excludes_zero() -> None:
    design = Design(max_cases=100, look_every=10, alpha=0.05, n_tests=1)
    rng = np.random.default_rng(3)
    for _ in range(200):
        d = rng.normal(rng.uniform(-0.8, 0.8), 1.0, size=int(rng.integers(5, 100)))
        sd = regularised_sd(d, 1.0)
        excludes = abs(d.mean()) > design.radius(len(d), sd)
        crossed = log_mixture_martingale(len(d), d.sum(), sd, design.rho) >= math.log(1 / design.test_alpha)
        assert excludes == crossed


def test_regularised_sd_never_gives_a_zero_width_interval() -> None:
    tied = np.zeros(10)
    assert regularised_sd(tied, 1.0) == pytest.approx(math.sqrt(1 / 10))
    state = update_test(TestState(("m", "x", "b")), tied, Design(100, 10, 0.05, 1), prior_sd=1.0, margin=None)
    assert state.low < 0 < state.high and state.decision == "undecided"


@pytest.mark.parametrize(
    ("low", "high", "margin", "directed", "expected"),
    [(0.1, 0.5, None, True, "better"), (-0.5, -0.1, None, True, "worse"), (0.1, 0.5, None, False, "higher"),
     (-0.2, 0.3, 0.5, True, "equivalent"), (-0.2, 0.6, 0.5, True, "undecided"), (-0.2, 0.3, None, True, "undecided")],
)
def test_classify(low: float, high: float, margin: float | None, directed: bool, expected: str) -> None:
    assert classify(low, high, margin, directed) == expected


def test_running_intersection_keeps_a_decision_and_min_cases_delays_it() -> None:
    design = Design(max_cases=100, look_every=10, alpha=0.05, n_tests=1, min_cases=30)
    rng = np.random.default_rng(0)
    d = rng.normal(1.5, 1.0, size=100)
    state = TestState(("m", "x", "b"))
    decisions = []
    for n in design.looks():
        state = update_test(state, d[:n], design, prior_sd=1.0)
        decisions.append((n, state.decision))
    assert [dec for n, dec in decisions if n < 30] == ["undecided", "undecided"]
    assert dict(decisions)[30] == "better"
    assert all(dec == "better" for n, dec in decisions if n >= 30)


def test_state_round_trips_through_json() -> None:
    design = Design(max_cases=50, look_every=10, alpha=0.05, n_tests=2)
    state = update_test(TestState(("m", "judge.clarity", "b")), np.array([0.5, 1.0, -0.2, 0.7]), design,
                        prior_sd=1.2, margin=0.3)
    again = TestState.from_dict(state.to_dict())
    assert again == state
    assert TestState.from_dict(TestState(("m", "x", "b")).to_dict()) == TestState(("m", "x", "b"))


def test_vectorised_paths_agree_with_the_one_run_update() -> None:
    design = Design(max_cases=60, look_every=10, alpha=0.05, n_tests=1, min_cases=10)
    rng = np.random.default_rng(7)
    d = rng.normal(0.4, 1.0, size=(30, 60))
    used, code = simulate_paths(d, design, prior_sd=1.0, margin=0.5)
    for i in range(30):
        state = TestState(("m", "x", "b"))
        for n in design.looks():
            state = update_test(state, d[i, :n], design, prior_sd=1.0, margin=0.5)
            if state.decided:
                break
        expected = {"better": 1, "worse": -1, "equivalent": 2, "undecided": 0}[state.decision]
        assert (code[i], used[i]) == (expected, n if state.decided else 60)


def test_looks_end_at_max_cases() -> None:
    assert Design(max_cases=35, look_every=10, alpha=0.05, n_tests=1).looks() == [10, 20, 30, 35]
    assert Design(max_cases=30, look_every=10, alpha=0.05, n_tests=1).looks() == [10, 20, 30]


def test_naive_peeking_counts_any_look() -> None:
    d = np.vstack([np.r_[np.full(10, 3.0) + np.arange(10) * 0.01, np.zeros(10)], np.tile([1.0, -1.0], 10)])
    assert naive_peeking(d, [10, 20], 0.05).tolist() == [True, False]
