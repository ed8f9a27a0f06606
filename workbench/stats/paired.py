"""Paired comparison of numeric case means: one batch = several variants vs one reference on the same cases.

Primary inference: mean difference with a t-interval and a sign-flip permutation p-value (exact for
≤ 16 units). Robustness checks: Wilcoxon signed-rank (R's convention, see ``wilcoxon_signed_rank``)
and a BCa bootstrap CI. Effect sizes: d_z,
matched-pairs rank-biserial, Hodges–Lehmann pseudo-median. With clusters, the CI uses the
cluster-robust SE (Miller 2024) and the permutation/bootstrap resample whole clusters.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from . import effect_sizes as es
from .clustered import clustered_se
from .resampling import bca_interval, sign_flip_test


@dataclass(frozen=True)
class PairedBatch:
    """Results for m comparisons on the same n cases; every array has shape (m,)."""

    n: int
    mean: np.ndarray
    sd: np.ndarray
    se: np.ndarray  # SE used for the CI (clustered if clusters were given)
    df: float
    t: np.ndarray
    p_t: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_method: str
    p_perm: np.ndarray
    perm_method: str
    wilcoxon_v: np.ndarray  # R's V = sum of ranks of positive differences
    wilcoxon_p: np.ndarray
    wilcoxon_method: list[str]  # per column: "exact" or "normal approximation with continuity correction"
    boot_low: np.ndarray
    boot_high: np.ndarray
    d_z: np.ndarray
    rank_biserial: np.ndarray
    hodges_lehmann: np.ndarray
    n_pos: np.ndarray
    n_neg: np.ndarray
    n_zero: np.ndarray
    n_clusters: int | None = None
    se_iid: np.ndarray | None = None
    design_effect: np.ndarray | None = None


def snap_zeros(d: np.ndarray, scale: float) -> np.ndarray:
    """Set differences that are zero up to float rounding to exactly 0 (ties must be recognised)."""
    out = np.array(d, dtype=float, copy=True)
    out[np.abs(out) <= 1e-12 * max(scale, 1.0)] = 0.0
    return out


WilcoxonMethod = Literal["auto", "exact", "normal"]
WILCOXON_EXACT_MAX = 50  # R's wilcox.test: exact only for fewer than 50 non-zero differences


def wilcoxon_signed_rank(d: np.ndarray, method: WilcoxonMethod = "auto") -> tuple[float, float, str]:
    """Two-sided Wilcoxon signed-rank test of one column of paired differences: (V, p, method used).

    Convention (R's ``wilcox.test(x, y, paired = TRUE)`` defaults, stated so results can be checked):
    zero differences are dropped; V is the sum of the ranks of the positive differences (mid-ranks for
    ties); the p-value is **exact** when fewer than 50 non-zero differences remain and there are no
    ties or zeros, otherwise the **normal approximation with continuity correction** and the tie-corrected
    variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48. ``method="exact"`` forces the exact null distribution where
    it exists (no ties, no zeros), ``"normal"`` always uses the corrected normal approximation.
    """
    col = np.asarray(d, dtype=float)
    zeros = bool(np.any(col == 0))
    x = col[col != 0]
    n = x.size
    if n == 0:
        return 0.0, 1.0, "no non-zero differences"
    # |d| rounded to 12 significant digits of the largest: case means of repeats carry float noise
    # (e.g. 1.3 vs 1.3000000000000003) that must not break a tie
    scale = float(np.max(np.abs(x)))
    ax = np.round(np.abs(x) / scale, 12)
    ranks = stats.rankdata(ax)
    v = float(ranks[x > 0].sum())
    _, tie_counts = np.unique(ax, return_counts=True)
    ties = bool(np.any(tie_counts > 1))
    exact_ok = not ties and not zeros
    use_exact = exact_ok and (method == "exact" or (method == "auto" and n < WILCOXON_EXACT_MAX))
    if use_exact:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = float(stats.wilcoxon(x, method="exact").pvalue)
        return v, min(p, 1.0), "exact"
    mean = n * (n + 1) / 4
    var = n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(tie_counts**3 - tie_counts)) / 48
    if var <= 0:
        return v, 1.0, "normal approximation with continuity correction"
    z = v - mean
    z = (z - np.sign(z) * 0.5) / math.sqrt(var)
    p = float(2 * min(stats.norm.cdf(z), stats.norm.sf(z)))
    return v, min(p, 1.0), "normal approximation with continuity correction"


def _wilcoxon(d: np.ndarray, method: WilcoxonMethod) -> tuple[np.ndarray, list[str]]:
    """Wilcoxon signed-rank p per column and the method each used (see ``wilcoxon_signed_rank``)."""
    out = np.ones(d.shape[1])
    used: list[str] = []
    for j in range(d.shape[1]):
        _, out[j], how = wilcoxon_signed_rank(d[:, j], method)
        used.append(how)
    return out, used


def paired_batch(
    d: np.ndarray,
    *,
    rng: np.random.Generator,
    confidence: float = 0.95,
    clusters: np.ndarray | None = None,
    n_permutations: int = 10_000,
    n_bootstrap: int = 9_999,
    exact_max_units: int = 16,
    wilcoxon: WilcoxonMethod = "auto",
    cluster_se: str = "CR1",
) -> PairedBatch:
    """Analyse paired differences ``d`` (n cases × m comparisons, already finite and zero-snapped)."""
    d = np.asarray(d, dtype=float)
    if d.ndim == 1:
        d = d[:, None]
    n, m = d.shape
    mean = d.mean(axis=0) if n else np.full(m, np.nan)
    sd = d.std(axis=0, ddof=1) if n > 1 else np.full(m, np.nan)
    nan = np.full(m, np.nan)

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if n >= 2:
            tt = stats.ttest_1samp(d, 0.0, axis=0)
            ci = tt.confidence_interval(confidence)
            t, p_t, ci_low, ci_high = (
                np.asarray(tt.statistic, float),
                np.asarray(tt.pvalue, float),
                np.asarray(ci.low, float),
                np.asarray(ci.high, float),
            )
            se = sd / np.sqrt(n)
        else:
            t = p_t = ci_low = ci_high = se = nan
    # zero variance: the t machinery returns NaN; the honest interval is the single observed value
    flat = np.isfinite(sd) & (sd == 0)
    ci_low = np.where(flat, mean, ci_low)
    ci_high = np.where(flat, mean, ci_high)
    df: float = n - 1
    ci_method = "paired t-interval"

    n_clusters = se_iid = deff = None
    if clusters is not None and n >= 2:
        cl = clustered_se(d, clusters, small_sample=cluster_se)
        n_clusters, se_iid, deff = cl.n_clusters, cl.se_iid, cl.design_effect
        if cl.n_clusters >= 2:
            se = cl.se_clustered
            lo, hi = cl.interval(mean, confidence)
            ci_low, ci_high = np.where(flat, mean, lo), np.where(flat, mean, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                t = mean / se
            p_t = 2 * stats.t.sf(np.abs(t), cl.df)
            df = cl.df
            ci_method = f"cluster-robust t-interval ({cl.n_clusters} clusters, df={cl.df})"

    groups = clusters if (clusters is not None and n_clusters is not None and n_clusters >= 2) else None
    if n >= 1:
        perm = sign_flip_test(
            d, rng=rng, n_resamples=n_permutations, exact_max_units=exact_max_units, groups=groups
        )
        p_perm, perm_method = perm.pvalues, perm.method
        boot_low, boot_high = bca_interval(
            d, rng=rng, n_resamples=n_bootstrap, confidence=confidence, groups=groups
        )
    else:
        p_perm, perm_method, boot_low, boot_high = nan, "none", nan, nan
    t_plus, _ = es.signed_rank_sums(d)
    n_pos, n_neg, n_zero = es.sign_counts(d)
    if n:
        wil_p, wil_method = _wilcoxon(d, wilcoxon)
    else:
        wil_p, wil_method = nan, ["none"] * m
    return PairedBatch(
        n=n,
        mean=mean,
        sd=sd,
        se=np.asarray(se, float),
        df=df,
        t=np.asarray(t, float),
        p_t=np.asarray(p_t, float),
        ci_low=ci_low,
        ci_high=ci_high,
        ci_method=ci_method,
        p_perm=p_perm,
        perm_method=perm_method,
        wilcoxon_v=t_plus,
        wilcoxon_p=wil_p,
        wilcoxon_method=wil_method,
        boot_low=boot_low,
        boot_high=boot_high,
        d_z=es.cohen_dz(d),
        rank_biserial=es.rank_biserial(d),
        hodges_lehmann=es.hodges_lehmann(d, rng=rng),
        n_pos=n_pos,
        n_neg=n_neg,
        n_zero=n_zero,
        n_clusters=n_clusters,
        se_iid=se_iid,
        design_effect=deff,
    )
