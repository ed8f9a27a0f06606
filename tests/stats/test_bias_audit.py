"""Name-swap bias audit: planted effects are flagged, the null rarely is, labels are always present."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.stats import audit_bias
from workbench.stats.bias_audit import LABEL

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


def test_planted_name_effect_is_red_with_label():
    data = simulate_audit(
        np.random.default_rng(0), group_effects={"dutch_origin": 0.0, "moroccan_dutch": -1.0}
    )
    audit = audit_bias(data)
    unit = audit.units[0]
    assert audit.flag == unit.flag == "red"
    assert unit.reference == "dutch_origin"  # highest selection rate
    (comp,) = unit.comparisons
    assert comp.group == "moroccan_dutch" and comp.flag == "red"
    assert comp.impact_ratio < 0.8 and comp.p_adjusted < 0.05
    assert comp.impact_ratio_ci_low < comp.impact_ratio < comp.impact_ratio_ci_high
    assert comp.impact_ratio == pytest.approx(comp.rate / comp.reference_rate)
    assert comp.explanation.startswith("RED") and LABEL in comp.explanation
    assert LABEL in unit.explanation and comp.label == unit.label == audit.label == LABEL
    table = audit.to_frame()
    assert (table["label"] == LABEL).all()
    payload = json.loads(json.dumps(audit.to_dict(), allow_nan=False))
    assert payload["label"] == LABEL and payload["units"][0]["comparisons"][0]["flag"] == "red"


def test_three_groups_omnibus_and_holm():
    data = simulate_audit(
        np.random.default_rng(1),
        group_effects={"dutch_origin": 0.0, "moroccan_dutch": -1.2, "turkish_dutch": 0.0},
    )
    unit = audit_bias(data).units[0]
    assert unit.omnibus is not None and unit.omnibus.test == "Friedman" and unit.omnibus.significant
    flags = {c.group: c.flag for c in unit.comparisons}
    assert unit.reference not in flags and len(flags) == 2
    assert flags["moroccan_dutch"] == "red"
    assert all(c.p_adjusted >= c.p_value for c in unit.comparisons)


def test_declared_reference_group():
    data = simulate_audit(
        np.random.default_rng(2), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}
    )
    unit = audit_bias(data, reference_group="moroccan_dutch").units[0]
    assert unit.reference == "moroccan_dutch" and unit.comparisons[0].group == "dutch_origin"
    with pytest.raises(ValueError, match="reference group"):
        audit_bias(data, reference_group="nope")


def test_no_material_bias_needs_equivalence():
    big = simulate_audit(
        np.random.default_rng(3), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}, n_cases=400
    )
    comp = audit_bias(big, n_bootstrap=300).units[0].comparisons[0]
    assert comp.flag == "green" and comp.equivalent and comp.tost_p < 0.05
    assert comp.explanation.startswith("GREEN (no material bias)")
    small = simulate_audit(
        np.random.default_rng(3), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}, n_cases=12
    )
    comp = audit_bias(small, n_bootstrap=300).units[0].comparisons[0]
    assert comp.flag in {"inconclusive", "orange"} and not comp.equivalent


def test_low_ratio_without_significance_is_orange_with_cases_needed():
    data = simulate_audit(
        np.random.default_rng(0),
        group_effects={"dutch_origin": 0.0, "moroccan_dutch": -0.6},
        n_cases=10,
        base=-1.0,
        repeats=1,
    )
    comp = audit_bias(data).units[0].comparisons[0]
    assert comp.impact_ratio < 0.8 and comp.p_adjusted >= 0.05
    assert comp.flag == "orange"
    assert comp.cases_needed is not None and comp.cases_needed > comp.n_cases
    assert f"about {comp.cases_needed} cases" in comp.explanation


def test_numeric_scores_use_scoring_rate_and_score_margin():
    data = simulate_audit(
        np.random.default_rng(5), group_effects={"dutch_origin": 0.0, "moroccan_dutch": -1.0}, outcome="score"
    )
    unit = audit_bias(data).units[0]
    assert unit.outcome == "score" and unit.flip is None
    comp = unit.comparisons[0]
    assert comp.margin == 0.5
    assert comp.difference == pytest.approx(-1.0, abs=0.3)
    assert 0 <= comp.rate <= 1 and comp.impact_ratio < 0.8 and comp.flag == "red"


def test_flip_rates_separate_name_effects_from_noise():
    # deterministic decisions driven by the group → cross-group pairs flip, reruns of a name never do
    data = simulate_audit(
        np.random.default_rng(6), group_effects={"dutch_origin": 4.0, "moroccan_dutch": -4.0}, case_sd=0.0
    )
    flip = audit_bias(data).units[0].flip
    assert flip.cross_group > 0.8 and flip.same_name < 0.1
    assert flip.p_value < 0.05 and "beyond run-to-run noise" in flip.conclusion
    # pure noise: p = 0.5 for everyone → all three flip rates ≈ 0.5
    noise = simulate_audit(
        np.random.default_rng(7),
        group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0},
        case_sd=0.0,
        repeats=4,
    )
    flip = audit_bias(noise).units[0].flip
    assert flip.cross_group == pytest.approx(0.5, abs=0.05) and flip.same_name == pytest.approx(0.5, abs=0.05)
    assert "consistent with run-to-run noise" in flip.conclusion and LABEL in flip.conclusion


def test_names_must_be_nested_in_groups():
    data = simulate_audit(
        np.random.default_rng(8), group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0}, n_cases=5
    )
    data.loc[0, "swap_group"] = "moroccan_dutch"
    with pytest.raises(ValueError, match="nested"):
        audit_bias(data)


def test_red_rate_under_the_null_is_at_most_alpha():
    # 300 null audits (no group effect, low base rate so ratios < 0.8 are common by chance): red requires
    # significance, so it must not exceed α plus Monte Carlo error.
    n_sim, alpha = 300, 0.05
    red = 0
    low_ratio = 0
    for seed in range(n_sim):
        data = simulate_audit(
            np.random.default_rng(1000 + seed),
            group_effects={"dutch_origin": 0.0, "moroccan_dutch": 0.0},
            n_cases=30,
            base=-2.5,
        )
        comp = audit_bias(data, n_permutations=2_000, n_bootstrap=0, seed=seed).units[0].comparisons[0]
        red += comp.flag == "red"
        low_ratio += comp.impact_ratio is not None and comp.impact_ratio < 0.8
    mc_se = np.sqrt(alpha * (1 - alpha) / n_sim)
    assert red / n_sim <= alpha + 3 * mc_se
    assert low_ratio / n_sim > 0.25  # the ratio alone would have flagged many null audits
