"""Builders for synthetic score frames used across the stats tests (exposed as fixtures)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pytest


def frame_from_matrix(
    matrix: Sequence[Sequence[float]] | np.ndarray,
    variants: Sequence[str],
    *,
    metric: str = "score",
    model: str = "m",
    kind: str | None = None,
    clusters: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Long frame with one repeat per cell from a (cases × variants) matrix."""
    arr = np.asarray(matrix, dtype=float)
    n, k = arr.shape
    frame = pd.DataFrame(
        {
            "case": np.repeat([f"case{i:03d}" for i in range(n)], k),
            "variant": np.tile(list(variants), n),
            "model": model,
            "repeat": 0,
            "metric": metric,
            "value": arr.ravel(),
        }
    )
    if kind is not None:
        frame["kind"] = kind
    if clusters is not None:
        frame["cluster"] = np.repeat(list(clusters), k)
    return frame


def simulate_scores(
    rng: np.random.Generator,
    *,
    n_cases: int = 20,
    n_repeats: int = 3,
    effects: dict[str, float] | None = None,
    sigma_case: float = 1.0,
    sigma_interaction: float = 0.5,
    sigma_noise: float = 1.0,
    metric: str = "score",
    model: str = "m",
) -> pd.DataFrame:
    """Case random effect + case×variant interaction + per-output noise; ``effects`` are variant shifts.

    The per-case difference of two variants has variance 2·σ²_interaction + 2·σ²_noise / K.
    """
    effects = effects or {"base": 0.0, "b": 0.0}
    names = list(effects)
    k = len(names)
    case_eff = rng.normal(0, sigma_case, n_cases)
    inter = rng.normal(0, sigma_interaction, (n_cases, k))
    case = np.repeat(np.arange(n_cases), k * n_repeats)
    var = np.tile(np.repeat(np.arange(k), n_repeats), n_cases)
    shift = np.array([effects[v] for v in names])
    value = case_eff[case] + inter[case, var] + shift[var] + rng.normal(0, sigma_noise, case.size)
    return pd.DataFrame(
        {
            "case": np.array([f"case{i:03d}" for i in range(n_cases)])[case],
            "variant": np.array(names)[var],
            "model": model,
            "repeat": np.tile(np.arange(n_repeats), n_cases * k),
            "metric": metric,
            "value": value,
        }
    )


@pytest.fixture
def from_matrix() -> Callable[..., pd.DataFrame]:
    return frame_from_matrix


@pytest.fixture
def simulate() -> Callable[..., pd.DataFrame]:
    return simulate_scores
