"""Effect sizes for paired differences (columns of ``d`` are comparisons, rows are cases)."""

from __future__ import annotations

import numpy as np
from scipy import stats

# Above this many Walsh averages the Hodges–Lehmann estimate uses a random subsample of pairs
# (n ≈ 2,000 cases); below it the estimate is exact.
HL_MAX_PAIRS = 2_000_000


def _as_2d(d: np.ndarray) -> np.ndarray:
    arr = np.asarray(d, dtype=float)
    return arr[:, None] if arr.ndim == 1 else arr


def cohen_dz(d: np.ndarray) -> np.ndarray:
    """Standardised mean difference of paired data, d_z = mean(d) / sd(d); NaN when sd is 0 or n < 2."""
    arr = _as_2d(d)
    if arr.shape[0] < 2:
        return np.full(arr.shape[1], np.nan)
    sd = arr.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, arr.mean(axis=0) / np.where(sd > 0, sd, 1.0), np.nan)


def signed_rank_sums(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilcoxon rank sums (T+, T-) of |d| over non-zero differences (zeros dropped, as R's wilcox.test)."""
    arr = _as_2d(d)
    t_plus = np.zeros(arr.shape[1])
    t_minus = np.zeros(arr.shape[1])
    for j in range(arr.shape[1]):
        col = arr[:, j]
        nz = col != 0
        if not nz.any():
            continue
        ranks = stats.rankdata(np.abs(col[nz]))
        t_plus[j] = ranks[col[nz] > 0].sum()
        t_minus[j] = ranks[col[nz] < 0].sum()
    return t_plus, t_minus


def rank_biserial(d: np.ndarray) -> np.ndarray:
    """Matched-pairs rank-biserial correlation r = (T+ − T−) / (T+ + T−) (Kerby 2014); NaN if all d = 0."""
    t_plus, t_minus = signed_rank_sums(d)
    total = t_plus + t_minus
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (t_plus - t_minus) / np.where(total > 0, total, 1.0), np.nan)


def hodges_lehmann(d: np.ndarray, *, rng: np.random.Generator | None = None) -> np.ndarray:
    """One-sample Hodges–Lehmann estimator: median of the Walsh averages (d_i + d_j)/2, i ≤ j.

    This estimates the pseudo-median of the paired differences (the shift the signed-rank test sees).
    Exact up to HL_MAX_PAIRS Walsh averages; beyond that a seeded random subsample of pairs is used.
    """
    arr = _as_2d(d)
    n, m = arr.shape
    out = np.full(m, np.nan)
    if n == 0:
        return out
    n_pairs = n * (n + 1) // 2
    if n_pairs <= HL_MAX_PAIRS:
        i, j = np.triu_indices(n)
    else:
        gen = rng if rng is not None else np.random.default_rng(0)
        i = gen.integers(0, n, HL_MAX_PAIRS)
        j = gen.integers(0, n, HL_MAX_PAIRS)
    # all columns at once: one gather of the pairs instead of one per column (same medians)
    return np.median(arr[i] + arr[j], axis=0) / 2.0


def sign_counts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number of positive, negative and exactly-zero differences per column."""
    arr = _as_2d(d)
    return (arr > 0).sum(axis=0), (arr < 0).sum(axis=0), (arr == 0).sum(axis=0)
