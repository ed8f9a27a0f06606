"""Omnibus tests for more than two variants on the same cases (blocks)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from workbench.number_format import p_relation

from .binary import cochran_q
from .diagnostics import StatWarning
from .multiplicity import CORRECTION_NAMES, family_text
from .serialize import dataclass_dict


@dataclass(frozen=True)
class OmnibusResult:
    """Friedman (numeric) or Cochran's Q (binary) test of "all variants are equal" for one (model, metric)."""

    model: str
    metric: str
    test: str  # "Friedman" | "Cochran's Q"
    statistic: float
    df: int
    p_value: float
    n_cases: int  # complete cases (every variant present)
    n_variants: int
    n_dropped: int  # cases missing at least one variant
    kendalls_w: float | None  # Friedman only: agreement of case rankings, 0..1
    significant: bool
    warnings: list[StatWarning] = field(default_factory=list)
    df2: int | None = None  # denominator df of an F statistic (name-level audit omnibus); None for χ²
    # The variant comparison's omnibus tests are corrected like its pairwise verdicts (stats.compare_variants):
    # within their family (primary / secondary / supplementary) and scope, `significant` then rests on
    # `p_adjusted`. Left as they are (family "", p_adjusted None) for a single test, e.g. the name-level audit's.
    family: str = ""
    correction: str = "none"
    family_size: int | None = None  # omnibus tests in the family
    p_adjusted: float | None = None

    def sentence(self) -> str:
        p = p_relation(self.p_value)
        extra = f", Kendall's W={self.kendalls_w:.2f}" if self.kendalls_w is not None else ""
        verdict = "differ" if self.significant else "show no significant overall difference"
        stat = (f"F={self.statistic:.2f}, df={self.df},{self.df2}" if self.df2 is not None
                else f"χ²={self.statistic:.2f}, df={self.df}")
        if self.p_adjusted is not None and self.correction != "none" and (self.family_size or 1) > 1:
            family = family_text(self.family, self.correction, self.family_size, "omnibus test")
            p += f", {CORRECTION_NAMES[self.correction]}-adjusted p{p_relation(self.p_adjusted)} ({family})"
        elif self.family:  # alone in its family, or not corrected: name the family only
            p += f" ({family_text(self.family, 'none', self.family_size)})"
        return (
            f"{self.n_variants} variants {verdict} on {self.metric} ({self.model}): {self.test} "
            f"{stat}, p{p}{extra}, n={self.n_cases} cases"
        )

    def to_dict(self) -> dict[str, Any]:
        out = dataclass_dict(self)
        out["sentence"] = self.sentence()
        return out


def friedman(x: np.ndarray) -> tuple[float, int, float, float]:
    """Friedman rank test on a complete (cases × variants) matrix: (χ², df, p, Kendall's W).

    scipy's statistic includes the tie correction; Kendall's W = χ² / (n (k − 1)) inherits it.
    If every case ties all variants the statistic is 0 and p = 1.
    """
    arr = np.asarray(x, dtype=float)
    n, k = arr.shape
    if k < 3:
        raise ValueError("Friedman needs ≥ 3 variants (use a paired test for two)")
    if np.all(np.ptp(arr, axis=1) == 0):
        return 0.0, k - 1, 1.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.friedmanchisquare(*arr.T)
    chi2 = float(res.statistic)
    return chi2, k - 1, float(res.pvalue), chi2 / (n * (k - 1))


def omnibus_test(
    model: str, metric: str, x: np.ndarray, *, binary: bool, alpha: float = 0.05, n_dropped: int = 0
) -> OmnibusResult:
    """Run Friedman (numeric / rates) or Cochran's Q (single 0/1 outcome per cell) on complete cases."""
    arr = np.asarray(x, dtype=float)
    n, k = arr.shape
    notes: list[StatWarning] = []
    if n_dropped:
        notes.append(
            StatWarning(
                "missing_cases", f"{n_dropped} case(s) lack a result for some variant; omnibus uses {n}"
            )
        )
    if n < 2:
        notes.append(StatWarning("small_n", f"only {n} complete case(s): omnibus test not possible"))
        test = "Cochran's Q" if binary else "Friedman"
        return OmnibusResult(model, metric, test, np.nan, k - 1, np.nan, n, k, n_dropped, None, False, notes)
    if binary:
        q, df, p = cochran_q(arr)
        test, w = "Cochran's Q", None
    else:
        q, df, p, w = friedman(arr)
        test = "Friedman"
    if n <= 5:
        notes.append(StatWarning("small_n", f"only {n} complete cases: the χ² approximation is unreliable"))
    return OmnibusResult(model, metric, test, q, df, p, n, k, n_dropped, w, bool(p < alpha), notes)
