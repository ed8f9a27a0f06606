"""Build scorers from experiment-spec entries (the scorers register themselves, see `catalogue`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from workbench.scoring.base import Score, Scorer, ScoringContext
from workbench.scoring.catalogue import MetricInfo, metric_info, scorer_names, scorers
from workbench.scoring.checks import build_check

JUDGE_PREFIX = "judge:"


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

    Strings name registered scorers (see `scorer_names()`; "lint" = all bias lints); dicts configure checks.
    A scorer named twice (e.g. "lint" and "age_coded") is built once. Raises ValueError for unknown
    names, bad check configs and two checks with the same metric name.
    """
    sync, _ = split_judge_entries(entries)
    registered = scorers()
    built: list[Scorer] = []
    seen: set[str] = set()
    for entry in sync:
        new: list[Scorer]
        if isinstance(entry, str):
            key = entry.strip()
            if key not in registered:
                raise ValueError(
                    f"unknown scorer {entry!r}; valid names: {', '.join(registered)}, "
                    f"'{JUDGE_PREFIX}<rubric>', or a check dict"
                )
            made = registered[key].factory()
            new = list(made) if isinstance(made, list) else [made]
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
            built.append(scorer)
    return built


def score_text(text: str, ctx: ScoringContext, scorers: Iterable[Scorer]) -> list[Score]:
    """Run every (sync) scorer on `text` and concatenate their scores."""
    return [score for scorer in scorers for score in scorer.score(text, ctx)]


def _entry_metrics(entry: Entry) -> tuple[tuple[str, ...], tuple[MetricInfo, ...]]:
    """(default primary candidates, declared metrics) of one scorer entry of a spec."""
    if isinstance(entry, dict):
        metric = f"check.{entry.get('name', entry.get('check'))}"
        return (metric,), (MetricInfo(metric),)
    key = entry.strip()
    if key.startswith(JUDGE_PREFIX):
        metric = "judge." + key[len(JUDGE_PREFIX):].strip()
        return (metric,), (MetricInfo(metric),)
    registered = scorers().get(key)
    return (registered.primary, registered.metrics) if registered else ((), ())


def _produces(metrics: tuple[MetricInfo, ...], metric: str) -> bool:
    return any(info.match(metric) is not None for info in metrics)


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
        headline, declared = _entry_metrics(entry)
        if have is None:
            return list(headline[:1])
        for metric in headline:
            if metric in have:
                return [metric]
        produced = sorted(m for m in have if _produces(declared, m) and metric_info(m).can_be_primary)
        return produced[:1]
    return []


def metric_is_scored(metric: str, entries: Sequence[Entry]) -> bool:
    """Whether one of the spec's scorer entries produces ``metric`` (for validating `primary`)."""
    return any(metric in headline or _produces(declared, metric)
               for headline, declared in map(_entry_metrics, entries))


def __getattr__(name: str) -> Any:
    if name == "SCORER_NAMES":  # the registered names, once the scorer modules are imported
        return scorer_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
