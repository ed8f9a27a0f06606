"""analyse(): aggregation, comparison families, binary paths, clustering, serialisation, reproducibility."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.stats import adjust_pvalues, aggregate_scores, analyse
from workbench.stats.power import mde_from_se


def test_repeats_are_averaged_within_case_before_pairing():
    frame = pd.DataFrame(
        {
            "case": ["c1"] * 4 + ["c2"] * 4,
            "variant": ["a", "a", "b", "b"] * 2,
            "model": "m",
            "repeat": [0, 1] * 4,
            "metric": "s",
            "value": [1.0, 3.0, 0.0, 0.0, 10.0, np.nan, 4.0, 6.0],
        }
    )
    (tab,) = aggregate_scores(frame)
    assert tab.variants == ("a", "b")
    np.testing.assert_allclose(tab.means, [[2.0, 0.0], [10.0, 5.0]])
    np.testing.assert_array_equal(tab.counts, [[2, 2], [1, 2]])
    np.testing.assert_array_equal(tab.planned, [[2, 2], [2, 2]])
    np.testing.assert_allclose(tab.within_var, [[2.0, 0.0], [np.nan, 2.0]])
    assert tab.kind == "numeric"


def test_kind_inference_and_column(simulate):
    frame = simulate(np.random.default_rng(0))
    frame["value"] = (frame["value"] > 0).astype(float)
    assert aggregate_scores(frame)[0].kind == "binary"
    frame["kind"] = "numeric"
    assert aggregate_scores(frame)[0].kind == "numeric"
    frame.loc[0, "kind"] = "binary"
    with pytest.raises(ValueError, match="mixes"):
        aggregate_scores(frame)


def test_input_validation(simulate):
    frame = simulate(np.random.default_rng(0))
    with pytest.raises(ValueError, match="lacks columns"):
        analyse(frame.drop(columns="repeat"), "base")
    with pytest.raises(ValueError, match="unknown correction"):
        analyse(frame, "base", correction="sidak")
    clustered = frame.assign(cluster=np.where(frame["repeat"] == 0, "x", "y"))
    with pytest.raises(ValueError, match="exactly one cluster"):
        analyse(clustered, "base")


def test_planted_effect_found_with_all_numbers(simulate):
    frame = simulate(np.random.default_rng(11), n_cases=30, effects={"base": 0.0, "better": 1.2, "same": 0.0})
    res = analyse(frame, "base", metric_directions={"score": True})
    better, same = res.get("better"), res.get("same")
    assert better.significant and better.direction == "better"
    assert better.ci_low > 0 and better.bootstrap_ci_low > 0 and better.wilcoxon_p < 0.05
    assert better.d_z > 0.8 and better.rank_biserial > 0.5 and better.hodges_lehmann > 0.5
    assert better.p_adjusted >= better.p_value
    assert better.n_better + better.n_worse + better.n_tied == better.n_cases == 30
    assert better.n_repeats == 3 and better.mde is not None and better.mde_alpha == pytest.approx(0.025)
    assert not same.significant and same.mde is not None and same.mde > 0
    assert better.sigma2_within == pytest.approx(2.0, rel=0.3)  # two variants × σ²_noise = 1
    (omni,) = res.omnibus
    assert omni.test == "Friedman" and omni.significant and 0 < omni.kendalls_w <= 1


def test_omnibus_claims_are_corrected_over_their_family(simulate):
    """"N variants differ on <metric>" rests on the omnibus p corrected like the pairwise verdicts: Holm
    over the primary metrics' omnibus tests (per model with family="model"), BH over the exploratory ones."""
    from workbench.stats.multiplicity import adjust_pvalues

    rng = np.random.default_rng(8)
    effects = {"base": 0.0, "b": 0.0, "c": 0.0}
    frame = pd.concat([simulate(rng, effects=effects, metric=m, model=model)
                       for model in ("m", "n") for m in ("m1", "m2", "m3")])
    run = analyse(frame, "base", primary=["m1", "m2"], n_bootstrap=0)
    primary = [o for o in run.omnibus if o.family == "primary"]
    exploratory = [o for o in run.omnibus if o.family == "secondary"]
    assert len(primary) == 4 and len(exploratory) == 2
    assert [o.p_adjusted for o in primary] == pytest.approx(list(adjust_pvalues([o.p_value for o in primary])))
    assert [o.p_adjusted for o in exploratory] == pytest.approx(
        list(adjust_pvalues([o.p_value for o in exploratory], "bh")))
    for o in run.omnibus:
        assert o.significant == (o.p_adjusted < 0.05) and o.p_adjusted >= o.p_value
    first = primary[0]
    assert first.family_size == 4 and "Holm-adjusted p" in first.sentence()
    assert "(primary family, Holm over 4 omnibus tests)" in first.sentence()
    assert "secondary (exploratory), Benjamini–Hochberg over 2 omnibus tests" in exploratory[0].sentence()
    per_model = analyse(frame, "base", primary=["m1", "m2"], family="model", n_bootstrap=0)
    assert {o.family_size for o in per_model.omnibus if o.family == "primary"} == {2}
    # a raw p below α that the family's correction lifts above it is no "differ" claim
    rng = np.random.default_rng(0)
    planted = pd.concat([simulate(rng, effects={"base": 0, "b": 0.45, "c": 0}, metric=m)
                         for m in ("m1", "m2", "m3", "m4", "m5", "m6")])
    lifted = [o for o in analyse(planted, "base", n_bootstrap=0).omnibus if o.p_value < 0.05 <= o.p_adjusted]
    assert lifted and all(not o.significant and "show no significant overall difference" in o.sentence()
                          for o in lifted)


def test_families_run_model_and_model_metric(simulate):
    rng = np.random.default_rng(5)
    frame = pd.concat(
        [
            simulate(rng, effects={"base": 0, "b": 0.3, "c": 0.0}, metric="m1"),
            simulate(rng, effects={"base": 0, "b": 0.3, "c": 0.0}, metric="m2"),
        ]
    )
    run = analyse(frame, "base")  # default: every metric primary, one Holm family over the run
    per_metric = analyse(frame, "base", family="model_metric")
    for metric in ("m1", "m2"):
        p1, p2 = sorted(per_metric.get(v, metric).p_value for v in ("b", "c"))
        expected = [min(1.0, 2 * p1), max(min(1.0, 2 * p1), p2)]  # Holm step-down for m = 2
        assert sorted(per_metric.get(v, metric).p_adjusted for v in ("b", "c")) == pytest.approx(expected)
    np.testing.assert_allclose(
        [v.p_adjusted for v in run.verdicts], adjust_pvalues([v.p_value for v in run.verdicts], "holm")
    )
    assert {v.family_size for v in run.verdicts} == {4} and {v.family_size for v in per_metric.verdicts} == {2}
    assert [f.describe() for f in run.families] == [
        "primary (confirmatory): Holm over 4 tests (2 metrics × comparisons × models in the run)"
    ]
    # a bigger family can only make adjusted p-values larger
    for v in run.verdicts:
        assert v.p_adjusted >= per_metric.get(v.variant, v.metric).p_adjusted - 1e-12
    none = analyse(frame, "base", correction="none")
    assert all(v.p_adjusted == v.p_value for v in none.verdicts)


def test_models_share_the_run_family_unless_each_is_its_own(simulate):
    rng = np.random.default_rng(6)
    frame = pd.concat([simulate(rng, model="gpt"), simulate(rng, model="claude")])
    per_model = analyse(frame, "base", family="model")
    for v in per_model.verdicts:
        assert v.p_adjusted == v.p_value and v.family_size == 1  # one comparison per model
    run = analyse(frame, "base")
    assert {v.family_size for v in run.verdicts} == {2}
    assert all(v.p_adjusted >= v.p_value for v in run.verdicts)


def test_primary_holm_secondary_bh_and_supplementary_apart(simulate):
    rng = np.random.default_rng(9)
    frame = pd.concat(
        [simulate(rng, effects={"base": 0, "b": 0.8, "c": 0.0}, metric=m) for m in ("q", "r", "s", "t")]
    )
    res = analyse(frame, "base", primary=["q"], secondary=["r", "s"])
    fam = {v.metric: v.family for v in res.verdicts}
    assert fam == {"q": "primary", "r": "secondary", "s": "secondary", "t": "supplementary"}
    by_family = {f.name: f for f in res.families}
    assert (by_family["primary"].correction, by_family["primary"].size) == ("holm", 2)
    assert (by_family["secondary"].correction, by_family["secondary"].size) == ("bh", 4)
    assert (by_family["supplementary"].correction, by_family["supplementary"].size) == ("bh", 2)
    secondary = [v for v in res.verdicts if v.family == "secondary"]
    np.testing.assert_allclose([v.p_adjusted for v in secondary], adjust_pvalues([v.p_value for v in secondary], "bh"))
    text = res.get("b", "r").sentence()
    assert "secondary (exploratory), Benjamini–Hochberg over 4 tests" in text
    assert "primary family, Holm over 2 tests" in res.get("b", "q").sentence()
    # analysing fewer supplementary metrics never changes a primary or secondary p-value
    fewer = analyse(frame[frame["metric"] != "t"], "base", primary=["q"], secondary=["r", "s"])
    for v in fewer.verdicts:
        assert v.p_adjusted == res.get(v.variant, v.metric).p_adjusted
    missing = analyse(frame, "base", primary=["q", "nope"])
    assert "missing_primary" in [w.code for w in missing.warnings]


def test_all_pairs_with_bh(simulate):
    frame = simulate(np.random.default_rng(7), effects={"base": 0, "b": 1.0, "c": 0.5, "d": 0})
    res = analyse(frame, "base", comparisons="all_pairs", correction="bh")
    assert len(res.verdicts) == 6
    assert {(v.variant, v.baseline) for v in res.verdicts} >= {("b", "base"), ("c", "b"), ("d", "c")}
    assert all(v.correction == "bh" for v in res.verdicts)
    assert "Benjamini–Hochberg-adjusted" in res.verdicts[0].sentence()


def test_binary_single_repeat_uses_mcnemar_and_multiple_repeats_use_rates(simulate):
    rng = np.random.default_rng(8)
    single = simulate(rng, n_cases=40, n_repeats=1, effects={"base": 0, "b": 1.5})
    single["value"] = (single["value"] > 0.5).astype(float)
    v = analyse(single, "base").get("b")
    assert v.kind == "binary" and v.p_method.startswith("exact McNemar")
    assert v.ci_method.startswith("Newcombe")
    assert "percentage points" in v.sentence() and "exact McNemar p" in v.sentence()
    rates = simulate(rng, n_cases=40, n_repeats=4, effects={"base": 0, "b": 1.5})
    rates["value"] = (rates["value"] > 0.5).astype(float)
    v = analyse(rates, "base").get("b")
    assert v.kind == "binary" and "sign-flip" in v.p_method and v.ci_method == "paired t-interval"
    three = simulate(rng, n_cases=30, n_repeats=1, effects={"base": 0, "b": 1.5, "c": 0})
    three["value"] = (three["value"] > 0.5).astype(float)
    assert analyse(three, "base").omnibus[0].test == "Cochran's Q"


def test_clustered_analysis_reports_design_effect(simulate):
    rng = np.random.default_rng(9)
    frame = simulate(rng, n_cases=40, effects={"base": 0, "b": 0.3})
    clusters = {f"case{i:03d}": f"family{i % 8}" for i in range(40)}
    shift = {f"family{j}": s for j, s in enumerate(rng.normal(0, 1.5, 8))}
    frame["cluster"] = frame["case"].map(clusters)
    is_b = frame["variant"] == "b"
    frame.loc[is_b, "value"] += frame.loc[is_b, "cluster"].map(shift)
    plain = analyse(frame.drop(columns="cluster"), "base").get("b")
    clustered = analyse(frame, "base").get("b")
    assert clustered.design_effect > 2
    assert clustered.n_clusters == 8 and clustered.t_df == 7
    assert (clustered.ci_high - clustered.ci_low) > (plain.ci_high - plain.ci_low)
    assert clustered.se > clustered.se_iid


def test_cluster_robust_se_is_cr1_by_default_and_cr0_on_request(simulate):
    # CR1 multiplies the CR0 sandwich variance by G/(G − 1); both on t with G − 1 df
    rng = np.random.default_rng(10)
    frame = simulate(rng, n_cases=24, effects={"base": 0, "b": 0.3})
    frame["cluster"] = frame["case"].map({f"case{i:03d}": f"family{i % 6}" for i in range(24)})
    cr1 = analyse(frame, "base").get("b")
    cr0 = analyse(frame, "base", cluster_se="CR0").get("b")
    assert cr1.n_clusters == cr0.n_clusters == 6 and cr1.t_df == cr0.t_df == 5
    assert cr1.se == pytest.approx(cr0.se * math.sqrt(6 / 5))
    assert cr1.estimate == cr0.estimate and cr1.ci_high - cr1.ci_low > cr0.ci_high - cr0.ci_low
    with pytest.raises(ValueError, match="cluster_se"):
        analyse(frame, "base", cluster_se="CR2")


def test_direction_handling(simulate):
    frame = simulate(np.random.default_rng(10), n_cases=30, effects={"base": 0, "shorter": -1.5})
    lower_better = analyse(frame, "base", metric_directions={"score": False}).get("shorter")
    assert lower_better.direction == "better" and lower_better.n_better > lower_better.n_worse
    assert "beats base on score (lower is better) by -" in lower_better.sentence()
    higher_better = analyse(frame, "base", metric_directions={"score": True}).get("shorter")
    assert higher_better.direction == "worse" and "is worse than" in higher_better.sentence()
    undeclared = analyse(frame, "base").get("shorter")
    assert undeclared.direction == "lower" and "scores lower than" in undeclared.sentence()
    assert "higher /" in undeclared.sentence() and "lower /" in undeclared.sentence()


def test_json_round_trip_and_frames(simulate):
    frame = simulate(np.random.default_rng(12), effects={"base": 0, "b": 0.5, "c": 0})
    frame.loc[0, "value"] = np.nan
    res = analyse(frame, "base")
    payload = json.dumps(res.to_dict(), allow_nan=False)
    back = json.loads(payload)
    assert back["baseline"] == "base" and len(back["verdicts"]) == 2
    assert back["verdicts"][0]["sentence"] and isinstance(back["verdicts"][0]["warnings"], list)
    assert back["omnibus"][0]["test"] == "Friedman"
    table = res.to_frame()
    assert {
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "p_adjusted",
        "d_z",
        "rank_biserial",
        "hodges_lehmann",
        "n_better",
        "n_worse",
        "n_tied",
        "n_cases",
        "n_repeats",
        "mde",
        "significant",
        "direction",
        "warnings",
        "sentence",
    } <= set(table.columns)
    assert len(res.omnibus_frame()) == 1
    assert len(res.sentences()) == 3


def test_reproducible_and_independent_of_row_order(simulate):
    frame = simulate(np.random.default_rng(13), n_cases=25)
    a = analyse(frame, "base", seed=3).to_dict()
    assert analyse(frame, "base", seed=3).to_dict() == a
    # shuffled rows: identical up to float summation order
    b = analyse(frame.sample(frac=1.0, random_state=1), "base", seed=3).to_dict()
    for key, value in a["verdicts"][0].items():
        other = b["verdicts"][0][key]
        if isinstance(value, float):
            assert other == pytest.approx(value, rel=1e-9, abs=1e-12), key
        elif key != "sentence":
            assert other == value, key
    c = analyse(frame, "base", seed=4).get("b")
    assert c.p_value != analyse(frame, "base", seed=3).get("b").p_value  # MC p-value depends on the seed


def test_margin_tests_give_equivalent_and_non_inferior_only_from_tost(from_matrix):
    rng = np.random.default_rng(12)
    n = 60
    base = rng.normal(5, 1, n)
    # b: same as the baseline up to small noise; c: 0.3 worse (still inside a 0.5 margin); d: 0.9 worse
    matrix = np.column_stack(
        [base, base + rng.normal(0, 0.4, n), base - 0.3 + rng.normal(0, 0.4, n), base - 0.9 + rng.normal(0, 0.4, n)]
    )
    frame = from_matrix(matrix, ["a", "b", "c", "d"], metric="quality")
    res = analyse(frame, "a", metric_directions={"quality": True}, margins={"quality": 0.5}, n_bootstrap=0)
    b, c, d = res.get("b"), res.get("c"), res.get("d")
    assert b.outcome == "equivalent" and b.equivalent and b.tost_p_adjusted < 0.05
    assert "is equivalent to a on quality within ±0.50 points" in b.sentence()
    assert c.significant and c.direction == "worse" and c.outcome == "worse"  # worse, though within the margin
    assert c.non_inferior  # the margin test itself passes
    assert d.outcome == "worse" and not d.non_inferior and not d.equivalent
    # TOST by hand for b: two one-sided t-tests against ±0.5 with the verdict's SE and df
    low = stats.t.sf((b.estimate + 0.5) / b.se, b.t_df)
    high = stats.t.cdf((b.estimate - 0.5) / b.se, b.t_df)
    assert b.tost_p == pytest.approx(max(low, high)) and b.ni_p == pytest.approx(low)
    assert [f.name for f in res.families] == ["primary", "margin"] and res.families[1].size == 3
    assert res.families[1].describe().startswith("non-inferiority / equivalence: Holm over 3 tests")


def test_not_significant_with_a_wide_adverse_ci_is_possible_harm(from_matrix):
    rng = np.random.default_rng(4)
    d = rng.normal(-0.4, 1.5, 12)  # few, noisy cases: the CI reaches far below zero
    frame = from_matrix(np.column_stack([np.zeros(12), d]), ["base", "v"], metric="clarity")
    v = analyse(frame, "base", metric_directions={"clarity": True}, n_bootstrap=0).get("v")
    assert not v.significant and v.mde is not None
    assert v.outcome == "possible_harm" and v.harm_bound == pytest.approx(-v.ci_low)
    assert v.harm_bound > v.mde
    assert v.sentence().startswith("inconclusive: v could be up to")
    # a declared margin replaces the MDE as the threshold for "possible harm"
    directed = {"clarity": True}
    wide = analyse(frame, "base", metric_directions=directed, margins={"clarity": 2.0}, n_bootstrap=0).get("v")
    assert wide.harm_bound is None and wide.non_inferior and wide.outcome == "equivalent"
    narrow = analyse(frame, "base", metric_directions=directed, margins={"clarity": 1.0}, n_bootstrap=0).get("v")
    assert narrow.outcome == "possible_harm" and not narrow.non_inferior and narrow.harm_bound > 1.0
    # no direction, no harm: an undirected metric only gets "no significant difference"
    assert analyse(frame, "base", n_bootstrap=0).get("v").outcome == "not_significant"


def test_mde_uses_the_family_level_and_cluster_df(simulate):
    frame = simulate(np.random.default_rng(13), n_cases=40, effects={"base": 0, "b": 0.0, "c": 0.0, "d": 0.0})
    res = analyse(frame, "base", n_bootstrap=0)
    v = res.get("b")
    assert v.family_size == 3 and v.mde_alpha == pytest.approx(0.05 / 3) and v.mde_df == 39
    assert v.mde == pytest.approx(mde_from_se(v.se, 39, 0.8, 0.05 / 3))
    single = analyse(frame[frame["variant"].isin(["base", "b"])], "base", n_bootstrap=0).get("b")
    assert single.mde < v.mde  # a family of one is tested at α itself
    clusters = {f"case{i:03d}": f"k{i // 5}" for i in range(40)}
    clustered = analyse(frame.assign(cluster=frame["case"].map(clusters)), "base", n_bootstrap=0).get("b")
    assert clustered.mde_df == 7 and clustered.t_df == 7  # G − 1 with 8 clusters
    assert clustered.mde == pytest.approx(mde_from_se(clustered.se, 7, 0.8, 0.05 / 3))
