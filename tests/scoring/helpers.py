"""Small helpers shared by the scoring tests."""

from __future__ import annotations

from workbench.scoring.base import Score, ScoringContext


def ctx(language: str = "nl", task: str = "vacancy_text") -> ScoringContext:
    return ScoringContext(language=language, task=task)


def by_metric(scores: list[Score]) -> dict[str, Score]:
    """Scores keyed by metric name; fails on duplicate metric names."""
    metrics = [s.metric for s in scores]
    assert len(metrics) == len(set(metrics)), f"duplicate metrics: {metrics}"
    return {s.metric: s for s in scores}
