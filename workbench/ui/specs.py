"""Build an experiment spec from the Run page's choices, write it, and estimate it with `build_plan`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workbench.errors import SpecError
from workbench.experiment.plan import Plan, build_plan
from workbench.experiment.spec import ExperimentSpec, validation_error_to_spec_error
from workbench.experiment.yaml_lines import parse_yaml
from workbench.providers.registry import is_simulated
from workbench.scoring.registry import JUDGE_PREFIX

SCORER_PRESETS: dict[str, list[str]] = {
    "wording": ["length", "readability", "gender_coded", "age_coded", "exclusion", "gendered_title"],
    "wording_judge": ["length", "readability", "gender_coded", "age_coded", "exclusion", "gendered_title",
                      "judge:clarity"],
    "screening": ["length", "screening"],
    "basic": ["length", "readability"],
}
SIMULATED_JUDGE = "simulated:judge"
MODEL_SUGGESTIONS = (
    "simulated:default",
    "openai:gpt-4o-mini",
    "openai:gpt-4.1-mini",
    "anthropic:claude-3-5-haiku-latest",
    "anthropic:claude-sonnet-4-0",
)


@dataclass
class RunChoices:
    name: str
    variants: list[Path]
    dataset: Path
    models: list[str]
    baseline: str | None = None
    repeats: int = 1
    scorers: str = "wording"
    max_cases: int | None = None
    latency_ms: float = 0.0  # simulated models only: makes the progress bar visible in demos
    judge: str | None = None  # judge model for judge scorers (None: `default_judge(models)`)
    concurrency: int = 16
    seed: int = 0
    description: str = "Built on the Run page of the workbench UI."
    extra: dict[str, Any] = field(default_factory=dict)


def spec_file(folder: Path, name: str) -> Path:
    return folder / f"ui-{name}.yaml"


def _rel(path: Path, folder: Path) -> str:
    """Paths relative to the spec's folder (how `build_plan` resolves them first), so specs stay portable."""
    try:
        return os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive on Windows
        return str(path.resolve())


def spec_dict(choices: RunChoices, folder: Path) -> dict[str, Any]:
    models: list[Any] = []
    for model in choices.models:
        if is_simulated(model) and choices.latency_ms:
            models.append({"id": model, "simulate": {"latency_ms": choices.latency_ms}})
        else:
            models.append(model)
    data: dict[str, Any] = {
        "name": choices.name,
        "description": choices.description,
        "variants": [_rel(p, folder) for p in choices.variants],
        "dataset": _rel(choices.dataset, folder),
        "models": models,
        "repeats": choices.repeats,
        "scorers": list(SCORER_PRESETS[choices.scorers]),
        "concurrency": choices.concurrency,
        "seed": choices.seed,
    }
    if choices.baseline:
        data["baseline"] = choices.baseline
    if choices.max_cases:
        data["max_cases"] = choices.max_cases
    if uses_judge(choices.scorers):
        data["judge"] = {"model": choices.judge or default_judge(choices.models)}
    data.update(choices.extra)
    return data


def uses_judge(preset: str) -> bool:
    return any(str(s).startswith(JUDGE_PREFIX) for s in SCORER_PRESETS[preset])


def default_judge(models: list[str]) -> str:
    """The judge for a run: the first real model picked, so real texts are never scored by the SIMULATED
    judge unless the user chooses it; the simulated judge when every model is simulated."""
    return next((m for m in models if not is_simulated(m)), SIMULATED_JUDGE)


def spec_yaml(data: dict[str, Any]) -> str:
    header = "# Written by the Prompt Workbench UI (Run page). Run it again with: workbench run <this file>\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def plan_from_text(text: str, path: Path) -> Plan:
    """Validate and render a spec that may not be on disk yet (paths resolve against `path`'s folder)."""
    # The same parser and messages as the CLI: duplicate keys, alias bombs, lines in errors.
    data, lines = parse_yaml(text, path, "experiment spec")
    if not isinstance(data, dict):
        raise SpecError("an experiment spec must be a YAML mapping", file=path)
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_spec_error(exc, path, lines) from None
    return build_plan(path, spec=spec)


def estimate_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for est in plan.estimate():
        rows.append({
            "model": est.model + (" (SIMULATED)" if est.simulated else ""),
            "role": getattr(est, "role", "generation"),  # "judge": the judge's calls (plan.estimate)
            "calls": est.calls,
            "input tokens": est.input_tokens,
            "output tokens": est.output_tokens,
            "est. cost (USD)": est.cost_usd,
            "max cost (USD)": est.cost_usd_max,
        })
    return rows
