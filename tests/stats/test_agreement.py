"""Agreement coefficients against published examples.

Krippendorff's α: the reliability data of Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability"
(Annenberg School for Communication, University of Pennsylvania, departmental paper 43), section C: 4
observers, 12 units, values 1-5, missing values. Published: α_nominal = 0.743, α_ordinal = 0.815,
α_interval = 0.849 (printed to 3 decimals). To 1e-6 the coefficients are checked against exact fractions
computed here independently of the implementation: straight from the definition α = 1 − D_o / D_e over all
pairs of pairable values (no coincidence matrix), in rational arithmetic.

Weighted κ: Cohen (1968), "Weighted kappa: nominal scale agreement with provision for scaled disagreement or
partial credit", Psychological Bulletin 70(4), Table 1: two judges, 200 patients, three diagnoses,
proportions [[.44, .05, .01], [.07, .20, .03], [.09, .05, .06]] (rows judge B, columns judge A) and the
ratio disagreement weights 1 (personality disorder–neurosis), 3 (personality disorder–psychosis),
6 (neurosis–psychosis). Published: κ = .492 (unweighted), κ_w = .348; exactly 29/59 and 8/23.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from workbench.stats.agreement import (
    alpha_with_ci,
    cohen_kappa,
    kappa_with_ci,
    krippendorff_alpha,
    weighted_kappa,
)

NAN = math.nan
KRIPPENDORFF_2011 = [  # observers × units (section C)
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
PUBLISHED_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849}
COHEN_1968 = [[0.44, 0.05, 0.01], [0.07, 0.20, 0.03], [0.09, 0.05, 0.06]]
COHEN_WEIGHTS = np.array([[0, 1, 3], [1, 0, 6], [3, 6, 0]], dtype=float)


def _exact_alpha(data: list[list[float]], level: str) -> Fraction:
    """α = 1 − (n − 1) · Σ_u Σ_{i≠j in u} δ²/(m_u − 1) / Σ_{i≠j over all pairable values} δ²."""
    units = [[int(v) for v in col if not math.isnan(v)] for col in zip(*data, strict=True)]
    units = [u for u in units if len(u) >= 2]
    pooled = [v for u in units for v in u]
    n = len(pooled)
    freq = {v: pooled.count(v) for v in set(pooled)}

    def d2(c: int, k: int) -> Fraction:
        if level == "nominal":
            return Fraction(int(c != k))
        if level == "interval":
            return Fraction((c - k) ** 2)
        lo, hi = min(c, k), max(c, k)  # ordinal: ranks from the marginal frequencies
        return (sum(Fraction(freq[g]) for g in freq if lo <= g <= hi) - Fraction(freq[c] + freq[k], 2)) ** 2

    observed = sum((sum(d2(a, b) for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units),
                   Fraction(0))
    expected = sum((d2(a, b) for a, b in itertools.permutations(pooled, 2)), Fraction(0))
    return 1 - (n - 1) * observed / expected


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_krippendorff_2011_reliability_data(level: str) -> None:
    alpha = krippendorff_alpha(KRIPPENDORFF_2011, level)  # type: ignore[arg-type]
    assert alpha == pytest.approx(PUBLISHED_ALPHA[level], abs=5e-4)  # the paper's 3 decimals
    assert alpha == pytest.approx(float(_exact_alpha(KRIPPENDORFF_2011, level)), abs=1e-9)
    print(f"Krippendorff 2011 α_{level}: {alpha:.6f} (published {PUBLISHED_ALPHA[level]})")


def test_cohen_1968_weighted_kappa() -> None:
    assert weighted_kappa(COHEN_1968, "none") == pytest.approx(29 / 59, abs=1e-12)
    assert round(weighted_kappa(COHEN_1968, "none"), 3) == 0.492
    assert weighted_kappa(COHEN_1968, COHEN_WEIGHTS) == pytest.approx(8 / 23, abs=1e-12)
    assert round(weighted_kappa(COHEN_1968, COHEN_WEIGHTS), 3) == 0.348
    # counts instead of proportions, and weights scaled by a constant: the same κ_w
    assert weighted_kappa(np.array(COHEN_1968) * 200, COHEN_WEIGHTS * 2.5) == pytest.approx(8 / 23, abs=1e-12)


def test_linear_and_quadratic_weights_by_hand() -> None:
    """A 3 × 3 table worked by hand: p_o and p_e with weights |i − j| and (i − j)²."""
    table = np.array([[10, 4, 1], [3, 12, 5], [0, 2, 13]], dtype=float)  # n = 50
    p = table / 50
    r, c = p.sum(axis=1), p.sum(axis=0)
    for w in (np.abs(np.subtract.outer(range(3), range(3))), np.subtract.outer(range(3), range(3)) ** 2):
        by_hand = 1 - (w * p).sum() / (w * np.outer(r, c)).sum()
        name = "linear" if w.max() == 2 else "quadratic"
        assert weighted_kappa(table, name) == pytest.approx(by_hand, abs=1e-12)  # type: ignore[arg-type]
    # from raw ratings: the same as from the table
    a = [i for i in range(3) for j in range(3) for _ in range(int(table[i, j]))]
    b = [j for i in range(3) for j in range(3) for _ in range(int(table[i, j]))]
    assert cohen_kappa(a, b, [0, 1, 2], "quadratic") == pytest.approx(weighted_kappa(table, "quadratic"))


def test_quadratic_kappa_of_interval_ratings_is_close_to_alpha_interval() -> None:
    """Two raters, no missing values: quadratic κ and interval α differ only by the n/(n−1) detail."""
    rng = np.random.default_rng(1)
    truth = rng.integers(1, 6, 200)
    a = np.clip(truth + rng.integers(-1, 2, 200), 1, 5)
    b = np.clip(truth + rng.integers(-1, 2, 200), 1, 5)
    kappa = cohen_kappa(list(a), list(b), [1, 2, 3, 4, 5], "quadratic")
    alpha = krippendorff_alpha([a, b], "interval")
    assert abs(kappa - alpha) < 0.01


def test_bootstrap_intervals_cover_and_are_seeded() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 80)
    noisy = np.where(rng.random(80) < 0.25, rng.integers(0, 3, 80), truth)
    first = kappa_with_ci(list(truth), list(noisy), [0, 1, 2], "linear", n_boot=500, seed=7)
    again = kappa_with_ci(list(truth), list(noisy), [0, 1, 2], "linear", n_boot=500, seed=7)
    assert first == again
    assert first.ci_low is not None and first.ci_high is not None and first.estimate is not None
    assert first.ci_low < first.estimate < first.ci_high
    alpha = alpha_with_ci(KRIPPENDORFF_2011, "interval", n_boot=300, seed=1)
    assert alpha.n_units == 11 and alpha.n_values == 40  # unit 12 has a single value: not pairable
    assert alpha.ci_low is not None and alpha.ci_high is not None and alpha.ci_low < 0.849 <= alpha.ci_high


def test_undefined_cases_are_nan_not_errors() -> None:
    assert math.isnan(weighted_kappa([[5, 0], [0, 0]], "none"))  # both raters always say the same category
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]], "nominal"))
    with pytest.raises(ValueError, match="not one of the categories"):
        cohen_kappa(["a"], ["z"], ["a", "b"])
