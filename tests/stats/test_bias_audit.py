"""Name-swap bias audit: names are a random factor; hand-computed example, flags, flips, labels."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.stats import audit_bias
from workbench.stats.bias_audit import LABEL, additive_name_levels

GROUP_NAMES = {
    "dutch_origin": ["Jan de Vries", "Sanne Bakker", "Pieter Jansen"],
    "moroccan_dutch": ["Mohammed El Amrani", "Fatima Bouzid", "Youssef Ait Said"],
    "turkish_dutch": ["Emre Yilmaz", "Elif Demir", "Burak Kaya"],
}


def simulate_audit(
    rng,
    *,
    group_effects,
    n_cases=40,
    repeats=2,
    base=0.0,
    case_sd=1.0,
    outcome="selection",
    name_effects=None,
):
    """Logit (selection) or score = case effect + group effect (+ name effect) (+ noise)."""
    rows = []
    name_effects = name_effects or {}
    for case in range(n_cases):
        case_eff = base + rng.normal(0, case_sd)
        for group, shift in group_effects.items():
            for name in GROUP_NAMES[group]:
                eta = case_eff + shift + name_effects.get(name, 0.0)
                for rep in range(repeats):
                    if outcome == "selection":
                        value = float(rng.random() < 1 / (1 + np.exp(-eta)))
                    else:
                        value = 5.0 + eta + rng.normal(0, 1.0)
                    rows.append(
                        {
                            "case": f"cv{case:03d}",
                            "model": "m",
                            "variant": "screen_v1",
                            "repeat": rep,
                            "swap_group": group,
                            "swap_name": name,
                            "metric": "selected",
                            "value": value,
                        }
                    )
    return pd.DataFrame(rows)


def table_frame(values: dict[str, list[float]], groups: dict[str, str], metric: str = "outcome") -> pd.DataFrame:
    """Long audit frame from {name: [value per case]} (one repeat)."""
    rows = [
        {"case": f"c{i}", "model": "m", "variant": "v", "repeat": 0, "swap_group": groups[name],
         "swap_name": name, "metric": metric, "value": float(x)}
        for name, xs in values.items() for i, x in enumerate(xs)
    ]
    return pd.DataFrame(rows)


def test_name_level_test_against_a_hand_computed_example():
    # 4 cases (CVs) × 6 names, 0/1 invite decisions; group "a" vs the declared reference "b".
    values = {"a1": [1, 0, 1, 0], "a2": [0, 0, 0, 1], "a3": [1, 1, 0, 1],
              "b1": [1, 1, 1, 1], "b2": [1, 1, 1, 0], "b3": [1, 0, 1, 1]}
    groups = {n: n[0] for n in values}
    audit = audit_bias(table_frame(values, groups), reference_group="b")
    (unit,) = audit.units
    (comp,) = unit.comparisons
    # By hand. Complete table, so each name's level is its own mean over the 4 cases:
    #   a: 0.50, 0.25, 0.75 → group rate 0.5;   b: 1.00, 0.75, 0.75 → reference rate 0.8333
    #   difference −1/3; pooled within-group variance of the name levels
    #   s² = [(0² + 0.25² + 0.25²) + (0.1667² + 0.0833² + 0.0833²)] / (6 − 2) = 0.16667 / 4 = 0.041667
    #   SE = √(s² (1/3 + 1/3)) = 0.16667, t = −2.0 on 4 df, p = 2 P(T₄ > 2) = 0.1161
    s2 = ((0**2 + 0.25**2 + 0.25**2) + ((1 / 6) ** 2 + (1 / 12) ** 2 + (1 / 12) ** 2)) / 4
    assert s2 == pytest.approx(1 / 24)
    assert comp.rate == pytest.approx(0.5) and comp.reference_rate == pytest.approx(5 / 6)
    assert comp.difference == pytest.approx(-1 / 3) and comp.df == 4
    se = math.sqrt(s2 * (2 / 3))
    assert se == pytest.approx(1 / 6)
    assert comp.p_value == pytest.approx(2 * stats.t.sf(2.0, 4)) and comp.p_value == pytest.approx(0.1161, abs=5e-5)
    assert comp.ci_low == pytest.approx(-1 / 3 - stats.t.ppf(0.975, 4) / 6)
    # impact ratio 0.5 / 0.8333 = 0.6, delta-method CI on the log scale from the same name variance:
    #   SE(log ratio) = √(s² (1/(3·0.5²) + 1/(3·0.8333²))) = 0.27487; exp(log 0.6 ± 2.7764 · 0.27487)
    #   = 0.2797 to 1.2870
    se_log = math.sqrt(s2 * (1 / (3 * 0.25) + 1 / (3 * (5 / 6) ** 2)))
    assert se_log == pytest.approx(0.27487, abs=5e-6)
    assert comp.impact_ratio == pytest.approx(0.6)
    assert comp.impact_ratio_ci_low == pytest.approx(0.6 * math.exp(-stats.t.ppf(0.975, 4) * se_log))
    assert comp.impact_ratio_ci_high == pytest.approx(0.6 * math.exp(stats.t.ppf(0.975, 4) * se_log))
    assert (comp.impact_ratio_ci_low, comp.impact_ratio_ci_high) == (pytest.approx(0.2797, abs=5e-5),
                                                                     pytest.approx(1.2870, abs=5e-5))
    # not significant, and the ratio CI is far from the 0.8-1.25 band: inconclusive, not green or orange
    assert comp.flag == "inconclusive" and not comp.equivalent
    # The per-case analysis this replaces treats the 4 case-level group differences (−1/3, −1/3, −2/3, 0)
    # as the evidence (t = −2.45 on 3 df) and ignores that only 3 + 3 names carry the group contrast.
    per_case = np.array([2 / 3 - 1, 1 / 3 - 2 / 3, 1 / 3 - 1, 2 / 3 - 2 / 3])
    assert per_case.mean() == pytest.approx(comp.difference)


def test_additive_fit_adjusts_names_for_missing_cases():
    # name "x" misses the hardest case: its raw mean would flatter it; the additive fit does not
    cell = np.array([[8.0, 7.0, 9.0], [6.0, 5.0, 7.0], [2.0, 1.0, np.nan]])
    levels, resid_var, df = additive_name_levels(cell)
    np.testing.assert_allclose(levels - levels.mean(), [0.0, -1.0, 1.0], atol=1e-9)
    assert resid_var == pytest.approx(0.0, abs=1e-12) and df == 8 - 3 - 3 + 1
    complete = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(additive_name_levels(complete)[0], complete.mean(axis=0))


def test_heterogeneous_names_are_not_a_group_effect():
    # Names differ a lot (one very popular name in group a), no group effect at all, many cases and
    # little output noise: a case-level test would be overwhelmingly "significant"; the name-level one not.
    rng = np.random.default_rng(0)
    name_shift = {"a1": 1.5, "a2": -0.2, "a3": 0.1, "b1": -0.1, "b2": 0.3, "b3": -0.4}
    merit = rng.normal(6, 1, 200)
    values = {n: list(merit + s + rng.normal(0, 0.3, 200)) for n, s in name_shift.items()}
    audit = audit_bias(table_frame(values, {n: n[0] for n in values}), reference_group="b")
    comp = audit.units[0].comparisons[0]
    assert comp.difference == pytest.approx(0.5, abs=0.05)
    assert comp.p_value > 0.05 and comp.flag != "red"
    case_level = stats.ttest_1samp(np.mean([values[n] for n in ("a1", "a2", "a3")], axis=0)
                                   - np.mean([values[n] for n in ("b1", "b2", "b3")], axis=0), 0.0)
    assert case_level.pvalue < 1e-10
    assert audit.units[0].name_sd == pytest.approx(np.std(list(name_shift.values()), ddof=2), rel=0.35)


def test_planted_name_effect_is_red_with_label():
    data = simulate_audit(
        np.random.default_rng(0), group_effects={"dutch_origin": 0.0, "moroccan_dutch": -1.0}
    )
    audit = audit_bias(data, reference_group="dutch_origin")
    unit = audit.units[0]
    assert audit.flag == unit.flag == "red"
    assert unit.reference == "dutch_origin"
    (comp,) = unit.comparisons
    assert comp.group == "moroccan_dutch" and comp.flag == "red" and comp.disadvantaged == "moroccan_dutch"
    assert comp.impact_ratio < 0.8 and comp.p_adjusted < 0.05
    assert comp.impact_ratio_ci_low < comp.impact_ratio < comp.impact_ratio_ci_high
    assert comp.impact_ratio == pytest.approx(comp.rate / comp.reference_rate)
    assert comp.explanation.startswith("RED") and LABEL in comp.explanation
    assert LABEL in unit.explanation and comp.label == unit.label == audit.label == LABEL
    assert audit.explanation.startswith("overall RED, from screen_v1 / selected: moroccan_dutch vs dutch_origin")
    table = audit.to_frame()
    assert (table["label"] == LABEL).all()
    payload = json.loads(json.dumps(audit.to_dict(), allow_nan=False))
    assert payload["label"] == LABEL and payload["units"][0]["comparisons"][0]["flag"] == "red"
    assert payload["worst"] == {"model": "m", "variant": "screen_v1", "metric": "selected",
                                "group": "moroccan_dutch", "reference": "dutch_origin"}


def test_reference_group_treated_worse_is_red_too():
    data = simulate_audit(np.random.default_rng(1), group_effects={"dutch_origin": -1.0, "moroccan_dutch": 0.0})
    comp = audit_bias(data, reference_group="dutch_origin").units[0].comparisons[0]
    assert comp.impact_ratio > 1.25 and comp.disadvantaged == "dutch_origin" and comp.flag == "red"


def test_three_groups_omnibus_and_holm_across_the_audit():
    data = simulate_audit(
        np.random.default_rng(1),
        group_effects={"dutch_origin": 0.0, "moroccan_dutch": -1.2, "turkish_dutch": 0.0},
    )
    two_variants = pd.concat([data, data.assign(variant="screen_v2")])
    audit = audit_bias(two_variants, reference_group="dutch_origin")
    unit = audit.units[0]
    assert unit.omnibus is not None and unit.omnibus.test.startswith("F on name levels")
    assert unit.omnibus.df == 2 and unit.omnibus.df2 == 6 and unit.omnibus.significant
    assert "F=" in unit.omnibus.sentence() and "df=2,6" in unit.omnibus.sentence()
    flags = {c.group: c.flag for c in unit.comparisons}
    assert unit.reference not in flags and len(flags) == 2
    assert flags["moroccan_dutch"] == "red"
    comps = [c for _, c in audit.comparisons]
    assert len(comps) == 4 and all(c.family_size == 4 for c in comps)
    np.testing.assert_allclose([c.p_adjusted for c in comps],
                               np.minimum(1, np.maximum.accumulate(np.sort([c.p_value for c in comps])
                                                                   * np.arange(4, 0, -1)))[
                                   np.argsort(np.argsort([c.p_value for c in comps]))])
    assert all(c.ci_level == pytest.approx(1 - 0.05 / 4) for c in comps)


def test_declared_reference_group_and_default():
    data = simulate_audit(
        np.random.default_rng(2), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}
    )
    unit = audit_bias(data, reference_group="moroccan_dutch").units[0]
    assert unit.reference == "moroccan_dutch" and unit.comparisons[0].group == "dutch_origin"
    assert audit_bias(data).units[0].reference == "dutch_origin"  # default: first in sorted order, fixed
    with pytest.raises(ValueError, match="reference group"):
        audit_bias(data, reference_group="nope")


def test_green_needs_the_displayed_ratio_ci_inside_the_band():
    big = simulate_audit(
        np.random.default_rng(3), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}, n_cases=400
    )
    comp = audit_bias(big).units[0].comparisons[0]
    assert comp.flag == "green" and comp.equivalent
    assert comp.impact_ratio_ci_low >= 0.8 and comp.impact_ratio_ci_high <= 1.25
    assert comp.explanation.startswith("GREEN (no material bias)")
    with_margin = audit_bias(big, margin=0.001).units[0].comparisons[0]
    assert with_margin.flag == "inconclusive" and with_margin.tost_p is not None  # ±0.001 is not shown
    small = simulate_audit(
        np.random.default_rng(3), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}, n_cases=12
    )
    comp = audit_bias(small).units[0].comparisons[0]
    assert comp.flag == "inconclusive" and not comp.equivalent


def test_low_ratio_without_significance_is_inconclusive_with_cases_and_names_needed():
    data = simulate_audit(
        np.random.default_rng(0),
        group_effects={"dutch_origin": 0.0, "moroccan_dutch": -0.6},
        n_cases=10,
        base=-1.0,
        repeats=1,
    )
    comp = audit_bias(data).units[0].comparisons[0]
    assert min(comp.impact_ratio, 1 / comp.impact_ratio) < 0.8 and comp.p_adjusted >= 0.05
    assert comp.flag == "inconclusive"  # a low point ratio alone is not a flag with a known error rate
    assert comp.names_needed is not None and comp.names_needed > 3
    if comp.cases_needed is not None:
        assert f"about {comp.cases_needed} cases" in comp.explanation
    else:
        assert f"about {comp.names_needed} names per group are needed" in comp.explanation


def test_numeric_scores_use_scoring_rate():
    data = simulate_audit(
        np.random.default_rng(5), group_effects={"dutch_origin": 0.0, "moroccan_dutch": -1.0}, outcome="score"
    )
    unit = audit_bias(data).units[0]
    assert unit.outcome == "score" and unit.flip is None
    comp = unit.comparisons[0]
    assert comp.margin is None and comp.tost_p is None
    assert comp.difference == pytest.approx(-1.0, abs=0.3)
    assert 0 <= comp.rate <= 1 and comp.impact_ratio < 0.8 and comp.flag == "red"


def test_flip_rates_compare_cross_group_with_within_group_names():
    # deterministic decisions driven by the group → cross-group pairs flip, names within a group never do
    three = {"dutch_origin": 4.0, "moroccan_dutch": -4.0, "turkish_dutch": -4.0}
    flip = audit_bias(simulate_audit(np.random.default_rng(6), group_effects=three, case_sd=0.0)).units[0].flip
    assert flip.cross_group > 0.6 and flip.within_group < 0.1 and flip.same_name < 0.1
    assert flip.excess == pytest.approx(flip.cross_group - flip.within_group)
    assert flip.n_relabellings == 1680  # 9! / (3! 3! 3!) relabellings of the names, all enumerated
    assert flip.p_value < 0.05 and "group membership, not just the individual name" in flip.conclusion
    # with 3 + 3 names there are only 20 relabellings and two give the same split: p ≥ 0.1 always
    two = audit_bias(simulate_audit(np.random.default_rng(6), group_effects={"dutch_origin": 4.0,
                                                                             "moroccan_dutch": -4.0}, case_sd=0.0))
    assert two.units[0].flip.p_value == pytest.approx(0.1) and "cannot reach p < 0.05" in two.units[0].flip.conclusion
    # one name differs from all others, no group effect: cross- and within-group flips are alike
    noisy = simulate_audit(np.random.default_rng(7), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0,
                                                                    "turkish_dutch": 0.0},
                           case_sd=0.0, repeats=4, name_effects={"Jan de Vries": 3.0})
    flip = audit_bias(noisy).units[0].flip
    assert flip.p_value > 0.05 and "no sign that group membership" in flip.conclusion and LABEL in flip.conclusion


def test_flip_tests_are_holm_corrected_over_the_audit():
    """Two prompts audited together: each flip claim rests on the Holm-adjusted p over both flip tests."""
    from workbench.stats import adjust_pvalues

    three = {"dutch_origin": 4.0, "moroccan_dutch": -4.0, "turkish_dutch": -4.0}
    planted = simulate_audit(np.random.default_rng(6), group_effects=three, case_sd=0.0)
    fair = simulate_audit(np.random.default_rng(9), group_effects=dict.fromkeys(three, 0.0), case_sd=0.0)
    both = pd.concat([planted, fair.assign(variant="other")])
    flips = {u.variant: u.flip for u in audit_bias(both).units}
    raw = [flips[v].p_value for v in sorted(flips)]
    assert [flips[v].p_adjusted for v in sorted(flips)] == pytest.approx(list(adjust_pvalues(raw, "holm")))
    assert all(f.family_size == 2 and "Holm-adjusted p" in f.conclusion for f in flips.values())
    for f in flips.values():
        claimed = "group membership, not just the individual name" in f.conclusion
        assert claimed == (f.p_adjusted < 0.05 and f.excess > 0)
    # the planted prompt alone would have been a claim (3 names per group: p cannot go far below 0.05)
    assert flips["screen_v1"].p_value < 0.05 <= flips["screen_v1"].p_adjusted
    alone = audit_bias(planted).units[0].flip  # one flip test: nothing to correct
    assert alone.family_size == 1 and alone.p_adjusted == alone.p_value and "Holm-adjusted" not in alone.conclusion


def test_names_that_compete_in_one_rendering_are_compared_within_their_block():
    """A ranking's name set (column `block`) holds one name per group: the comparison is a block design with
    (sets − 1) × (groups − 1) df; a set that lacks a group falls back to independent names, with a warning."""
    rng = np.random.default_rng(3)
    rows = []
    for case in range(10):
        for j in range(3):  # name sets
            for rep in range(2):
                first = rng.integers(3)
                rows += [{"case": f"c{case}", "model": "m", "variant": "v", "repeat": f"{j}-{rep}", "swap_group": g,
                          "swap_name": f"{g}{j}", "metric": "top1", "value": float(i == first), "block": f"set{j}"}
                         for i, g in enumerate(("a", "b", "c"))]
    frame = pd.DataFrame(rows)
    blocked = audit_bias(frame, reference_group="a").units[0]
    assert {c.df for c in blocked.comparisons} == {4}
    assert {c.df for c in audit_bias(frame.drop(columns="block"), reference_group="a").units[0].comparisons} == {6}
    broken = frame[~((frame["block"] == "set2") & (frame["swap_group"] == "c"))]
    unit = audit_bias(broken, reference_group="a").units[0]
    assert "unbalanced_blocks" in {w.code for w in unit.warnings} and {c.df for c in unit.comparisons} == {5}


def test_few_names_are_warned_with_the_number_needed():
    data = simulate_audit(np.random.default_rng(8), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0},
                          name_effects={"Jan de Vries": 1.0, "Fatima Bouzid": -1.0}, n_cases=60)
    unit = audit_bias(data).units[0]
    messages = " ".join(w.message for w in unit.warnings if w.code == "few_names")
    assert "names per group are needed" in messages
    one = data[data["swap_name"].isin(["Jan de Vries", "Sanne Bakker", "Pieter Jansen", "Fatima Bouzid"])]
    unit = audit_bias(one).units[0]
    assert any("at least 2 names per group are needed" in w.message for w in unit.warnings)


def test_names_must_be_nested_in_groups():
    data = simulate_audit(
        np.random.default_rng(8), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}, n_cases=5
    )
    data.loc[0, "swap_group"] = "moroccan_dutch"
    with pytest.raises(ValueError, match="nested"):
        audit_bias(data)
