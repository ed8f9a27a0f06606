"""Generate scored outputs straight from the simulated provider (no store), for fast calibration loops."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pandas as pd

from workbench.plan import Plan, build_plan
from workbench.providers.simulated import SimulatedProvider
from workbench.scoring.base import ScoringContext
from workbench.scoring.registry import build_scorers, metric_kind, score_text

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
