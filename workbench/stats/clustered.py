"""Cluster-robust standard error of a mean of paired differences (Miller 2024, arXiv:2411.00640).

When test cases come in groups (e.g. several vacancies from the same job family), their differences
are correlated and the usual SE = sd/√n is too small. Miller's clustered SE sums residuals within a
cluster before squaring:  SE² = Σ_c (Σ_{i∈c} (d_i − d̄))² / n²  (CR0). By default (``small_sample="CR1"``)
we multiply by the CR1 factor G/(G−1) so that, with every case its own cluster, it reduces exactly to
the textbook sd²/n (Cameron & Miller 2015, J. Human Resources 50:317, §VI.B); ``"CR0"`` leaves it out.
The design effect is the variance ratio SE²_clustered / SE²_iid (1 = clustering costs nothing).
Intervals use a t distribution with G − 1 degrees of freedom, a common small-number-of-clusters
safeguard; power and minimum detectable effects use the same G − 1 (see ``power``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class ClusteredSE:
    """Per-column cluster-robust SE summary."""

    n_clusters: int
    se_iid: np.ndarray
    se_clustered: np.ndarray
    design_effect: np.ndarray
    df: int  # G − 1

    def interval(self, mean: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """t-interval with G − 1 degrees of freedom around ``mean``."""
        if self.df < 1:
            nan = np.full_like(np.asarray(mean, dtype=float), np.nan)
            return nan, nan
        q = stats.t.ppf(0.5 + confidence / 2, self.df)
        return mean - q * self.se_clustered, mean + q * self.se_clustered


def clustered_se(d: np.ndarray, clusters: np.ndarray, small_sample: str = "CR1") -> ClusteredSE:
    """Cluster-robust SE of the column means of ``d`` (n × m) given a cluster label per row (CR1 or CR0)."""
    if small_sample not in ("CR1", "CR0"):
        raise ValueError("small_sample must be 'CR1' or 'CR0'")
    arr = np.asarray(d, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    n, m = arr.shape
    _, codes = np.unique(np.asarray(clusters), return_inverse=True)
    n_clusters = int(codes.max()) + 1 if n else 0
    resid = arr - arr.mean(axis=0)
    sums = np.empty((n_clusters, m))
    for j in range(m):
        sums[:, j] = np.bincount(codes, weights=resid[:, j], minlength=n_clusters)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_iid = arr.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(m, np.nan)
        factor = (n_clusters / (n_clusters - 1) if n_clusters > 1 else np.nan) if small_sample == "CR1" else 1.0
        se_cl = np.sqrt(factor * (sums**2).sum(axis=0)) / n
        deff = np.where(se_iid > 0, se_cl**2 / np.where(se_iid > 0, se_iid, 1.0) ** 2, np.nan)
    return ClusteredSE(n_clusters, se_iid, se_cl, deff, n_clusters - 1)
