"""Every diagnostic path of the engine produces its warning (and the documented consequence)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.stats import WARNING_CODES, analyse, analyse_preferences, audit_bias


def codes(verdict):
    return set(verdict.warning_codes)


def test_small_n_is_descriptive_only(from_matrix):
    frame = from_matrix([[3, 1], [4, 1], [5, 2], [6, 2], [7, 1]], ["new", "old"])
    v = analyse(frame, "old").get("new")
    assert "small_n" in codes(v)
    assert v.descriptive_only and not v.significant
    assert v.p_value is None and v.p_adjusted is None
    assert "descriptive only" in v.sentence()
    assert v.mde is None


def test_zero_variance(from_matrix):
    frame = from_matrix([[i + 2.0, float(i)] for i in range(8)], ["new", "old"])
    v = analyse(frame, "old").get("new")
    assert "zero_variance" in codes(v)
    assert v.ci_low == v.ci_high == 2.0
    assert v.d_z is None
    # the exact sign-flip test still gives a valid p-value: 2 of 2^8 patterns are as extreme
    assert v.p_value == 2 / 256


def test_identical_scores_are_heavy_ties_and_not_significant(from_matrix):
    frame = from_matrix([[1.0, 1.0]] * 10, ["new", "old"])
    v = analyse(frame, "old").get("new")
    assert {"heavy_ties", "zero_variance"} <= codes(v)
    assert v.p_value == 1.0 and not v.significant
    assert v.n_tied == 10
    assert "minimum detectable effect not estimable" in v.sentence()


def test_heavy_ties(from_matrix):
    rows = [[5.0, 5.0]] * 7 + [[6.0, 5.0], [7.0, 5.0], [5.5, 5.0], [4.0, 5.0], [6.5, 5.0]]
    v = analyse(from_matrix(rows, ["new", "old"]), "old").get("new")
    assert "heavy_ties" in codes(v)
    assert (v.n_better, v.n_worse, v.n_tied) == (4, 1, 7)


def test_missing_cases_and_outputs(simulate):
    frame = simulate(np.random.default_rng(0), n_cases=12, n_repeats=3)
    # case000: every output of "b" failed → the case is dropped; case001: one failed repeat
    frame.loc[(frame.case == "case000") & (frame.variant == "b"), "value"] = np.nan
    frame.loc[(frame.case == "case001") & (frame.variant == "b") & (frame.repeat == 0), "value"] = np.nan
    v = analyse(frame, "base").get("b")
    assert {"missing_cases", "missing_outputs", "unbalanced_repeats"} <= codes(v)
    assert v.n_cases == 11 and v.n_dropped == 1
    assert v.n_repeats == 3


def test_variant_absent_for_a_case_counts_as_dropped(simulate):
    frame = simulate(np.random.default_rng(1), n_cases=10)
    frame = frame[~((frame.case == "case003") & (frame.variant == "b"))]
    v = analyse(frame, "base").get("b")
    assert v.n_dropped == 1 and "missing_cases" in codes(v)


def test_few_clusters(simulate):
    frame = simulate(np.random.default_rng(2), n_cases=12)
    frame["cluster"] = frame["case"].str[-1].astype(int).mod(4).astype(str)
    v = analyse(frame, "base").get("b")
    assert "few_clusters" in codes(v)
    assert v.n_clusters == 4
    assert v.ci_method.startswith("cluster-robust")
    assert "cluster" in v.p_method


def test_robustness_disagreement(from_matrix):
    # mean driven by a few large gains while most cases lose a little: the exact permutation test on the
    # mean is significant (p = 2/64), the signed-rank test is not
    d = [-0.1] * 10 + [3.0] * 6
    frame = from_matrix([[x, 0.0] for x in d], ["new", "old"])
    v = analyse(frame, "old").get("new")
    assert v.significant
    assert v.p_value == 2 * 2**10 / 2**16
    assert v.wilcoxon_p > 0.05
    assert "robustness_disagreement" in codes(v)


def test_missing_baseline_is_a_global_warning(simulate):
    frame = pd.concat(
        [
            simulate(np.random.default_rng(3)),
            simulate(np.random.default_rng(4), model="m2", effects={"x": 0, "y": 0}),
        ]
    )
    res = analyse(frame, "base")
    assert [w.code for w in res.warnings] == ["missing_baseline"]
    assert {v.model for v in res.verdicts} == {"m"}


def test_bias_audit_warnings():
    rows = []
    for case in range(8):
        for group, names in {"g1": ["a"], "g2": ["c", "d", "e"]}.items():
            for name in names:
                rows.append(
                    {
                        "case": f"c{case}",
                        "model": "m",
                        "variant": "v",
                        "repeat": 0,
                        "swap_group": group,
                        "swap_name": name,
                        "metric": "selected",
                        "value": float((case + len(name)) % 2),
                    }
                )
    frame = pd.DataFrame(rows)
    unit = audit_bias(frame, n_permutations=500).units[0]
    assert {"few_names", "no_repeats"} <= {w.code for w in unit.warnings}
    # a unit in which the declared reference group has no results says so
    other = frame.assign(variant="v2")
    other = other[other["swap_group"] == "g2"].assign(swap_group="g3", swap_name=lambda f: f["swap_name"] + "3")
    both = pd.concat([frame, other, other.assign(swap_group="g4", swap_name=lambda f: f["swap_name"] + "4")])
    unit2 = audit_bias(both, reference_group="g1").units[1]
    assert unit2.variant == "v2" and "missing_reference" in {w.code for w in unit2.warnings}


def test_bradley_terry_not_connected_warning():
    ratings = pd.DataFrame(
        {
            "case": ["c1", "c2", "c3"],
            "variant_a": ["A", "A", "B"],
            "variant_b": ["B", "C", "C"],
            "winner": ["a", "a", "a"],
            "left": ["A", "C", "B"],
        }
    )
    fit = analyse_preferences(ratings, n_bootstrap=50).bradley_terry
    assert fit is not None and "bt_not_connected" in {w.code for w in fit.warnings}


def test_every_documented_code_is_covered_here():
    covered = {
        "small_n",
        "zero_variance",
        "heavy_ties",
        "missing_cases",
        "missing_outputs",
        "unbalanced_repeats",
        "few_clusters",
        "robustness_disagreement",
        "missing_baseline",
        "few_names",
        "no_repeats",
        "bt_not_connected",
        "cannot_reach_alpha",
        "missing_primary",  # test_analysis.py::test_primary_holm_secondary_bh_and_supplementary_apart
        "missing_reference",
    }
    assert covered == set(WARNING_CODES)


def test_too_few_clusters_for_the_family_level_is_warned(simulate):
    import numpy as np

    frame = simulate(np.random.default_rng(5), n_cases=24, effects={"base": 0, "b": 0, "c": 0, "d": 0})
    frame["cluster"] = "k" + (frame["case"].str[-3:].astype(int) // 4).astype(str)  # 6 clusters
    v = analyse(frame, "base", n_bootstrap=0).get("b")
    (w,) = [w for w in v.warnings if w.code == "cannot_reach_alpha"]
    # 2/2^6 = 0.031 ≥ 0.05/3: an exact cluster sign-flip over 6 clusters can never pass Holm's first step
    assert "smallest possible permutation p is 0.031" in w.message and "use at least 7 clusters" in w.message
    alone = analyse(frame[frame["variant"].isin(["base", "b"])], "base", n_bootstrap=0).get("b")
    assert "cannot_reach_alpha" not in alone.warning_codes
