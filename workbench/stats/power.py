"""Power and sample size for paired comparisons, and the "more cases or more repeats?" question.

Paired t power uses the exact noncentral t distribution (as G*Power / R's power.t.test):
under H1 the statistic is t(df = n − 1, ncp = d_z √n).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import optimize, stats

Alternative = Literal["two-sided", "greater", "less"]


def paired_t_power(d_z: float, n: int, alpha: float = 0.05, alternative: Alternative = "two-sided") -> float:
    """Power of the paired t-test for standardised effect d_z = δ / σ_d with n pairs."""
    if n < 2:
        return math.nan
    df = n - 1
    ncp = d_z * math.sqrt(n)
    if alternative == "two-sided":
        crit = float(stats.t.ppf(1 - alpha / 2, df))
        return _sf(crit, df, ncp) + _cdf(-crit, df, ncp)
    if alternative == "greater":
        return _sf(float(stats.t.ppf(1 - alpha, df)), df, ncp)
    return _cdf(float(stats.t.ppf(alpha, df)), df, ncp)


# scipy's nct can return NaN far out in a tail; there the true value is 0 or 1 depending on the side of
# the noncentrality parameter the point lies on.
def _sf(x: float, df: float, ncp: float) -> float:
    p = float(stats.nct.sf(x, df, ncp))
    return p if math.isfinite(p) else (1.0 if x < ncp else 0.0)


def _cdf(x: float, df: float, ncp: float) -> float:
    p = float(stats.nct.cdf(x, df, ncp))
    return p if math.isfinite(p) else (1.0 if x > ncp else 0.0)


def paired_t_sample_size(
    d_z: float,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    n_max: int = 1_000_000,
) -> int:
    """Smallest number of pairs n with paired-t power ≥ ``power`` (e.g. d_z=0.5, 80%, α=0.05 → 34)."""
    if not (d_z and math.isfinite(d_z)):
        raise ValueError("effect size must be a non-zero finite number")
    effect = abs(d_z) if alternative == "two-sided" else (d_z if alternative == "greater" else -d_z)
    if effect <= 0:
        raise ValueError("effect points away from the one-sided alternative")
    a = alpha / 2 if alternative == "two-sided" else alpha
    # the normal approximation is a lower bound for the t-based n: start there and walk up
    n0 = ((stats.norm.ppf(1 - a) + stats.norm.ppf(power)) / effect) ** 2
    if n0 > n_max:
        raise ValueError("required sample size exceeds n_max")
    n = max(2, int(n0))
    while paired_t_power(effect, n, alpha, "two-sided" if alternative == "two-sided" else "greater") < power:
        n += 1
        if n > n_max:
            raise ValueError("required sample size exceeds n_max")
    return n


def minimum_detectable_effect(
    n: int, sd: float = 1.0, power: float = 0.8, alpha: float = 0.05, alternative: Alternative = "two-sided"
) -> float:
    """Smallest true mean difference detectable with ``power`` given n pairs and difference SD ``sd``.

    Returned in raw units (d_z × sd); pass sd=1 for the standardised d_z. NaN if n < 2 or sd ≤ 0.
    """
    if n < 2 or not (sd > 0 and math.isfinite(sd)):
        return math.nan
    alt: Alternative = "two-sided" if alternative == "two-sided" else "greater"
    hi = 1.0
    while paired_t_power(hi, n, alpha, alt) < power:
        hi *= 2
        if hi > 1e6:
            return math.nan
    d = optimize.brentq(lambda x: paired_t_power(x, n, alpha, alt) - power, 0.0, hi, xtol=1e-10)
    return float(d * sd)


@dataclass(frozen=True)
class VarianceSplit:
    """Pilot variance of the paired difference split into between-case and within-case (per output) parts.

    Var(mean difference) = (σ²_b + σ²_w / K) / n  for n cases × K repeats per variant.
    σ²_w is the variance of a single-output difference (sum of both variants' repeat variances).
    """

    sigma2_between: float
    sigma2_within: float
    n_cases: int
    n_repeats: float

    def var_mean(self, n: int, k: int) -> float:
        return (self.sigma2_between + self.sigma2_within / k) / n

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def variance_split(
    case_diffs: np.ndarray,
    within_var_a: np.ndarray,
    within_var_b: np.ndarray,
    repeats_a: np.ndarray,
    repeats_b: np.ndarray,
) -> VarianceSplit | None:
    """Method-of-moments split from per-case means and repeat variances (ANOVA estimator).

    observed Var(d̄_i) = σ²_b + mean(s²_a/K_a + s²_b/K_b)  →  σ²_b = max(Var(d̄_i) − that, 0).
    Needs ≥ 2 cases and ≥ 2 repeats per cell (otherwise within-case noise is not identifiable).
    """
    d = np.asarray(case_diffs, dtype=float)
    va, vb = np.asarray(within_var_a, float), np.asarray(within_var_b, float)
    ka, kb = np.asarray(repeats_a, float), np.asarray(repeats_b, float)
    ok = np.isfinite(va) & np.isfinite(vb) & (ka >= 2) & (kb >= 2)
    if d.size < 2 or ok.sum() < 2:
        return None
    noise_of_means = float(np.mean(va[ok] / ka[ok] + vb[ok] / kb[ok]))
    sigma2_within = float(np.mean(va[ok] + vb[ok]))
    sigma2_between = max(float(np.var(d, ddof=1)) - noise_of_means, 0.0)
    return VarianceSplit(sigma2_between, sigma2_within, int(d.size), float(np.mean((ka + kb) / 2)))


@dataclass(frozen=True)
class AllocationOption:
    """One design: n cases × K repeats per variant."""

    n_cases: int
    n_repeats: int
    calls: int
    se: float
    mde: float


@dataclass(frozen=True)
class AllocationPlan:
    """Budget allocation between more cases and more repeats, best design first in ``options``."""

    recommended: AllocationOption
    options: list[AllocationOption]
    split: VarianceSplit
    budget_calls: int
    n_variants: int
    explanation: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_allocation(
    split: VarianceSplit,
    budget_calls: int,
    *,
    n_variants: int = 2,
    max_cases: int | None = None,
    max_repeats: int = 10,
    case_cost_calls: float = 0.0,
    power: float = 0.8,
    alpha: float = 0.05,
    unit: str = "points",
) -> AllocationPlan:
    """Recommend (n cases, K repeats) minimising the minimum detectable effect within a call budget.

    Each case costs K × n_variants model calls plus ``case_cost_calls`` (e.g. the effort of writing a
    new test case, in call-equivalents). Without a case cost and without a cap on cases, K = 1 is always
    optimal: a new case reduces both variance parts, a repeat only the within-case part.
    """
    if budget_calls < 2 * n_variants:
        raise ValueError("budget too small for two cases")
    options: list[AllocationOption] = []
    for k in range(1, max_repeats + 1):
        n = int(budget_calls // (k * n_variants + case_cost_calls))
        if max_cases is not None:
            n = min(n, max_cases)
        if n < 2:
            continue
        sd = math.sqrt(split.sigma2_between + split.sigma2_within / k)
        se = sd / math.sqrt(n)
        mde = minimum_detectable_effect(n, sd, power, alpha) if sd > 0 else 0.0
        options.append(AllocationOption(n, k, n * k * n_variants, se, mde))
    if not options:
        raise ValueError("no feasible design within the budget")
    options.sort(key=lambda o: (round(o.mde, 12), o.calls))
    best = options[0]
    notes: list[str] = []
    if case_cost_calls > 0 and split.sigma2_between > 0:
        k_star = math.sqrt(split.sigma2_within * case_cost_calls / (split.sigma2_between * n_variants))
        notes.append(f"continuous optimum K* = √(σ²_w·c_case / (σ²_b·variants)) ≈ {k_star:.1f}")
    one = next((o for o in options if o.n_repeats == 1), None)
    if best.n_repeats == 1:
        why = "new cases shrink both between-case and within-case noise; repeats only the latter"
    else:
        why = "cases are capped or costly, so extra repeats are the cheaper way to average out output noise"
    compare = ""
    if one is not None and one is not best:
        compare = f" (vs {one.n_cases} × 1: {one.mde:.3g})"
    explanation = (
        f"With {budget_calls} calls for {n_variants} variants, use {best.n_cases} cases × {best.n_repeats} "
        f"repeat(s): minimum detectable effect {best.mde:.3g} {unit} at {power:.0%} power{compare}; {why}. "
        f"Pilot: σ²_between={split.sigma2_between:.3g}, σ²_within={split.sigma2_within:.3g}."
    )
    return AllocationPlan(best, options, split, int(budget_calls), n_variants, explanation, notes)
