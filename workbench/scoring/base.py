"""Scorer protocol: a scorer turns one output text into named numeric scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Score:
    metric: str  # e.g. "words", "readability", "gender_coded.masculine_count"
    value: float  # numeric value; binary checks use 1.0 (pass / flagged) and 0.0
    detail: dict[str, Any] = field(default_factory=dict)  # rationale, matched spans, ...
    kind: str = "numeric"  # "numeric" | "binary"


@dataclass(frozen=True)
class ScoringContext:
    language: str  # "nl" | "en"
    task: str  # "vacancy_text", "rejection_email", ...
    case: dict[str, Any] = field(default_factory=dict)  # the test case's variables


class Scorer(Protocol):
    name: str

    def score(self, text: str, ctx: ScoringContext) -> list[Score]: ...
