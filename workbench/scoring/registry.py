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


_GENDER_PREFIXES = ("gender_coded.", "gender_coded_nl_provisional.")
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
