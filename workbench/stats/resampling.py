"""Vectorised resampling: paired sign-flip permutation p-values and BCa bootstrap intervals.

Both work on a matrix of paired differences ``d`` with shape (n_cases, n_comparisons) so that all
comparisons against one baseline share a single sign-flip / resample matrix (one matrix product
instead of a Python loop). Optional ``groups`` (cluster code per case) move the resampling unit
from the case to the cluster, which keeps the inference honest when cases within a cluster are
correlated.

The BCa interval reproduces ``scipy.stats.bootstrap(method='BCa')`` for the mean (same random
stream, same jackknife acceleration and bias correction; verified in tests) but builds resample
*counts* instead of gathering values: several times faster for many comparisons at once
(9 × 1,000 cases × 9,999 resamples: ~0.15 s instead of ~1.1 s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

# Elements per resampling chunk: keeps the count matrices around 8 MB (cache friendly, bounded memory).
_CHUNK_ELEMENTS = 1_000_000


def _as_2d(d: np.ndarray) -> np.ndarray:
    arr = np.asarray(d, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError("differences must be 1-D or 2-D (cases × comparisons)")
    if not np.all(np.isfinite(arr)):
        raise ValueError("differences must be finite (drop incomplete cases first)")
    return arr


def unit_sums(d: np.ndarray, groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Sum differences per resampling unit: (unit sums (G × m), unit sizes (G,)).

    Without ``groups`` every case is its own unit; otherwise ``groups`` holds a cluster label per case.
    """
    arr = _as_2d(d)
    if groups is None:
        return arr, np.ones(arr.shape[0])
    codes = np.asarray(groups)
    if codes.shape != (arr.shape[0],):
        raise ValueError("groups must have one entry per case")
    _, codes = np.unique(codes, return_inverse=True)
    n_units = int(codes.max()) + 1
    sums = np.empty((n_units, arr.shape[1]))
    for j in range(arr.shape[1]):
        sums[:, j] = np.bincount(codes, weights=arr[:, j], minlength=n_units)
    return sums, np.bincount(codes, minlength=n_units).astype(float)


@dataclass(frozen=True)
class SignFlipResult:
    """Two-sided paired permutation p-values (statistic: mean difference)."""

    pvalues: np.ndarray
    exact: bool  # True: all 2^G sign patterns enumerated; False: Monte Carlo
    n_units: int
    n_resamples: int  # patterns evaluated (2^G when exact)
    clustered: bool = False  # signs flipped per cluster instead of per case

    @property
    def method(self) -> str:
        unit = "cluster " if self.clustered else ""
        if self.exact:
            return f"exact {unit}sign-flip permutation (2^{self.n_units} patterns)"
        return f"Monte Carlo {unit}sign-flip permutation ({self.n_resamples:,} flips)"


def sign_flip_test(
    d: np.ndarray,
    *,
    rng: np.random.Generator,
    n_resamples: int = 10_000,
    exact_max_units: int = 16,
    groups: np.ndarray | None = None,
) -> SignFlipResult:
    """Paired permutation test: under H0 each unit's difference is symmetric around 0, so its sign is
    exchangeable. Exact enumeration when there are at most ``exact_max_units`` units, otherwise
    ``n_resamples`` random flips with the (count + 1) / (B + 1) correction that keeps MC p-values valid.
    """
    sums, _ = unit_sums(d, groups)
    n_units, m = sums.shape
    observed = np.abs(sums.sum(axis=0))
    # Ties between |T*| and |T_obs| must count as "as extreme"; allow for float rounding in the matmul.
    tol = 1e-11 * np.maximum(np.abs(sums).sum(axis=0), 1e-300)
    threshold = observed - tol
    if n_units <= exact_max_units:
        patterns = np.arange(2**n_units, dtype=np.int64)[:, None]
        bits = ((patterns >> np.arange(n_units)) & 1).astype(float)
        stats_ = np.abs(sums.sum(axis=0) - 2.0 * (bits @ sums))
        p = (stats_ >= threshold).mean(axis=0)
        return SignFlipResult(p, True, n_units, 2**n_units, groups is not None)
    total = sums.sum(axis=0)
    count = np.zeros(m)
    chunk = max(1, _CHUNK_ELEMENTS // n_units)
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        # random bits → flipping a subset F changes the sum by -2 * sum(F)
        flips = rng.integers(0, 2, size=(size, n_units), dtype=np.int8).astype(float)
        count += (np.abs(total - 2.0 * (flips @ sums)) >= threshold).sum(axis=0)
    return SignFlipResult(
        (count + 1.0) / (n_resamples + 1.0), False, n_units, n_resamples, groups is not None
    )


def _resample_counts(rng: np.random.Generator, n_units: int, size: int) -> np.ndarray:
    """Count matrix (size × n_units): how often each unit appears in each bootstrap resample.

    Draws indices exactly like scipy.stats.bootstrap (``rng.integers(0, n, (B, n))``) so results match it.
    """
    idx = rng.integers(0, n_units, (size, n_units))
    idx += (np.arange(size) * n_units)[:, None]
    return np.bincount(idx.ravel(), minlength=size * n_units).reshape(size, n_units)


def bootstrap_means(
    d: np.ndarray, *, rng: np.random.Generator, n_resamples: int, groups: np.ndarray | None = None
) -> np.ndarray:
    """Bootstrap distribution (B × m) of the mean difference, resampling cases (or whole clusters)."""
    sums, sizes = unit_sums(d, groups)
    n_units = sums.shape[0]
    out = np.empty((n_resamples, sums.shape[1]))
    chunk = max(1, _CHUNK_ELEMENTS // n_units)
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        counts = _resample_counts(rng, n_units, size).astype(float)
        if groups is None:  # every unit is one case: each resample holds exactly n_units cases
            out[start : start + size] = (counts @ sums) / float(n_units)
            continue
        # ratio estimator: resampled clusters have different sizes, so divide by resampled case count
        out[start : start + size] = (counts @ sums) / (counts @ sizes)[:, None]
    return out


def bca_interval(
    d: np.ndarray,
    *,
    rng: np.random.Generator,
    n_resamples: int = 9_999,
    confidence: float = 0.95,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated (Efron 1987) bootstrap CI of the mean difference per column.

    Follows Efron & Tibshirani (1993) §14.3 exactly as scipy does: z0 from the 'mean' percentile of
    the estimate among resamples, acceleration from the jackknife (leave one unit out), linear
    interpolation of the quantiles. Degenerate inputs (all differences equal) give a zero-width CI.
    """
    sums, sizes = unit_sums(d, groups)
    n_units, m = sums.shape
    theta_hat = sums.sum(axis=0) / sizes.sum()
    low = np.full(m, np.nan)
    high = np.full(m, np.nan)
    if n_units < 2 or n_resamples < 1:
        return low, high
    theta_b = bootstrap_means(d, rng=rng, n_resamples=n_resamples, groups=groups)
    # jackknife: leave one unit out (closed form for a ratio of sums)
    jack = (sums.sum(axis=0) - sums) / (sizes.sum() - sizes)[:, None]
    u = (n_units - 1) * (jack.mean(axis=0) - jack)
    den = (u**2).sum(axis=0)
    alpha = (1 - confidence) / 2
    z_alpha = float(ndtri(alpha))
    for j in range(m):
        column = theta_b[:, j]
        spread = np.ptp(column)
        if spread <= 1e-12 * max(1.0, abs(theta_hat[j])) or den[j] == 0:
            low[j] = high[j] = theta_hat[j]
            continue
        # a resample that is a permutation of the data reproduces theta_hat up to float rounding:
        # count it as a tie (scipy compares exactly, so it may differ in such rare tie cases)
        tol = 1e-12 * max(1.0, abs(theta_hat[j]))
        below = np.count_nonzero(column < theta_hat[j] - tol)
        at_or_below = np.count_nonzero(column <= theta_hat[j] + tol)
        pct = (below + at_or_below) / (2 * column.size)
        z0 = ndtri(pct)
        a_hat = (u[:, j] ** 3).sum() / (6.0 * den[j] ** 1.5)
        num1 = z0 + z_alpha
        num2 = z0 - z_alpha
        a1 = ndtr(z0 + num1 / (1 - a_hat * num1))
        a2 = ndtr(z0 + num2 / (1 - a_hat * num2))
        if not (np.isfinite(a1) and np.isfinite(a2)):
            continue
        low[j], high[j] = np.quantile(column, [a1, a2])
    return low, high


def resample_counts(rng: np.random.Generator, n_units: int, n_resamples: int) -> np.ndarray:
    """Public helper: bootstrap count matrix (B × n_units) for custom statistics (ratios, BT fits)."""
    return _resample_counts(rng, n_units, n_resamples)
