"""Pairwise preferences: case-level sign test with ties, position bias, Bradley–Terry with bootstrap CIs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.stats import analyse_preferences, bradley_terry


def simulate_ratings(rng, strengths, *, n_cases=40, tie_rate=0.1, left_bonus=0.0, raters=1):
    names = list(strengths)
    rows = []
    for case in range(n_cases):
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                for _ in range(raters):
                    a, b = (names[i], names[j]) if rng.random() < 0.5 else (names[j], names[i])
                    left = a if rng.random() < 0.5 else b
                    logit = strengths[a] - strengths[b] + (left_bonus if left == a else -left_bonus)
                    if rng.random() < tie_rate:
                        winner = "tie"
                    else:
                        winner = "a" if rng.random() < 1 / (1 + np.exp(-logit)) else "b"
                    rows.append(
                        {"case": f"c{case}", "variant_a": a, "variant_b": b, "winner": winner, "left": left}
                    )
    return pd.DataFrame(rows)


def test_sign_test_counts_ties_but_excludes_them():
    rows = (
        [
            {"case": f"c{i}", "variant_a": "new", "variant_b": "old", "winner": "a", "left": "new"}
            for i in range(9)
        ]
        + [
            {"case": f"d{i}", "variant_a": "old", "variant_b": "new", "winner": "a", "left": "new"}
            for i in range(2)
        ]
        + [
            {"case": f"e{i}", "variant_a": "new", "variant_b": "old", "winner": "tie", "left": "old"}
            for i in range(5)
        ]
    )
    res = analyse_preferences(pd.DataFrame(rows), reference="old")
    (pair,) = res.pairs
    assert (pair.variant_x, pair.variant_y) == ("new", "old")
    assert (pair.cases_x, pair.cases_y, pair.cases_tied) == (9, 2, 5)
    assert (pair.ratings_x, pair.ratings_y, pair.ratings_tied, pair.n_ratings) == (9, 2, 5, 16)
    assert pair.p_value == pytest.approx(stats.binomtest(9, 11).pvalue)
    assert pair.win_rate == pytest.approx(9 / 11)
    assert "new preferred over old in 9 of 11 decided cases" in pair.sentence()
    assert "5 tied cases" in pair.sentence()
    # left won 9 (new shown left, new won) + 0 (old won but new was left) of 11 decided ratings
    assert res.position_bias.left_wins == 9 and res.position_bias.n_decided == 11
    assert res.position_bias.n_ties == 5


def test_repeated_ratings_are_aggregated_per_case():
    rows = [
        {"case": "c1", "variant_a": "x", "variant_b": "y", "winner": w, "left": "x"} for w in ("a", "a", "b")
    ] + [{"case": "c2", "variant_a": "x", "variant_b": "y", "winner": w, "left": "x"} for w in ("a", "b")]
    (pair,) = analyse_preferences(pd.DataFrame(rows)).pairs
    assert (pair.cases_x, pair.cases_y, pair.cases_tied) == (1, 0, 1)  # c2: one win each → tied case
    assert pair.descriptive_only and pair.p_value is None


def test_position_bias_detected_and_absent():
    rng = np.random.default_rng(0)
    biased = analyse_preferences(simulate_ratings(rng, {"A": 0, "B": 0, "C": 0}, left_bonus=1.0))
    assert biased.position_bias.significant and biased.position_bias.left_win_rate > 0.6
    assert "position bias" in biased.position_bias.sentence()
    fair = analyse_preferences(simulate_ratings(np.random.default_rng(1), {"A": 0, "B": 0, "C": 0}))
    assert fair.position_bias.p_value > 0.01


def test_position_bias_counts_each_pair_shown_once():
    """Five raters of one pair see it the same way round and agree on the better text: their ratings are
    one pair's evidence about the side. The sign test runs over pairs (left ahead / right ahead; even
    pairs left out)."""
    rows = []
    for i in range(11):  # x is the better text everywhere; shown left in c0-c7, right in c8-c10
        for rater in range(5):
            rows.append({"case": f"c{i}", "variant_a": "x", "variant_b": "y", "winner": "a",
                         "left": "x" if i < 8 else "y", "rater": f"r{rater}"})
    rows += [{"case": "c11", "variant_a": "x", "variant_b": "y", "winner": w, "left": "x", "rater": r}
             for w, r in (("a", "r0"), ("b", "r1"))]  # one rating each way: an even pair
    bias = analyse_preferences(pd.DataFrame(rows), n_bootstrap=0).position_bias
    assert (bias.n_pairs, bias.pairs_left, bias.pairs_right, bias.pairs_even) == (12, 8, 3, 1)
    assert (bias.left_wins, bias.n_decided) == (41, 57)
    assert bias.p_value == pytest.approx(stats.binomtest(8, 11).pvalue) and not bias.significant
    assert "per pair shown: left ahead in 8, right ahead in 3, even in 1" in bias.sentence()
    # counted per rating, 41 of 57 would look like a clear left preference
    assert stats.binomtest(bias.left_wins, bias.n_decided).pvalue < 0.002


def test_a_consistent_judge_asked_both_ways_round_shows_no_position_bias():
    rows = [{"case": f"c{i}", "variant_a": "x", "variant_b": "y", "winner": "a", "left": left}
            for i in range(20) for left in ("x", "y")]  # always picks x, whichever side it is on
    bias = analyse_preferences(pd.DataFrame(rows), n_bootstrap=0).position_bias
    assert (bias.pairs_left, bias.pairs_right, bias.pairs_even) == (0, 0, 20)
    assert bias.p_value is None and not bias.significant and "nothing to test" in bias.sentence()


def test_position_units_are_the_output_pairs_when_the_ratings_name_them():
    """Two repeats of one case shown opposite ways round are two pairs shown, not one case that cancels out."""
    rows = [{"case": f"c{i}", "variant_a": "x", "variant_b": "y", "winner": "a" if left == "x" else "b",
             "left": left, "output_a_id": 10 * i + rep, "output_b_id": 10 * i + rep + 5}
            for i in range(8) for rep, left in ((0, "x"), (1, "y"))]  # the left text always wins
    by_output = analyse_preferences(pd.DataFrame(rows), n_bootstrap=0).position_bias
    assert (by_output.n_pairs, by_output.pairs_left, by_output.pairs_right) == (16, 16, 0)
    assert by_output.significant
    by_case = analyse_preferences(pd.DataFrame(rows).drop(columns=["output_a_id", "output_b_id"]),
                                  n_bootstrap=0).position_bias
    assert (by_case.n_pairs, by_case.pairs_left) == (8, 8)  # without the ids: one unit per case and variant pair


def test_bradley_terry_recovers_order_with_bootstrap_cis():
    strengths = {"A": 1.0, "B": 0.3, "C": 0.0, "D": -1.0}
    res = analyse_preferences(simulate_ratings(np.random.default_rng(2), strengths, n_cases=80), seed=1)
    fit = res.bradley_terry
    assert fit is not None and fit.converged
    assert fit.ties.startswith("split")
    table = fit.to_frame()
    assert list(table["variant"]) == ["A", "B", "C", "D"]
    assert all(lo <= t <= hi for lo, t, hi in zip(fit.ci_low, fit.log_strength, fit.ci_high, strict=True))
    assert sum(fit.log_strength) == pytest.approx(0.0, abs=1e-9)
    # true centred strengths lie inside the 95% CIs
    true = np.array(list(strengths.values()))
    true -= true.mean()
    assert np.all((np.array(fit.ci_low) < true) & (true < np.array(fit.ci_high)))
    strong = next(p for p in res.pairs if {p.variant_x, p.variant_y} == {"A", "D"})
    assert strong.significant
    json.dumps(res.to_dict(), allow_nan=False)


def test_ties_count_as_half_wins():
    rows = [
        {"case": "c1", "variant_a": "x", "variant_b": "y", "winner": "tie", "left": "x"},
        {"case": "c2", "variant_a": "x", "variant_b": "y", "winner": "a", "left": "y"},
        {"case": "c3", "variant_a": "y", "variant_b": "x", "winner": "a", "left": "y"},
    ]
    fit = analyse_preferences(pd.DataFrame(rows)).bradley_terry
    theta, _, _ = bradley_terry(np.array([[0, 1.5], [1.5, 0]]))
    assert fit.log_strength == pytest.approx(theta.tolist())
    assert fit.ci_low is None  # two variants: the sign test is the inference, no bootstrap


def test_bad_input():
    with pytest.raises(ValueError, match="winner"):
        analyse_preferences(
            pd.DataFrame(
                {"case": ["c"], "variant_a": ["x"], "variant_b": ["y"], "winner": ["left"], "left": ["x"]}
            )
        )
    with pytest.raises(ValueError, match="itself"):
        analyse_preferences(
            pd.DataFrame(
                {"case": ["c"], "variant_a": ["x"], "variant_b": ["x"], "winner": ["a"], "left": ["x"]}
            )
        )
