"""Rater agreement: weighted Cohen's κ (two raters) and Krippendorff's α (any number of raters, missing
values), with bootstrap confidence intervals over the rated units.

* ``weighted_kappa(table, weights)``: Cohen (1968), κ_w = 1 − Σ v·p_obs / Σ v·p_exp with disagreement
  weights v (0 on the diagonal): "linear" |i − j|, "quadratic" (i − j)² (Fleiss & Cohen 1973), "none"
  (unweighted κ, Cohen 1960), or any k × k matrix (Cohen's own ratio weights, for instance). The weights
  only matter up to a common factor.
* ``krippendorff_alpha(data, level)``: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability":
  α = 1 − D_o / D_e from the coincidence matrix of pairable values (units with ≥ 2 values), with the
  nominal, ordinal (ranks of the marginal frequencies) and interval metric differences δ².
* ``kappa_with_ci`` / ``alpha_with_ci``: the statistic with a percentile bootstrap interval that resamples
  whole units (the items rated), seeded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .serialize import dataclass_dict

KappaWeights = Literal["none", "linear", "quadratic"]
AlphaLevel = Literal["nominal", "ordinal", "interval"]


@dataclass(frozen=True)
class Agreement:
    """One agreement coefficient with its bootstrap CI (None when it cannot be estimated)."""

    statistic: str  # e.g. "Cohen's κ (linear weights)", "Krippendorff's α (ordinal)"
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n_units: int  # units (items) that entered the coefficient
    n_values: int  # ratings that entered it
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return dataclass_dict(self)

    def text(self, decimals: int = 2) -> str:
        """E.g. "0.62 (95% CI 0.48 to 0.75)"."""
        if self.estimate is None:
            return "n/a"
        ci = ""
        if self.ci_low is not None and self.ci_high is not None:
            ci = f" ({self.confidence:.0%} CI {self.ci_low:.{decimals}f} to {self.ci_high:.{decimals}f})"
        return f"{self.estimate:.{decimals}f}{ci}"


# -- Cohen's κ -----------------------------------------------------------------------------------------

def disagreement_weights(k: int, weights: KappaWeights | np.ndarray) -> np.ndarray:
    """k × k disagreement weights (0 on the diagonal)."""
    if isinstance(weights, np.ndarray):
        w = np.asarray(weights, dtype=float)
        if w.shape != (k, k) or np.any(np.diag(w) != 0) or np.any(w < 0):
            raise ValueError(f"weights must be a {k}×{k} matrix of disagreement weights, 0 on the diagonal")
        return w
    i, j = np.indices((k, k))
    if weights == "none":
        return (i != j).astype(float)
    if weights == "linear":
        return np.abs(i - j).astype(float)
    if weights == "quadratic":
        return ((i - j) ** 2).astype(float)
    raise ValueError("weights must be 'none', 'linear', 'quadratic' or a matrix")


def weighted_kappa(table: np.ndarray | Sequence[Sequence[float]],
                   weights: KappaWeights | np.ndarray = "linear") -> float:
    """Weighted κ of a k × k table of counts or proportions (rows: rater 1, columns: rater 2).

    NaN when chance disagreement is zero (both raters used a single, identical category)."""
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError("table must be square (k × k)")
    total = t.sum()
    if total <= 0:
        return math.nan
    p = t / total
    w = disagreement_weights(t.shape[0], weights)
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    d_exp = float((w * expected).sum())
    if d_exp <= 0:
        return math.nan
    return 1.0 - float((w * p).sum()) / d_exp


def _codes(values: Sequence[Any] | np.ndarray, categories: Sequence[Any]) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    try:
        return np.array([index[v] for v in values], dtype=int)
    except KeyError as exc:
        raise ValueError(f"rating {exc.args[0]!r} is not one of the categories {list(categories)}") from None


def cohen_kappa(a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any],
                weights: KappaWeights | np.ndarray = "linear") -> float:
    """Weighted κ of two raters' paired ratings; ``categories`` in their order (it matters for weights)."""
    if len(a) != len(b):
        raise ValueError("both raters need one rating per unit")
    k = len(categories)
    table = np.zeros((k, k))
    np.add.at(table, (_codes(a, categories), _codes(b, categories)), 1.0)
    return weighted_kappa(table, weights)


def kappa_with_ci(a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any],
                  weights: KappaWeights | np.ndarray = "linear", *, units: Sequence[Any] | None = None,
                  n_boot: int = 2000, seed: int = 0, confidence: float = 0.95) -> Agreement:
    """Weighted κ with a percentile bootstrap CI over units (``units`` groups several rating pairs of one
    item, e.g. one item rated by several recruiters against the judge; default: each pair is a unit)."""
    k = len(categories)
    ca, cb = _codes(a, categories), _codes(b, categories)
    unit_ids = np.arange(len(ca)) if units is None else np.unique(np.asarray(units, dtype=object),
                                                                   return_inverse=True)[1]
    n_units = int(unit_ids.max()) + 1 if len(unit_ids) else 0
    per_unit = unit_tables(ca, cb, unit_ids, n_units, k)
    name = "Cohen's κ" + ("" if isinstance(weights, np.ndarray) else
                          {"none": " (unweighted)", "linear": " (linear weights)",
                           "quadratic": " (quadratic weights)"}[weights])
    estimate = weighted_kappa(per_unit.sum(axis=0), weights) if n_units else math.nan
    low = high = None
    if n_units >= 2 and math.isfinite(estimate) and n_boot > 0:
        counts = bootstrap_counts(n_units, n_boot, seed)
        boots = kappa_of_tables(np.einsum("bu,ukl->bkl", counts, per_unit), weights)
        low, high = percentile_ci(boots, confidence)
    return Agreement(name, float(estimate) if math.isfinite(estimate) else None, low, high, n_units, len(ca),
                     confidence)


def unit_tables(a_codes: np.ndarray, b_codes: np.ndarray, unit_ids: np.ndarray, n_units: int, k: int) -> np.ndarray:
    """n_units × k × k: each unit's own table of (rater 1, rater 2) codes (the bootstrap adds them up)."""
    tables = np.zeros((n_units, k, k))
    np.add.at(tables, (unit_ids, a_codes, b_codes), 1.0)
    return tables


def kappa_of_tables(tables: np.ndarray, weights: KappaWeights | np.ndarray) -> np.ndarray:
    """Weighted κ of each k × k table in a stack (NaN where undefined); vectorised for bootstraps."""
    w = disagreement_weights(tables.shape[-1], weights)
    totals = tables.sum(axis=(1, 2), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = tables / totals
        expected = np.einsum("bk,bl->bkl", p.sum(axis=2), p.sum(axis=1))
        return 1.0 - (w * p).sum(axis=(1, 2)) / (w * expected).sum(axis=(1, 2))


def bootstrap_counts(n_units: int, n_boot: int, seed: int) -> np.ndarray:
    """n_boot × n_units: how often each unit is drawn in each bootstrap sample (seeded)."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot).astype(float)


def percentile_ci(boots: np.ndarray, confidence: float) -> tuple[float | None, float | None]:
    finite = boots[np.isfinite(boots)]
    if not finite.size:
        return None, None
    tail = (1 - confidence) / 2
    low, high = np.quantile(finite, [tail, 1 - tail])
    return float(low), float(high)


# -- Krippendorff's α ----------------------------------------------------------------------------------

def _coincidences(data: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per unit, the v × v coincidence matrix (Krippendorff 2011, section C): each ordered pair of values
    from different raters of one unit adds 1 / (m_u − 1). Units with fewer than 2 values add nothing."""
    n_raters, n_units = data.shape
    v = len(values)
    present = ~np.isnan(data)
    codes = np.where(present, np.searchsorted(values, np.where(present, data, values[0])), -1)
    counts = np.zeros((n_units, v))
    for r in range(n_raters):
        ok = codes[r] >= 0
        np.add.at(counts, (np.nonzero(ok)[0], codes[r][ok]), 1.0)
    m = counts.sum(axis=1)
    usable = m >= 2
    counts, m = counts[usable], m[usable]
    # Σ over ordered pairs of different raters: n_uc n_uk − [c = k] n_uc, divided by m_u − 1
    pairs = np.einsum("uc,uk->uck", counts, counts) - np.einsum("uc,ck->uck", counts, np.eye(v))
    return pairs / (m - 1)[:, None, None]


def _delta2(values: np.ndarray, marginals: np.ndarray, level: AlphaLevel) -> np.ndarray:
    c, k = np.meshgrid(np.arange(len(values)), np.arange(len(values)), indexing="ij")
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(marginals)])
        lo, hi = np.minimum(c, k), np.maximum(c, k)
        between = cum[hi + 1] - cum[lo]  # Σ_{g=lo..hi} n_g
        return (between - (marginals[c] + marginals[k]) / 2) ** 2
    raise ValueError("level must be 'nominal', 'ordinal' or 'interval'")


def _alpha_from(coincidence: np.ndarray, values: np.ndarray, level: AlphaLevel) -> float:
    o = coincidence
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan
    d2 = _delta2(values, n_c, level)
    d_obs = float((o * d2).sum())
    d_exp = float((np.outer(n_c, n_c) * d2).sum()) / (n - 1)
    if d_exp <= 0:
        return math.nan
    return 1.0 - d_obs / d_exp


def krippendorff_alpha(data: np.ndarray | Sequence[Sequence[float]], level: AlphaLevel = "ordinal") -> float:
    """Krippendorff's α of a raters × units matrix (NaN = not rated). Values are numbers; for nominal data
    any numeric codes will do. NaN when there is no variation to disagree about."""
    d = np.asarray(data, dtype=float)
    if d.ndim != 2:
        raise ValueError("data must be a raters × units matrix")
    values = np.unique(d[~np.isnan(d)])
    if values.size == 0:
        return math.nan
    return _alpha_from(_coincidences(d, values).sum(axis=0), values, level)


def alpha_with_ci(data: np.ndarray | Sequence[Sequence[float]], level: AlphaLevel = "ordinal", *,
                  n_boot: int = 2000, seed: int = 0, confidence: float = 0.95) -> Agreement:
    """Krippendorff's α with a percentile bootstrap CI that resamples units (columns)."""
    d = np.asarray(data, dtype=float)
    values = np.unique(d[~np.isnan(d)])
    name = f"Krippendorff's α ({level})"
    if values.size == 0:
        return Agreement(name, None, None, None, 0, 0, confidence)
    per_unit = _coincidences(d, values)
    n_units = per_unit.shape[0]
    n_values = int((~np.isnan(d[:, (~np.isnan(d)).sum(axis=0) >= 2])).sum())
    estimate = _alpha_from(per_unit.sum(axis=0), values, level)
    low = high = None
    if n_units >= 2 and math.isfinite(estimate) and n_boot > 0:
        counts = bootstrap_counts(n_units, n_boot, seed)
        boots = np.array([_alpha_from(np.einsum("u,ukl->kl", row, per_unit), values, level) for row in counts])
        low, high = percentile_ci(boots, confidence)
    return Agreement(name, float(estimate) if math.isfinite(estimate) else None, low, high, n_units, n_values,
                     confidence)
