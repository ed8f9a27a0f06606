"""Aggregate long-format scores to one mean per case × model × variant (the unit of analysis).

Repeats of the same prompt on the same case are not independent evidence about the prompt: they
only average out sampling noise of the model. So each (model, metric) becomes a matrix of case means
(rows = cases, columns = variants). Aggregation uses factorised integer keys and ``np.bincount``
(no per-row Python), which keeps a million rows well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("case", "variant", "model", "repeat", "metric", "value")
KINDS = ("numeric", "binary")


@dataclass(frozen=True)
class CellTable:
    """All variants of one (model, metric) as case × variant matrices."""

    model: str
    metric: str
    kind: str  # "numeric" | "binary"
    cases: np.ndarray  # (n_cases,) case ids as str, sorted
    variants: tuple[str, ...]  # sorted
    means: np.ndarray  # (n_cases, n_variants) mean of the valid repeats; NaN if none
    counts: np.ndarray  # valid (non-NaN) repeats per cell
    planned: np.ndarray  # rows per cell including failed (NaN) outputs
    within_var: np.ndarray  # sample variance of the repeats per cell; NaN if < 2 valid repeats
    clusters: np.ndarray | None  # (n_cases,) cluster label per case, if the input had a cluster column

    def column(self, variant: str) -> int:
        return self.variants.index(variant)


def _factorize_sorted(series: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes with uniques sorted as strings (deterministic order independent of row order)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError(f"column {name!r} contains missing values")
    labels = np.asarray([str(u) for u in uniques], dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], labels[order]


def _case_clusters(scores: pd.DataFrame, case_codes: np.ndarray, n_cases: int) -> np.ndarray:
    """Cluster label per case code; a missing cluster makes the case its own singleton cluster."""
    kc, klabels = pd.factorize(scores["cluster"], use_na_sentinel=True)
    n_k = len(klabels) + 1
    pairs = np.unique(case_codes * n_k + (kc + 1))
    owner, code = pairs // n_k, pairs % n_k - 1
    if len(np.unique(owner)) != len(owner):
        raise ValueError("every case must belong to exactly one cluster")
    out = np.array([f"__case_{c}" for c in range(n_cases)], dtype=object)
    has = code >= 0
    out[owner[has]] = [str(klabels[k]) for k in code[has]]
    return out


def aggregate_scores(scores: pd.DataFrame) -> list[CellTable]:
    """Validate the long score frame and return one CellTable per (model, metric), sorted by name."""
    missing = [c for c in REQUIRED_COLUMNS if c not in scores.columns]
    if missing:
        raise ValueError(f"scores frame lacks columns {missing}")
    if len(scores) == 0:
        return []
    value = pd.to_numeric(scores["value"], errors="coerce").to_numpy(dtype=float)
    mo, models = _factorize_sorted(scores["model"], "model")
    me, metrics = _factorize_sorted(scores["metric"], "metric")
    va, variants = _factorize_sorted(scores["variant"], "variant")
    ca, cases = _factorize_sorted(scores["case"], "case")
    n_mo, n_me, n_va, n_ca = len(models), len(metrics), len(variants), len(cases)

    key = ((mo * n_me + me) * n_va + va) * n_ca + ca
    size = n_mo * n_me * n_va * n_ca
    planned = np.bincount(key, minlength=size)
    valid = np.isfinite(value)
    kv, vv = key[valid], value[valid]
    counts = np.bincount(kv, minlength=size)
    sums = np.bincount(kv, weights=vv, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = sums / counts
        # second pass around the cell mean: numerically stable even for large, nearly constant scores
        ss = np.bincount(kv, weights=(vv - means[kv]) ** 2, minlength=size)
        within = np.where(counts >= 2, ss / np.maximum(counts - 1, 1), np.nan)

    kinds = _kinds(scores, mo * n_me + me, n_mo * n_me, value, valid)
    clusters = _case_clusters(scores, ca, n_ca) if "cluster" in scores.columns else None

    shape = (n_mo, n_me, n_va, n_ca)
    planned, counts = planned.reshape(shape), counts.reshape(shape)
    means, within = means.reshape(shape), within.reshape(shape)
    tables: list[CellTable] = []
    for i in range(n_mo):
        for j in range(n_me):
            p = planned[i, j]
            if not p.any():
                continue
            var_idx = np.flatnonzero(p.sum(axis=1) > 0)
            case_idx = np.flatnonzero(p.sum(axis=0) > 0)
            sel = np.ix_(var_idx, case_idx)
            tables.append(
                CellTable(
                    model=str(models[i]),
                    metric=str(metrics[j]),
                    kind=kinds[i * n_me + j],
                    cases=cases[case_idx].astype(str),
                    variants=tuple(str(v) for v in variants[var_idx]),
                    means=means[i, j][sel].T.copy(),
                    counts=counts[i, j][sel].T.copy(),
                    planned=p[sel].T.copy(),
                    within_var=within[i, j][sel].T.copy(),
                    clusters=None if clusters is None else clusters[case_idx].astype(str),
                )
            )
    return tables


def _kinds(
    scores: pd.DataFrame, mm: np.ndarray, n_mm: int, value: np.ndarray, valid: np.ndarray
) -> list[str]:
    """Kind per (model, metric): from the ``kind`` column, else binary iff every valid value is 0 or 1."""
    if "kind" in scores.columns:
        kcodes, klabels = _factorize_sorted(scores["kind"].fillna("numeric"), "kind")
        unknown = set(klabels) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kind(s) {sorted(unknown)}; use 'numeric' or 'binary'")
        pairs = np.unique(mm * len(klabels) + kcodes)
        owner, kind_code = pairs // len(klabels), pairs % len(klabels)
        if len(np.unique(owner)) != len(owner):
            raise ValueError("a (model, metric) mixes numeric and binary kinds")
        out = ["numeric"] * n_mm
        for o, k in zip(owner, kind_code, strict=True):
            out[int(o)] = str(klabels[k])
        return out
    not01 = valid & (value != 0) & (value != 1)
    bad = np.bincount(mm[not01], minlength=n_mm)
    n_valid = np.bincount(mm[valid], minlength=n_mm)
    return ["binary" if (b == 0 and v > 0) else "numeric" for b, v in zip(bad, n_valid, strict=True)]
