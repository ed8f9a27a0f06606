"""Generate scored outputs straight from the simulated provider (no store), for fast calibration loops."""

from __future__ import annotations

import asyncio
import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.experiment.plan import Plan, build_plan
from workbench.providers.simulated import SimulatedProvider
from workbench.providers.simulated.scores import invited, screening_scores
from workbench.scoring.base import ScoringContext
from workbench.scoring.catalogue import metric_kind
from workbench.scoring.registry import build_scorers, score_text

ROOT = Path(__file__).resolve().parents[2]


def write_variant(path: Path, source: Path, new_id: str) -> Path:
    text = source.read_text(encoding="utf-8")
    old_id = next(line for line in text.splitlines() if line.startswith("id:"))
    path.write_text(text.replace(old_id, f"id: {new_id}", 1), encoding="utf-8")
    return path


def simulate(plan: Plan, seed: int, scorers: list[str]) -> pd.DataFrame:
    """One replicate of the whole experiment with the simulated provider's seed set to `seed`."""
    built = build_scorers(scorers)
    provider = SimulatedProvider()
    requests = [dataclasses.replace(c.request, params={**c.request.params, "seed": seed}) for c in plan.calls]

    async def run_all() -> list[str]:
        return [c.text for c in await asyncio.gather(*(provider.complete(r) for r in requests))]

    texts = asyncio.run(run_all())
    rows = []
    for call, text in zip(plan.calls, texts, strict=True):
        meta = call.request.metadata
        ctx = ScoringContext(language=meta["language"], task=meta["task"], case=meta["case"])
        for score in score_text(text, ctx, built):
            rows.append({
                "case": call.cell.case, "variant": call.cell.variant, "model": call.cell.model,
                "repeat": call.cell.repeat, "swap_group": call.cell.swap_group, "swap_name": call.cell.swap_name,
                "metric": score.metric, "value": score.value, "kind": metric_kind(score.metric),
            })
    return pd.DataFrame(rows)


def plan_for(spec_text: str, tmp_path: Path, name: str = "calibration.yaml") -> Plan:
    spec = tmp_path / name
    spec.write_text(spec_text, encoding="utf-8")
    return build_plan(spec)


# -- in-process generators (no text, no store): thousands of runs in seconds ------------------------------


def variant_scores(
    rng: np.random.Generator,
    *,
    n_cases: int = 20,
    variants: tuple[str, ...] = ("a", "b"),
    metrics: tuple[str, ...] = ("m1",),
    repeats: int = 2,
    shifts: dict[tuple[str, str], float] | None = None,
    sd_case: float = 1.0,
    sd_interaction: float = 0.5,
    sd_noise: float = 1.0,
    metric_corr: float = 0.5,
    cluster_size: int | None = None,
    sd_cluster: float = 0.0,
    binary: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Scores of a variant comparison with the nuisances real runs have.

    value = case effect (shared by all variants) + case × variant interaction (shared by the repeats of a
    cell, so repeats are correlated) [+ cluster × variant effect] + output noise [+ planted shift];
    metrics are correlated through a common factor (corr ≈ metric_corr); `binary` metrics are the
    output's latent value thresholded at 0.8 (a flag). The per-case difference of two variants has
    variance 2·σ²_interaction + 2·σ²_noise/repeats (+ 2·σ²_cluster, shared within a cluster).
    """
    shifts = shifts or {}
    n_v, n_m = len(variants), len(metrics)
    a, b = math.sqrt(metric_corr), math.sqrt(1 - metric_corr)

    def correlated(size: tuple[int, ...], sd: float) -> np.ndarray:
        common = rng.normal(0, 1, (*size, 1))
        return sd * (a * common + b * rng.normal(0, 1, (*size, n_m)))

    case = correlated((n_cases, 1, 1), sd_case)
    inter = correlated((n_cases, n_v, 1), sd_interaction)
    noise = rng.normal(0, sd_noise, (n_cases, n_v, repeats, n_m))
    value = case + inter + noise
    if cluster_size:
        n_clusters = -(-n_cases // cluster_size)
        cl = correlated((n_clusters, n_v, 1), sd_cluster)
        value = value + cl[np.arange(n_cases) // cluster_size]
    shift = np.array([[shifts.get((v, m), 0.0) for m in metrics] for v in variants])
    value = value + shift[None, :, None, :]
    for j, m in enumerate(metrics):
        if m in binary:
            value[..., j] = (value[..., j] > 0.8).astype(float)
    idx = np.indices(value.shape).reshape(4, -1)
    frame = pd.DataFrame({
        "case": np.array([f"case{i:03d}" for i in range(n_cases)])[idx[0]],
        "variant": np.array(variants)[idx[1]],
        "model": "m",
        "repeat": idx[2],
        "metric": np.array(metrics)[idx[3]],
        "value": value.ravel(),
        "kind": np.where(np.isin(np.array(metrics)[idx[3]], binary), "binary", "numeric"),
    })
    if cluster_size:
        frame["cluster"] = "k" + (idx[0] // cluster_size).astype(str)
    return frame


NAME_GROUPS = ("dutch_origin", "moroccan_dutch", "turkish_dutch")


def candidate_merits() -> np.ndarray:
    """The `fit` of the demo's 20 CVs (experiments/data/candidates_nl.csv)."""
    return pd.read_csv(ROOT / "experiments/data/candidates_nl.csv")["fit"].to_numpy(dtype=float)


def name_swap_scores(
    rng: np.random.Generator,
    *,
    n_cases: int = 20,
    names_per_group: int = 3,
    groups: tuple[str, ...] = NAME_GROUPS,
    repeats: int = 2,
    name_sd: float = 0.3,
    group_shift: dict[str, float] | None = None,
    variant: str = "screening_nl_structured",
) -> pd.DataFrame:
    """A name-swap screening run from the simulated provider's own generating model (no text).

    Each name gets a fixed shift N(0, name_sd²) for the whole run (as `simulate: {name_sd: ...}` does),
    each output its own noise N(0, 0.8²); scores are clipped and rounded, 7+ is "invite". Cases are the
    demo CVs (merits resampled when more than 20 are asked for).
    """
    merits = candidate_merits()
    merit = merits if n_cases == merits.size else rng.choice(merits, n_cases)
    group_shift = group_shift or {}
    names = [(g, f"{g}#{j}") for g in groups for j in range(names_per_group)]
    shift = np.array([group_shift.get(g, 0.0) for g, _ in names]) + rng.normal(0, name_sd, len(names))
    scores = screening_scores(np.broadcast_to(merit[:, None, None], (n_cases, len(names), repeats)),
                              np.broadcast_to(shift[None, :, None], (n_cases, len(names), repeats)), rng)
    idx = np.indices(scores.shape).reshape(3, -1)
    base = {
        "case": np.array([f"c{i:03d}" for i in range(n_cases)])[idx[0]],
        "model": "simulated:default",
        "variant": variant,
        "repeat": idx[2],
        "swap_group": np.array([g for g, _ in names])[idx[1]],
        "swap_name": np.array([n for _, n in names])[idx[1]],
    }
    values = scores.ravel()
    return pd.concat([
        pd.DataFrame({**base, "metric": "screening.score", "value": values}),
        pd.DataFrame({**base, "metric": "screening.invite", "value": invited(values).astype(float)}),
    ], ignore_index=True)
