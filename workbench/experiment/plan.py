"""Resolve a spec into everything a run needs, and render every call before any is made."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import ProviderConfigError, SpecError
from workbench.experiment.datasets import TestCase, dataset_columns, load_dataset
from workbench.experiment.name_sets import pick_names
from workbench.experiment.prompts import PromptVariant, load_variant
from workbench.experiment.spec import ExperimentSpec, ModelSpec, load_spec
from workbench.providers.base import CompletionRequest, Message

# Typical completion lengths per task, for the dry-run cost estimate when max_tokens is not set.
TYPICAL_OUTPUT_TOKENS = {
    "vacancy_text": 450,
    "rejection_email": 200,
    "screening_summary": 250,
    "interview_questions": 250,
    "candidate_ranking": 300,
}
CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True)
class Cell:
    """One unit of work: a variant on a test case with a model, one repeat (and one swapped-in name)."""

    variant: str
    case: str
    model: str  # the model's display label
    repeat: int
    swap_name: str = ""
    swap_group: str = ""

    @property
    def key(self) -> tuple[str, str, str, int, str]:
        return (self.variant, self.case, self.model, self.repeat, self.swap_name)


@dataclass(frozen=True)
class PlannedCall:
    cell: Cell
    request: CompletionRequest


# A judge answers with a score and one or two sentences of rationale in JSON.
JUDGE_OUTPUT_TOKENS = 60


@dataclass
class ModelEstimate:
    """Calls, tokens and cost of one model in one role ("generation" or "judge") for `--dry-run`."""

    model: str
    role: str = "generation"
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    output_tokens_max: int = 0
    cost_usd: float | None = 0.0  # None: no price known for this model
    cost_usd_max: float | None = 0.0
    simulated: bool = False
    batch: bool = False  # priced at the providers' Batch API rates


def _tokens(chars: int) -> int:
    return int(chars / CHARS_PER_TOKEN) + 8


def _max_tokens(model: ModelSpec) -> int:
    return int(model.params.get("max_tokens") or 4096)


def _cost(model: ModelSpec, input_tokens: int, output_tokens: int, batch: bool) -> float | None:
    from workbench.providers.pricing import price, price_from_rates

    if model.info.offline:  # answered in-process: nothing is billed
        return 0.0
    if model.prices:
        return price_from_rates(model.prices, input_tokens, output_tokens, batch=batch)
    return price(model.provider, model.model, input_tokens, output_tokens, batch=batch)


def _priced(est: ModelEstimate, model: ModelSpec) -> ModelEstimate:
    est.cost_usd = _cost(model, est.input_tokens, est.output_tokens, est.batch)
    est.cost_usd_max = _cost(model, est.input_tokens, est.output_tokens_max, est.batch)
    return est


@dataclass
class Plan:
    spec: ExperimentSpec
    spec_path: Path
    variants: dict[str, PromptVariant]
    cases: list[TestCase]
    models: dict[str, ModelSpec]
    baseline: str
    names: dict[str, list[str]] = field(default_factory=dict)
    calls: list[PlannedCall] = field(default_factory=list)

    @property
    def simulated_only(self) -> bool:
        return all(m.simulated for m in self.models.values())

    @property
    def judge_rubrics(self) -> list[Any]:
        """The judge rubrics the spec scores with (empty: no judge)."""
        from workbench.scoring.judge import rubrics_for
        from workbench.scoring.registry import split_judge_entries

        return rubrics_for(split_judge_entries(self.spec.scorers)[1], self.spec.judge)

    @property
    def judge_model(self) -> ModelSpec | None:
        """The judge's model when the spec scores with a judge rubric, else None."""
        from workbench.scoring.judge import judge_model

        return judge_model(self.spec.judge) if self.judge_rubrics else None

    def estimate(self, *, batch: bool = False) -> list[ModelEstimate]:
        """Generation calls per model, then the judge's calls (one per rubric per output, assuming every
        generation call succeeds). `batch=True` prices openai/anthropic generation at Batch API rates, as
        `workbench run --batch` sends them; judge calls are never batched."""
        per_model: dict[str, ModelEstimate] = {}
        typical_chars = 0
        for call in self.calls:
            model = self.models[call.cell.model]
            est = per_model.setdefault(call.cell.model, ModelEstimate(
                model=call.cell.model, simulated=model.simulated, batch=batch and model.info.batch is not None,
            ))
            typical = min(TYPICAL_OUTPUT_TOKENS.get(str(call.request.metadata.get("task")), 300), _max_tokens(model))
            est.calls += 1
            est.input_tokens += _tokens(sum(len(m.content) for m in call.request.messages))
            est.output_tokens += typical
            est.output_tokens_max += _max_tokens(model)
            typical_chars += int(typical * CHARS_PER_TOKEN)
        estimates = [_priced(est, self.models[name]) for name, est in per_model.items()]
        judge = self.judge_estimate(typical_chars)
        return estimates + ([judge] if judge else [])

    def judge_estimate(self, output_chars: int) -> ModelEstimate | None:
        """The judge's calls for outputs of `output_chars` characters in total (None: no judge scorer)."""
        from workbench.scoring.judge import judge_request

        rubrics, model = self.judge_rubrics, self.judge_model
        if model is None or not self.calls:
            return None
        est = ModelEstimate(model=model.display, role="judge", simulated=model.simulated)
        language = next(iter(self.variants.values())).language
        for rubric in rubrics:
            # The judge's prompt around the text it grades, measured on the real request.
            request = judge_request(rubric, "", str(self.spec.task or ""), language, model, "", self.spec.seed)
            overhead = sum(len(m.content) for m in request.messages)
            est.calls += len(self.calls)
            est.input_tokens += _tokens(overhead) * len(self.calls) + int(output_chars / CHARS_PER_TOKEN)
            est.output_tokens += min(JUDGE_OUTPUT_TOKENS, _max_tokens(model)) * len(self.calls)
            est.output_tokens_max += _max_tokens(model) * len(self.calls)
        return _priced(est, model)


def resolve_path(raw: str, spec_path: Path, what: str, field_name: str) -> Path:
    """Paths in a spec are relative to the spec's folder, or else to the current directory."""
    candidate = Path(raw)
    if candidate.is_absolute():
        options = [candidate]
    else:
        options = [spec_path.parent / candidate, Path.cwd() / candidate]
        options += [parent / candidate for parent in spec_path.resolve().parents[:3]]
    for option in options:
        if option.exists():
            return option
    raise SpecError(
        f"{what} {raw!r} not found (looked next to the spec and in the current directory)",
        file=spec_path,
        field=field_name,
    )


def _request_params(model: ModelSpec, spec: ExperimentSpec) -> dict[str, Any]:
    params = dict(model.params)
    if model.simulated:
        # The simulated provider's behaviour depends on these, so they belong in the cache key.
        params.setdefault("seed", spec.seed)
        params["simulate"] = (
            model.simulate.model_dump() if model.simulate else {"effects": [], "latency_ms": 0}
        )
        if not params["simulate"].get("name_sd"):
            # keep the request (and so the simulated output stream) of specs without name_sd unchanged
            params["simulate"].pop("name_sd", None)
    return params


def _check_variables(
    variant: PromptVariant, columns: set[str], spec: ExperimentSpec, spec_path: Path, dataset_path: Path
) -> None:
    provided = set(columns)
    if spec.swap:
        provided.add(spec.swap.template_variable)
    missing = sorted(variant.variables - provided)
    if missing:
        raise SpecError(
            f"variant {variant.id!r} uses {{{{ {missing[0]} }}}} but dataset {dataset_path} has no column "
            f"{missing[0]!r}" + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""),
            file=variant.path,
            field="user" if missing[0] in variant.user_template else "system",
            line=variant.template_lines.get("user"),
        )
    if spec.swap and spec.swap.template_variable not in variant.variables:
        raise SpecError(
            f"swap audit needs variant {variant.id!r} to use {{{{ {spec.swap.template_variable} }}}}",
            file=spec_path,
            field="swap.variable",
        )


def _check_scorers(spec: ExperimentSpec, spec_path: Path) -> None:
    """Unknown scorers, bad check configs and unknown judge rubrics are spec errors, found before any call."""
    from workbench.scoring.judge import rubrics_for
    from workbench.scoring.registry import build_scorers, split_judge_entries

    try:
        sync, rubrics = split_judge_entries(spec.scorers)
        build_scorers(sync)
        rubrics_for(rubrics, spec.judge)
    except ValueError as exc:
        raise SpecError(str(exc), file=spec_path, field="scorers") from None
    if rubrics and spec.judge is None and not all(m.simulated for m in spec.models):
        # Without a judge block the simulated judge would score real outputs: never silently.
        raise SpecError(
            f"scorer 'judge:{rubrics[0]}' needs a `judge:` block naming the judge model "
            "(e.g. judge: {model: openai:gpt-4o-mini}); only all-simulated runs default to simulated:judge",
            file=spec_path,
            field="judge",
        )

    from workbench.scoring.catalogue import metric_info
    from workbench.scoring.registry import metric_is_scored

    for field_name, metrics in (("primary", spec.primary or []), ("non_inferiority", list(spec.non_inferiority))):
        for metric in metrics:
            if not metric_is_scored(metric, spec.scorers):
                raise SpecError(
                    f"{field_name} metric {metric!r} is not produced by any scorer of this experiment "
                    "(e.g. readability, words, judge.clarity, check.<name>)",
                    file=spec_path, field=field_name,
                )
            info = metric_info(metric)
            if field_name == "primary" and not info.can_be_primary:
                raise SpecError(f"{metric!r} cannot be a primary metric: the {info.scorer!r} scorer declares it "
                                "descriptive only", file=spec_path, field=field_name)


def build_plan(spec_path: str | Path, *, spec: ExperimentSpec | None = None, render: bool = True) -> Plan:
    """Load and cross-check everything; with render=True every prompt is rendered (no calls made)."""
    path = Path(spec_path)
    spec = spec or load_spec(path)
    variants: dict[str, PromptVariant] = {}
    for index, raw in enumerate(spec.variants):
        variant = load_variant(resolve_path(raw, path, "variant file", f"variants[{index}]"))
        if variant.id in variants:
            raise SpecError(
                f"two variants share the id {variant.id!r}", file=path, field=f"variants[{index}]"
            )
        if spec.task and variant.task != spec.task:
            raise SpecError(
                f"variant {variant.id!r} is for task {variant.task!r} but the experiment's task is {spec.task!r}",
                file=path,
                field=f"variants[{index}]",
            )
        variants[variant.id] = variant
    _check_scorers(spec, path)
    baseline = spec.baseline or next(iter(variants))
    if baseline not in variants:
        raise SpecError(
            f"baseline {baseline!r} is not one of the variants ({', '.join(variants)})",
            file=path,
            field="baseline",
        )
    dataset_path = resolve_path(spec.dataset, path, "dataset", "dataset")
    cases = load_dataset(dataset_path)
    if spec.max_cases:
        cases = cases[: spec.max_cases]
    columns = dataset_columns(cases)
    for variant in variants.values():
        _check_variables(variant, columns, spec, path, dataset_path)
    names = (
        pick_names(spec.swap.names, spec.swap.groups, spec.swap.names_per_group, spec.seed)
        if spec.swap
        else {}
    )
    models = {m.display: m for m in spec.models}
    plan = Plan(
        spec=spec,
        spec_path=path,
        variants=variants,
        cases=cases,
        models=models,
        baseline=baseline,
        names=names,
    )
    _check_ranking_cases(plan, dataset_path)
    if render:
        plan.calls = list(_render_calls(plan))
    return plan


def _swap_slots(plan: Plan, case: TestCase) -> list[tuple[str, str, dict[str, Any]]]:
    """(swap label, group, variables to set) for every rendering of `case`."""
    swap = plan.spec.swap
    if swap is None:
        return [("", "", {})]
    if swap.mode == "single":
        return [(name, group, {swap.template_variable: name}) for group, names in plan.names.items() for name in names]
    groups = list(plan.names)
    profiles = case.variables["candidates"]
    slots = []
    for j in range(swap.names_per_group):
        for rotation in range(len(groups)):
            candidates = []
            for i, profile in enumerate(profiles):
                group = groups[(i + rotation) % len(groups)]
                candidates.append({**profile, "name": plan.names[group][j], "group": group})
            # Presentation order is randomised (seeded per rendering) so that position cannot stand in for name.
            random.Random(f"{plan.spec.seed}|{case.id}|{j}|{rotation}").shuffle(candidates)
            slots.append((f"set{j + 1}-rot{rotation + 1}", "ranking", {swap.template_variable: candidates}))
    return slots


def _check_ranking_cases(plan: Plan, dataset_path: Path) -> None:
    swap = plan.spec.swap
    if swap is None or swap.mode != "ranking":
        return
    for case in plan.cases:
        profiles = case.variables.get("candidates")
        if not isinstance(profiles, list) or not all(isinstance(p, dict) for p in profiles):
            raise SpecError("ranking swap needs a `candidates` list of profile objects in every case (JSONL)",
                            file=dataset_path, line=case.line, field="candidates")
        if len(profiles) != len(swap.groups):
            raise SpecError(
                f"case {case.id!r} has {len(profiles)} candidates; a ranking swap needs one per group "
                f"({len(swap.groups)})",
                file=dataset_path, line=case.line, field="candidates",
            )


def _render_calls(plan: Plan) -> Any:
    spec = plan.spec
    params = {label: _request_params(model, spec) for label, model in plan.models.items()}
    for variant in plan.variants.values():
        for case in plan.cases:
            for swap_name, swap_group, overrides in _swap_slots(plan, case):
                variables = {**case.variables, **overrides}
                system, user = variant.render(variables)
                messages = ((Message("system", system),) if system else ()) + (Message("user", user),)
                for label, model in plan.models.items():
                    for repeat in range(spec.repeats):
                        cell = Cell(variant.id, case.id, label, repeat, swap_name, swap_group)
                        request = CompletionRequest(
                            provider=model.provider,
                            model=model.model,
                            messages=messages,
                            params=params[label],
                            sample=repeat,
                            slot=f"{variant.id}|{case.id}|{swap_name}",
                            endpoint=model.base_url,
                            timeout=model.timeout,
                            metadata={
                                "task": variant.task,
                                "language": variant.language,
                                "variant": variant.id,
                                "case": variables,
                                "swap_group": swap_group,
                                "swap_name": swap_name if plan.spec.swap and plan.spec.swap.mode == "single" else "",
                            },
                        )
                        yield PlannedCall(cell, request)


def _credential_checks(plan: Plan) -> list[tuple[ModelSpec, tuple[str | int, ...]]]:
    judge = plan.judge_model
    checks: list[tuple[ModelSpec, tuple[str | int, ...]]] = [(m, ("models", i)) for i, m in enumerate(plan.spec.models)]
    return checks + ([(judge, ("judge", "model"))] if judge else [])


def _credential_errors(plan: Plan) -> list[ProviderConfigError]:
    """One error per model (or judge) whose key variable is unset, naming the spec file, field and line."""
    from workbench.experiment.yaml_lines import load_yaml
    from workbench.providers.registry import check_credentials

    errors = []
    for model, where in _credential_checks(plan):
        try:
            check_credentials([model])
        except ProviderConfigError as exc:
            line = load_yaml(plan.spec_path, "experiment spec")[1].line_for(where)
            field = f"{where[0]}[{where[1]}]" if isinstance(where[1], int) else ".".join(map(str, where))
            errors.append(ProviderConfigError(exc.message, file=plan.spec_path, field=field, line=line))
    return errors


def check_plan_credentials(plan: Plan) -> None:
    """Stop before anything is stored when a model's (or the judge's) key variable is unset."""
    errors = _credential_errors(plan)
    if errors:
        raise errors[0]


def missing_credentials(plan: Plan) -> list[str]:
    """The same problems as text, for `validate` (which makes no calls and so does not need the keys)."""
    return [f"{exc}; `workbench run` needs it" for exc in _credential_errors(plan)]


def describe_plan(plan: Plan) -> dict[str, Any]:
    per_variant = Counter(call.cell.variant for call in plan.calls)
    return {
        "experiment": plan.spec.name,
        "variants": list(plan.variants),
        "baseline": plan.baseline,
        "cases": len(plan.cases),
        "models": list(plan.models),
        "repeats": plan.spec.repeats,
        "names": sum(len(v) for v in plan.names.values()),
        "calls": len(plan.calls),
        "calls_per_variant": dict(per_variant),
        "rubrics": [r.name for r in plan.judge_rubrics],
        "judge_calls": len(plan.calls) * len(plan.judge_rubrics),
    }
