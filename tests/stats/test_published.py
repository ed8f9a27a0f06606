"""Agreement with published reference results (R help pages, textbooks, papers).

Published values are printed to a limited number of digits; each assertion uses half a unit of the
last printed digit as tolerance (≤ 1e-6 wherever the source prints that many digits) and, where the
exact value is known in closed form, checks it to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from workbench.stats import (
    adjust_pvalues,
    analyse,
    bradley_terry,
    cochran_q,
    fisher_exact_2x2,
    mcnemar_chi2,
    mcnemar_exact,
    paired_proportion_ci,
    paired_t_power,
    paired_t_sample_size,
    rank_biserial,
)
from workbench.stats.omnibus import friedman
from workbench.stats.paired import wilcoxon_signed_rank

# R ?t.test example: sleep data (Cushny & Peebles), extra hours of sleep, 10 patients, drug 1 vs drug 2.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# R ?wilcox.test example: Hollander & Wolfe (1973) p. 29, Hamilton depression scale, first (x) and
# second (y) visit of 9 patients.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# R ?friedman.test example: Hollander & Wolfe (1973) p. 140, RoundingTimes, 22 players × 3 methods.
ROUNDING_TIMES = [
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40], [5.90, 5.85, 5.70],
    [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35], [5.25, 5.15, 5.00], [5.85, 5.80, 5.70],
    [5.25, 5.20, 5.10], [5.65, 5.55, 5.45], [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40],
    [5.45, 5.55, 5.50], [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
]  # fmt: skip

# Benjamini & Hochberg (1995), JRSS-B 57:289, section 4: 15 p-values from a clinical trial.
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
           0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip


def test_paired_t_sleep(from_matrix):
    # R: t.test(extra ~ group, data = sleep, paired = TRUE)
    # t = -4.0621, df = 9, p-value = 0.002833; 95 percent CI -2.4598858 -0.7001142; mean difference -1.58
    frame = from_matrix(np.column_stack([SLEEP_1, SLEEP_2]), ["drug1", "drug2"], metric="extra")
    v = analyse(frame, "drug2").get("drug1")
    assert v.estimate == pytest.approx(-1.58, abs=1e-12)
    assert v.t_statistic == pytest.approx(-4.0621, abs=5e-5)
    assert v.t_df == 9
    assert v.t_p_value == pytest.approx(0.002833, abs=5e-7)
    assert v.ci_low == pytest.approx(-2.4598858, abs=5e-8)
    assert v.ci_high == pytest.approx(-0.7001142, abs=5e-8)
    assert v.ci_method == "paired t-interval"


def test_wilcoxon_depression(from_matrix):
    # R: wilcox.test(x, y, paired = TRUE, alternative = "greater") → V = 40, p-value = 0.01953.
    # The exact null of V is symmetric, so the two-sided p-value is twice that: 10 of the 2^9 = 512 sign
    # patterns give V ≥ 40, hence p = 2 · 10/512 = 0.0390625 exactly.
    frame = from_matrix(np.column_stack([DEPRESSION_X, DEPRESSION_Y]), ["x", "y"], metric="hamilton")
    v = analyse(frame, "y").get("x")
    assert v.wilcoxon_v == 40
    assert v.wilcoxon_p / 2 == pytest.approx(0.01953, abs=5e-6)
    assert v.wilcoxon_p == pytest.approx(20 / 512, abs=1e-12)
    # matched-pairs rank-biserial: (T+ − T−)/(T+ + T−) = (40 − 5)/45
    assert v.rank_biserial == pytest.approx(35 / 45, abs=1e-12)
    assert rank_biserial(np.subtract(DEPRESSION_X, DEPRESSION_Y))[0] == pytest.approx(35 / 45)
    # n = 9 ≤ 16: the permutation p-value is an exact enumeration
    assert v.p_method.startswith("exact sign-flip")


def test_friedman_rounding_times(from_matrix):
    # R: friedman.test(RoundingTimes) → Friedman chi-squared = 11.143, df = 2, p-value = 0.003805
    frame = from_matrix(ROUNDING_TIMES, ["round_out", "narrow_angle", "wide_angle"], metric="time")
    res = analyse(frame, "round_out")
    (omni,) = res.omnibus
    assert omni.test == "Friedman"
    assert omni.statistic == pytest.approx(11.143, abs=5e-4)
    assert omni.df == 2
    assert omni.p_value == pytest.approx(0.003805, abs=5e-7)
    assert omni.kendalls_w == pytest.approx(omni.statistic / (22 * 2))
    chi2, df, p, _ = friedman(np.asarray(ROUNDING_TIMES))
    assert (chi2, df, p) == (pytest.approx(11.143, abs=5e-4), 2, pytest.approx(0.003805, abs=5e-7))


def test_mcnemar_chi2_presidential_approval():
    # R ?mcnemar.test: Performance (Agresti 1990, p. 350), 1600 citizens rating the President twice:
    # matrix(c(794, 86, 150, 570), 2) → McNemar's chi-squared = 16.818, df = 1, p-value = 4.115e-05
    stat, p = mcnemar_chi2(150, 86)
    assert stat == pytest.approx(16.818, abs=5e-4)
    assert p == pytest.approx(4.115e-05, abs=5e-9)


def test_exact_mcnemar_bentur(from_matrix):
    # Fagerland, Lydersen & Laake (2013) BMC Med Res Methodol 13:91, airway hyper-responsiveness before/
    # after stem-cell transplantation (Bentur et al. 2009): discordant pairs 1 and 7 → exact conditional
    # McNemar p = 0.070; in closed form 2 · (C(8,0) + C(8,1)) / 2^8 = 18/256.
    assert mcnemar_exact(1, 7) == pytest.approx(0.070, abs=5e-4)
    assert mcnemar_exact(1, 7) == pytest.approx(18 / 256, abs=1e-12)
    # same table through analyse(): 21 cases, one binary output per variant and case
    rows = [(1, 1)] * 1 + [(1, 0)] * 1 + [(0, 1)] * 7 + [(0, 0)] * 12
    v = analyse(from_matrix(rows, ["after", "before"], metric="ahr"), "before").get("after")
    assert v.kind == "binary"
    assert v.p_method.startswith("exact McNemar")
    assert v.p_value == pytest.approx(18 / 256, abs=1e-12)
    assert v.estimate == pytest.approx((1 - 7) / 21)


def test_newcombe_paired_interval_cavo():
    # Fagerland, Lydersen & Laake (2014) Stat Med 33:2850 / "Statistical Analysis of Contingency Tables"
    # ch. 8: complete response before/after consolidation therapy (Cavo et al. 2012),
    # table [[59, 6], [16, 80]]
    # → Newcombe square-and-add: estimate = -0.0621 (95% CI -0.1186 to -0.0046)
    lo, hi = paired_proportion_ci(59, 6, 16, 80)
    estimate = (6 - 16) / 161
    assert estimate == pytest.approx(-0.0621, abs=5e-5)
    assert lo == pytest.approx(-0.1186, abs=5e-5)
    assert hi == pytest.approx(-0.0046, abs=5e-5)


def test_fisher_tea_tasting():
    # R ?fisher.test: TeaTasting (Agresti 1990, p. 61) matrix(c(3, 1, 1, 3), 2):
    # alternative = "greater" → p-value = 0.2429, 95 percent CI 0.3135693 Inf, odds ratio 6.408309;
    # two-sided → 0.4857 (exactly 17/35)
    _, p_greater = fisher_exact_2x2(np.array([[3, 1], [1, 3]]), alternative="greater")
    _, p_two = fisher_exact_2x2(np.array([[3, 1], [1, 3]]))
    assert p_greater == pytest.approx(0.2429, abs=5e-5)
    assert p_two == pytest.approx(0.4857, abs=5e-5)
    assert p_two == pytest.approx(17 / 35, abs=1e-12)
    greater = fisher_exact_2x2(np.array([[3, 1], [1, 3]]), alternative="greater")
    # R finds the conditional MLE and its CI with uniroot (tolerance ~1e-4 relative), so its printed
    # digits agree with the exact root to about 2e-5; the sample odds ratio ad/bc would be 9.
    assert greater.odds_ratio == pytest.approx(6.408309, abs=2e-5)
    assert greater.ci_low == pytest.approx(0.3135693, abs=2e-5) and math.isinf(greater.ci_high)
    assert greater.sample_odds_ratio == 9.0


@pytest.mark.parametrize(
    ("table", "p", "low", "high", "odds_ratio"),
    [
        # R: fisher.test(matrix(c(43, 9, 44, 4), ncol = 2, byrow = TRUE)) (handedness of 52 men and 48 women)
        ([[43, 9], [44, 4]], 0.2392, 0.09150811, 1.71527769, 0.4378606),
        # R: fisher.test(matrix(c(2, 10, 20, 13), ncol = 2, byrow = TRUE))
        ([[2, 10], [20, 13]], 0.01655, 0.01256709, 0.78740829, 0.1360765),
    ],
)
def test_fisher_conditional_odds_ratio_matches_r(table, p, low, high, odds_ratio):
    # Published R output (matstat.org R course, fisher_test): the "odds ratio" R prints is the
    # conditional MLE, with an exact conditional CI; SciPy's contingency.odds_ratio(kind="conditional").
    res = fisher_exact_2x2(np.array(table))
    assert res.p_value == pytest.approx(p, abs=5e-5)
    assert res.odds_ratio == pytest.approx(odds_ratio, abs=2e-5)  # R's uniroot tolerance, see above
    assert res.ci_low == pytest.approx(low, abs=2e-5)
    assert res.ci_high == pytest.approx(high, abs=2e-5)
    assert res.odds_ratio != pytest.approx(res.sample_odds_ratio, abs=1e-3)


def test_wilcoxon_with_ties_and_zero_uses_r_normal_approximation(from_matrix):
    # R: wilcox.test(extra ~ group, data = sleep, paired = TRUE) → "Wilcoxon signed rank test with
    # continuity correction", V = 0, p-value = 0.009091 (warnings: cannot compute exact p-value with
    # ties / with zeroes). By hand: the zero difference of patient 5 is dropped (n = 9, all negative, so
    # V = 0); |d| has one tie (1.3, 1.3), so Var(V) = 9·10·19/24 − (2³ − 2)/48 = 71.125; E(V) = 22.5;
    # z = (0 − 22.5 + 0.5)/√71.125 = −2.6086; p = 2Φ(−2.6086) = 0.0090907.
    d = np.subtract(SLEEP_1, SLEEP_2)
    v, p, method = wilcoxon_signed_rank(d)
    z = (0 - 22.5 + 0.5) / math.sqrt(9 * 10 * 19 / 24 - (2**3 - 2) / 48)
    assert v == 0 and method == "normal approximation with continuity correction"
    assert p == pytest.approx(2 * stats.norm.cdf(z), abs=1e-12)
    assert p == pytest.approx(0.009091, abs=5e-7)
    # the same through analyse(): the verdict reports which convention was used
    verdict = analyse(from_matrix(np.column_stack([SLEEP_1, SLEEP_2]), ["drug1", "drug2"]), "drug2").get("drug1")
    assert verdict.wilcoxon_p == pytest.approx(0.009091, abs=5e-7)
    assert verdict.wilcoxon_method == "normal approximation with continuity correction"
    # without ties and zeros (and n < 50) the p-value is exact, as in R; forcing "normal" gives the
    # continuity-corrected approximation instead: z = (40 − 22.5 − 0.5)/√(9·10·19/24)
    depression = np.subtract(DEPRESSION_X, DEPRESSION_Y)
    assert wilcoxon_signed_rank(depression) == (40.0, pytest.approx(20 / 512, abs=1e-12), "exact")
    _, p_normal, how = wilcoxon_signed_rank(depression, "normal")
    assert how.startswith("normal") and p_normal == pytest.approx(2 * stats.norm.sf(17 / math.sqrt(71.25)))


def test_wilcoxon_convention_is_selectable_in_analyse(from_matrix):
    # analyse(wilcoxon=...) reaches the same convention: "normal" forces the corrected approximation on
    # the tie-free depression data, whose default (auto, n = 9 < 50) is R's exact p-value
    depression = from_matrix(np.column_stack([DEPRESSION_X, DEPRESSION_Y]), ["x", "y"])
    auto = analyse(depression, "y").get("x")
    normal = analyse(depression, "y", wilcoxon="normal").get("x")
    assert (auto.wilcoxon_method, auto.wilcoxon_p) == ("exact", pytest.approx(20 / 512, abs=1e-12))
    assert normal.wilcoxon_method == "normal approximation with continuity correction"
    assert normal.wilcoxon_p == pytest.approx(2 * stats.norm.sf(17 / math.sqrt(71.25)))
    # ties and a zero (sleep data): no exact distribution exists, so "exact" falls back as R does
    sleep = from_matrix(np.column_stack([SLEEP_1, SLEEP_2]), ["drug1", "drug2"])
    assert analyse(sleep, "drug2", wilcoxon="exact").get("drug1").wilcoxon_p == pytest.approx(0.009091, abs=5e-7)


def test_holm_and_bh_on_benjamini_hochberg_example():
    # BH (1995) §4: at level 0.05, BH rejects 4 hypotheses; Bonferroni-type (incl. Holm) reject 3.
    bh = adjust_pvalues(BH_1995, "bh")
    holm = adjust_pvalues(BH_1995, "holm")
    bonf = adjust_pvalues(BH_1995, "bonferroni")
    assert (bh < 0.05).sum() == 4
    assert (holm < 0.05).sum() == 3
    assert (bonf < 0.05).sum() == 3
    # adjusted values as R's p.adjust defines them (step-up min of p·m/i; step-down max of p·(m−i+1))
    expected_bh = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0638571428571, 0.0638571428571, 0.0645,
                   0.0765, 0.486, 0.581181818182, 0.714875, 0.753230769231, 0.813214285714, 1.0]  # fmt: skip
    expected_holm = [0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278, 0.278, 0.278, 0.3213] + [1.0] * 6
    np.testing.assert_allclose(bh, expected_bh, atol=1e-10)
    np.testing.assert_allclose(holm, expected_holm, atol=1e-12)


def test_cochran_q_identities():
    # Cochran (1950): for k = 2, Q equals the uncorrected McNemar statistic (b − c)² / (b + c).
    table = [(1, 0)] * 150 + [(0, 1)] * 86 + [(1, 1)] * 794 + [(0, 0)] * 570
    q, df, _ = cochran_q(np.array(table))
    assert df == 1
    assert q == pytest.approx((150 - 86) ** 2 / (150 + 86), abs=1e-10)
    # for k ≥ 3 Q equals Friedman's tie-corrected statistic on the 0/1 data
    rng = np.random.default_rng(3)
    x = (rng.random((30, 4)) < [0.3, 0.5, 0.6, 0.4]).astype(float)
    q, df, p = cochran_q(x)
    chi2, fdf, fp, _ = friedman(x)
    assert (q, df, p) == (pytest.approx(chi2, abs=1e-10), fdf, pytest.approx(fp, abs=1e-12))


def test_bradley_terry_two_players_closed_form():
    # with two players the MLE is θ_A − θ_B = log(w_AB / w_BA)
    theta, ok, _ = bradley_terry(np.array([[0, 7], [3, 0]]))
    assert ok
    assert theta[0] - theta[1] == pytest.approx(math.log(7 / 3), abs=1e-9)


def test_bradley_terry_matches_direct_likelihood_maximisation():
    wins = np.array([[0, 6, 8, 9], [4, 0, 5, 7], [2, 5, 0, 6.5], [1, 3, 3.5, 0]])
    theta_mm, ok, _ = bradley_terry(wins)
    assert ok

    def neg_loglik(free: np.ndarray) -> float:
        t = np.concatenate([[0.0], free])
        diff = t[:, None] - t[None, :]
        return float(-(wins * (diff - np.logaddexp(0.0, diff))).sum())

    res = optimize.minimize(neg_loglik, np.zeros(3), method="BFGS", options={"gtol": 1e-12})
    theta_opt = np.concatenate([[0.0], res.x])
    theta_opt -= theta_opt.mean()
    np.testing.assert_allclose(theta_mm, theta_opt, atol=1e-6)


def test_paired_t_power_reference_values():
    # Cohen (1988) / G*Power 3 (matched pairs, two-tailed): d_z = 0.5, α = .05, power .80 → 34 pairs,
    # actual power 0.8077775.
    assert paired_t_sample_size(0.5) == 34
    assert paired_t_power(0.5, 34) == pytest.approx(0.8077775, abs=5e-7)
    assert paired_t_power(0.5, 33) < 0.8


def test_published_values_via_plain_frame():
    # the same sleep comparison written as a hand-made long frame with string repeats still works
    frame = pd.DataFrame(
        [
            {"case": f"p{i}", "variant": g, "model": "m", "repeat": 1, "metric": "extra", "value": val}
            for i, (a, b) in enumerate(zip(SLEEP_1, SLEEP_2, strict=True))
            for g, val in (("drug1", a), ("drug2", b))
        ]
    )
    assert analyse(frame, "drug2").get("drug1").t_statistic == pytest.approx(-4.0621, abs=5e-5)
