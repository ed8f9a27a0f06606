"""How long a run takes under its models' declared rate limits (for `workbench run --dry-run`)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.experiment.plan import ModelEstimate, Plan
from workbench.experiment.spec import ModelSpec
from workbench.runner.budget import HEADROOM, UNITS


@dataclass(frozen=True)
class PaceEstimate:
    minutes: float  # at the pace the runner keeps (HEADROOM × the binding limit)
    unit: str  # the binding limit's unit: "RPM", "TPM", "ITPM" or "OTPM"
    limit: float

    def __str__(self) -> str:
        return f"≈ {_duration(self.minutes)} at {_count(self.limit)} {self.unit}"


def paced_minutes(model: ModelSpec, estimate: ModelEstimate) -> PaceEstimate | None:
    """The minutes `estimate`'s calls need under `model`'s declared limits (None: none declared).

    Tokens as the dry run estimates them (prompt from characters, answers at the task's typical length):
    the runner reserves max_tokens but settles each call to what it used, so the typical length is what
    the limit is spent on.
    """
    used = {
        "requests": float(estimate.calls),
        "tokens": float(estimate.input_tokens + estimate.output_tokens),
        "input_tokens": float(estimate.input_tokens),
        "output_tokens": float(estimate.output_tokens),
    }
    options = [
        PaceEstimate(used[dimension] / (limit * HEADROOM), UNITS[dimension], limit)
        for dimension, limit in model.rate_limits.items()
    ]
    return max(options, key=lambda option: option.minutes) if options else None


def paced_generation(plan: Plan) -> list[tuple[str, PaceEstimate | None]]:
    """(model, its pace or None when it declares no limits) for every paced model's generation calls: the
    judge's calls are not counted, and offline providers are never paced (the executor does not pace them).
    `workbench run --dry-run` and the UI's Run page both say these."""
    rows: list[tuple[str, PaceEstimate | None]] = []
    for est in plan.estimate():
        if est.role != "generation":
            continue
        model = plan.models[est.model]
        if not model.info.offline:
            rows.append((est.model, paced_minutes(model, est)))
    return rows


def _count(value: float) -> str:
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000 and value % 1_000 == 0:
        return f"{value / 1_000:g}k"
    return f"{value:,.0f}"


def _duration(minutes: float) -> str:
    if minutes < 1:
        return f"{max(1, round(minutes * 60))} s"
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"
