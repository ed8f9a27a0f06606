"""LLM-as-judge rubric scoring: 1-10 with a stored rationale, through any provider (simulated offline)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from workbench.experiment.spec import ExperimentSpec, JudgeSpec, ModelSpec
from workbench.providers.base import CompletionRequest, Message
from workbench.scoring.base import Score
from workbench.scoring.catalogue import MetricInfo, declare_metrics

BUILTIN_RUBRICS = {
    "clarity": "Is the text clear and easy to read for a broad audience: short sentences, plain words, "
    "a logical structure, no jargon?",
    "inclusiveness": "Does the text invite every qualified candidate: gender-neutral wording, no age-coded or "
    "exclusionary requirements (e.g. native speaker), no unnecessary requirements?",
    "completeness": "Does the text contain what the task needs (for a vacancy: tasks, requirements, offer incl. "
    "salary and hours, how to apply; for an email: decision, reason, next steps)?",
    "tone": "Is the tone respectful, warm and professional, fitting the recipient and the company?",
    "overall": "Overall, how good is this text for its purpose, considering clarity, inclusiveness, "
    "completeness and tone?",
}

# `judge.<rubric>`: 1-10 scores from the (async) judge, declared here since no sync scorer produces them.
declare_metrics("judge", MetricInfo(
    "judge.*", direction="higher", label_en="{name} (LLM judge)", label_nl="{name} (LLM-beoordelaar)",
    short="judge {name}", column="j:{name:.5}", unit="1-10", headline=True, summary=True, chart=True,
    help_en="Score from 1 to 10 that a language model gives the text on this rubric; higher is better.",
    help_nl="Score van 1 tot 10 die een taalmodel de tekst geeft op dit criterium; hoger is beter.",
    parts=(("clarity", "Clarity", "Duidelijkheid"), ("inclusiveness", "Inclusiveness", "Inclusiviteit"),
           ("completeness", "Completeness", "Volledigheid"), ("tone", "Tone", "Toon"),
           ("overall", "Overall quality", "Algehele kwaliteit")),
))

_SYSTEM = (
    "You are an expert recruitment editor grading one text against one rubric. "
    'Answer with JSON only: {"score": <integer 1-10>, "rationale": "<one or two sentences>"}.'
)
_JSON = re.compile(r"\{.*\}", re.S)


@dataclass(frozen=True)
class Rubric:
    name: str
    instructions: str


def rubrics_for(names: list[str], spec: JudgeSpec | None) -> list[Rubric]:
    custom = spec.rubrics if spec else {}
    result = []
    for name in names:
        text = custom.get(name) or BUILTIN_RUBRICS.get(name)
        if text is None:
            valid = ", ".join(sorted({*BUILTIN_RUBRICS, *custom}))
            raise ValueError(
                f"unknown judge rubric {name!r}; built-in: {valid} (or define it under judge.rubrics)"
            )
        result.append(Rubric(name, text))
    return result


@dataclass(frozen=True)
class JudgeProvenance:
    """Who scored the judge.* metrics of a run: shown next to every judge verdict."""

    model: str  # provider:model, e.g. "openai_compatible:smollm2" or "simulated:judge"
    simulated: bool

    @property
    def short(self) -> str:
        """For narrow tables: "SIMULATED judge", or the model name without its provider."""
        return "SIMULATED judge" if self.simulated else self.model.split(":", 1)[1]

    @property
    def label(self) -> str:
        """For reports: "judged by openai:gpt-4o-mini", "judged by simulated:judge (SIMULATED)"."""
        return f"judged by {self.model}" + (" (SIMULATED)" if self.simulated else "")


def judge_provenance(spec: ExperimentSpec) -> JudgeProvenance | None:
    """The judge of a run with judge scorers (None without them); the simulated judge when no block."""
    from workbench.scoring.registry import split_judge_entries

    _, rubrics = split_judge_entries(spec.scorers)
    if not rubrics:
        return None
    judge = spec.judge or JudgeSpec()
    return JudgeProvenance(model=judge.model, simulated=judge.simulated)


def judge_model(spec: JudgeSpec | None) -> ModelSpec:
    """The judge as a model (the simulated judge when the spec has no `judge:` block)."""
    return (spec or JudgeSpec()).as_model()


def judge_request(
    rubric: Rubric, text: str, task: str, language: str, model: ModelSpec, judged_variant: str, seed: int
) -> CompletionRequest:
    user = (
        f"Task of the text: {task} (language: {language}).\n"
        f"Rubric ({rubric.name}): {rubric.instructions}\n\n"
        f"<output>\n{text}\n</output>\n\nGrade the text between <output> tags on this rubric."
    )
    # Variant names never reach a real judge (blind); only the simulated judge's planted effects use it.
    return judge_call(model, _SYSTEM, user, seed, {"judge_rubric": rubric.name, "judged_variant": judged_variant})


def judge_call(model: ModelSpec, system: str, user: str, seed: int, metadata: dict[str, Any]) -> CompletionRequest:
    """A judge request: the judge's own params (the simulated judge seeded with the run's seed)."""
    params = dict(model.params)
    if model.simulated:
        params.setdefault("seed", seed)
    return CompletionRequest(
        provider=model.provider,
        model=model.model,
        messages=(Message("system", system), Message("user", user)),
        params=params,
        endpoint=model.base_url,
        timeout=model.timeout,
        metadata=metadata,
    )


def parse_judgement(rubric: Rubric, reply: str, judge: str, simulated: bool) -> Score:
    """Parse the judge's JSON; an unparseable reply is stored as a missing value with the raw text."""
    match = _JSON.search(reply)
    detail: dict[str, object] = {"judge": judge, "simulated": simulated}
    try:
        # strict=False: small local models put raw newlines inside the rationale string.
        data = json.loads(match.group(0), strict=False) if match else {}
        score = float(data["score"])
        if not 1 <= score <= 10:
            raise ValueError("score out of range")
        detail["rationale"] = str(data.get("rationale", ""))
        return Score(metric=f"judge.{rubric.name}", value=score, detail=detail)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        detail["error"] = f"unparseable judge reply ({exc})"
        detail["raw"] = reply[:500]
        return Score(metric=f"judge.{rubric.name}", value=float("nan"), detail=detail)
