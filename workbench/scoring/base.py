"""Scorer protocol: a scorer turns one output text into named numeric scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.scoring.catalogue import metric_info


@dataclass(frozen=True)
class Score:
    metric: str  # e.g. "words", "readability", "gender_coded.masculine_count"
    value: float  # numeric value; binary checks use 1.0 (pass / flagged) and 0.0
    detail: dict[str, Any] = field(default_factory=dict)  # rationale, matched spans, ...
    kind: str = ""  # "numeric" | "binary"; by default what the scorer declared (the metric catalogue)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", metric_info(self.metric).stats_kind)


@dataclass(frozen=True)
class ScoringContext:
    language: str  # "nl" | "en"
    task: str  # "vacancy_text", "rejection_email", ...
    case: dict[str, Any] = field(default_factory=dict)  # the test case's variables


class Scorer(Protocol):
    name: str

    def score(self, text: str, ctx: ScoringContext) -> list[Score]: ...
