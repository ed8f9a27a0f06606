"""Multiple-comparison adjustment of p-values (Holm, Benjamini–Hochberg, Bonferroni).

Adjusted p-values follow R's ``p.adjust`` so they can be compared with ``alpha`` directly.
NaN entries (e.g. descriptive-only comparisons) are passed through and do not count towards
the family size ``m``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

Correction = Literal["holm", "bh", "bonferroni", "none"]
CORRECTION_NAMES: dict[str, str] = {
    "holm": "Holm",
    "bh": "Benjamini–Hochberg",
    "bonferroni": "Bonferroni",
    "none": "unadjusted",
}


FAMILY_LABELS: dict[str, str] = {
    "primary": "primary family",
    "secondary": "secondary (exploratory)",
    "supplementary": "supplementary (exploratory)",
}


def family_text(family: str, correction: str, size: int | None, noun: str = "test") -> str:
    """E.g. "primary family, Holm over 6 tests" / "secondary (exploratory), Benjamini–Hochberg over 40 tests"."""
    name = FAMILY_LABELS.get(family, family)
    if correction == "none" or size is None:
        return name
    return f"{name}, {CORRECTION_NAMES[correction]} over {size} {noun}{'s' if size != 1 else ''}"


def _prepare(p: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1:
        raise ValueError("p-values must be a 1-D sequence")
    ok = np.isfinite(arr)
    if np.any((arr[ok] < 0) | (arr[ok] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    return arr, ok


def _adjusted(p: Sequence[float] | np.ndarray, adjust: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply `adjust` (finite p-values in, adjusted ones out, same order) and pass NaNs through."""
    arr, ok = _prepare(p)
    out = np.full_like(arr, np.nan)
    if ok.any():
        out[ok] = adjust(arr[ok])
    return out


def _holm(vals: np.ndarray) -> np.ndarray:
    m = vals.size
    order = np.argsort(vals, kind="stable")
    stepped = (m - np.arange(m)) * vals[order]
    res = np.empty(m)
    # step-down: an adjusted p can never be smaller than the one before it
    res[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    return res


def _bh(vals: np.ndarray) -> np.ndarray:
    m = vals.size
    order = np.argsort(vals, kind="stable")[::-1]
    ranks = np.arange(m, 0, -1)
    res = np.empty(m)
    # step-up: walk from the largest p down, keeping the running minimum
    res[order] = np.minimum(np.minimum.accumulate(vals[order] * m / ranks), 1.0)
    return res


def holm(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjustment; controls the family-wise error rate under any dependence."""
    return _adjusted(p, _holm)


def benjamini_hochberg(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg (1995) step-up adjustment; controls the false discovery rate (exploratory)."""
    return _adjusted(p, _bh)


def bonferroni(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Bonferroni adjustment (p × m, capped at 1)."""
    arr, ok = _prepare(p)
    out = np.full_like(arr, np.nan)
    out[ok] = np.minimum(arr[ok] * ok.sum(), 1.0)
    return out


def adjust_pvalues(p: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust a family of p-values; ``method`` is one of holm, bh (alias fdr_bh), bonferroni, none."""
    key = method.lower()
    if key in ("bh", "fdr_bh", "fdr"):
        return benjamini_hochberg(p)
    if key == "holm":
        return holm(p)
    if key == "bonferroni":
        return bonferroni(p)
    if key == "none":
        arr, _ = _prepare(p)
        return arr.copy()
    raise ValueError(f"unknown correction {method!r}; use holm, bh, bonferroni or none")


def correction_key(method: str) -> str:
    """Canonical short name for a correction method (validates it)."""
    key = method.lower()
    if key in ("fdr_bh", "fdr"):
        key = "bh"
    if key not in CORRECTION_NAMES:
        raise ValueError(f"unknown correction {method!r}; use holm, bh, bonferroni or none")
    return key
