"""Build scorers from experiment-spec entries; metric metadata for the stats engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from workbench.scoring.agentic import AgenticCommunalScorer
from workbench.scoring.base import Score, Scorer, ScoringContext
from workbench.scoring.bias_lint import (
    AgeCodedScorer,
    ExclusionScorer,
    GenderCodedScorer,
    GenderedTitleScorer,
    lint_scorers,
)
from workbench.scoring.checks import build_check
from workbench.scoring.outcomes import RankingOutcome, ScreeningOutcome
from workbench.scoring.readability import ReadabilityScorer
from workbench.scoring.text_metrics import LengthScorer

JUDGE_PREFIX = "judge:"

_FACTORIES: dict[str, Callable[[], list[Scorer]]] = {
    "length": lambda: [LengthScorer()],
    "readability": lambda: [ReadabilityScorer()],
    "gender_coded": lambda: [GenderCodedScorer()],
    "gender_coded_decoder_compat": lambda: [GenderCodedScorer(mode="decoder_compat")],
    "age_coded": lambda: [AgeCodedScorer()],
    "exclusion": lambda: [ExclusionScorer()],
    "gendered_title": lambda: [GenderedTitleScorer()],
    "lint": lambda: list(lint_scorers()),
    "screening": lambda: [ScreeningOutcome()],
    "ranking": lambda: [RankingOutcome()],
    "agentic": lambda: [AgenticCommunalScorer()],
}
SCORER_NAMES = tuple(_FACTORIES)


Entry = str | dict[str, Any]


def split_judge_entries(entries: Iterable[Entry]) -> tuple[list[Entry], list[str]]:
    """Split spec entries into (sync entries, judge rubric names): "judge:clarity" -> "clarity"."""
    sync: list[Entry] = []
    rubrics: list[str] = []
    for entry in entries:
        if isinstance(entry, str) and entry.strip().startswith(JUDGE_PREFIX):
            rubric = entry.strip()[len(JUDGE_PREFIX) :].strip()
            if not rubric:
                raise ValueError(f"scorer entry {entry!r}: a judge entry needs a rubric ('judge:clarity')")
            if rubric not in rubrics:
                rubrics.append(rubric)
        else:
            sync.append(entry)
    return sync, rubrics


def build_scorers(entries: Sequence[Entry]) -> list[Scorer]:
    """Scorers for the spec's `scorers` list; "judge:*" entries are skipped (async, see the judge).

    Strings name built-in scorers (see SCORER_NAMES; "lint" = all bias lints); dicts configure checks.
    A scorer named twice (e.g. "lint" and "age_coded") is built once. Raises ValueError for unknown
    names, bad check configs and two checks with the same metric name.
    """
    sync, _ = split_judge_entries(entries)
    scorers: list[Scorer] = []
    seen: set[str] = set()
    for entry in sync:
        if isinstance(entry, str):
            key = entry.strip()
            if key not in _FACTORIES:
                raise ValueError(
                    f"unknown scorer {entry!r}; valid names: {', '.join(SCORER_NAMES)}, "
                    f"'{JUDGE_PREFIX}<rubric>', or a check dict"
                )
            new = _FACTORIES[key]()
        elif isinstance(entry, dict):
            new = [build_check(entry)]
        else:
            raise ValueError(f"scorer entry must be a string or a check dict, not {type(entry).__name__}")
        for scorer in new:
            if scorer.name in seen:
                if isinstance(entry, dict):
                    raise ValueError(f"two checks produce the metric {scorer.name!r}; name them apart")
                continue
            seen.add(scorer.name)
            scorers.append(scorer)
    return scorers


def score_text(text: str, ctx: ScoringContext, scorers: Iterable[Scorer]) -> list[Score]:
    """Run every (sync) scorer on `text` and concatenate their scores."""
    return [score for scorer in scorers for score in scorer.score(text, ctx)]


_GENDER_PREFIXES = ("gender_coded.", "gender_coded_nl_provisional.", "gender_decoder.")
_RULE_LINTS = ("age_coded.", "exclusion.", "gendered_title.")
_EXACT_DIRECTIONS: dict[str, bool | None] = {
    "words": None,
    "characters": None,
    "sentences": None,
    "readability": True,
}


def metric_direction(metric: str) -> bool | None:
    """True = higher is better, False = lower is better, None = neutral / two-sided / unknown.

    readability, check.* and judge.* (1-10 rubric scores) -> True; gender-coded masculine counts and
    every lint flag/count -> False; gender-coded feminine counts and the signed score (0 is balanced)
    -> None; lengths -> None. Anything else (e.g. screening.* selection outcomes) -> None.
    """
    if metric in _EXACT_DIRECTIONS:
        return _EXACT_DIRECTIONS[metric]
    if metric.startswith(("check.", "judge.")):
        return True
    if metric.startswith(_GENDER_PREFIXES):
        return False if metric.endswith(".masculine") else None
    if metric.startswith(_RULE_LINTS) and metric.endswith((".flagged", ".count")):
        return False
    return None


# Decisions parsed from the text (a screening score, who was ranked first): still valid when the text
# was cut off after them. Every other metric describes the text as a whole.
OUTCOME_PREFIXES = ("screening.", "ranking.")


def is_text_metric(metric: str) -> bool:
    """True for metrics of the whole text (length, readability, wording, checks, judge), which a text
    cut off at max_tokens distorts; False for the selection outcomes parsed from it."""
    return not metric.startswith(OUTCOME_PREFIXES)


def metric_kind(metric: str) -> Literal["numeric", "binary"]:
    """Return "binary" for pass/fail checks and lint flags (values 0.0/1.0), else "numeric"."""
    if metric == "screening.invite" or metric.startswith("ranking.top1."):
        return "binary"
    if metric.startswith("check.") or (metric.startswith(_RULE_LINTS) and metric.endswith(".flagged")):
        return "binary"
    return "numeric"


# The metric that stands for a scorer when it is the experiment's default primary metric (first match
# present in the run wins; Dutch gender-coded counts use the provisional list's metric).
_HEADLINE_METRICS: dict[str, tuple[str, ...]] = {
    "length": ("words",),
    "readability": ("readability",),
    "gender_coded": ("gender_coded.masculine", "gender_coded_nl_provisional.masculine"),
    "lint": ("gender_coded.masculine", "gender_coded_nl_provisional.masculine", "age_coded.flagged"),
    "age_coded": ("age_coded.flagged",),
    "exclusion": ("exclusion.flagged",),
    "gendered_title": ("gendered_title.flagged",),
    "screening": ("screening.score", "screening.invite"),
    "agentic": ("agentic.agentic",),
}
_METRIC_PREFIXES: dict[str, tuple[str, ...]] = {
    "length": ("words", "characters", "sentences"),
    "gender_coded": ("gender_coded.", "gender_coded_nl_provisional."),
    "lint": ("gender_coded.", "gender_coded_nl_provisional.", "age_coded.", "exclusion.", "gendered_title."),
}


def _entry_metrics(entry: Entry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(headline candidates, metric prefixes) of one scorer entry of a spec."""
    if isinstance(entry, dict):
        metric = f"check.{entry.get('name', entry.get('check'))}"
        return (metric,), (metric,)
    key = entry.strip()
    if key.startswith(JUDGE_PREFIX):
        metric = "judge." + key[len(JUDGE_PREFIX):].strip()
        return (metric,), (metric,)
    prefixes = _METRIC_PREFIXES.get(key, (key, f"{key}."))
    return _HEADLINE_METRICS.get(key, ()), prefixes


def default_primary_metrics(entries: Sequence[Entry], present: Iterable[str] | None = None) -> list[str]:
    """The default primary metric: the first judge rubric, else the first scorer's headline metric.

    With ``present`` (the metrics a run produced) the first candidate that exists is chosen; without it,
    the first candidate.
    """
    sync, rubrics = split_judge_entries(entries)
    if rubrics:
        return [f"judge.{rubrics[0]}"]
    have = None if present is None else set(present)
    for entry in sync[:1]:
        headline, prefixes = _entry_metrics(entry)
        if have is None:
            return list(headline[:1])
        for metric in headline:
            if metric in have:
                return [metric]
        produced = sorted(m for m in have if any(m == p or (p.endswith(".") and m.startswith(p)) for p in prefixes))
        return produced[:1]
    return []


def metric_is_scored(metric: str, entries: Sequence[Entry]) -> bool:
    """Whether one of the spec's scorer entries produces ``metric`` (for validating `primary`)."""
    for entry in entries:
        headline, prefixes = _entry_metrics(entry)
        if metric in headline or any(metric == p or (p.endswith(".") and metric.startswith(p)) for p in prefixes):
            return True
    return False
