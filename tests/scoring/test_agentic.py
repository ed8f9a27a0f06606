"""Agentic/communal language counts follow Wan et al.'s substring matching."""

from __future__ import annotations

import math

from workbench.scoring.agentic import AgenticCommunalScorer
from workbench.scoring.base import ScoringContext
from workbench.scoring.registry import build_scorers


def test_counts_per_hundred_words_with_substring_matching() -> None:
    text = "She is a warm, caring colleague who helps others. He is confident and ambitious."
    scores = {s.metric: s for s in AgenticCommunalScorer().score(text, ScoringContext("en", "screening_summary"))}
    n = len(text.split())
    assert scores["agentic.communal"].detail["count"] == 3  # warm, caring, helps ("help" in "helps")
    assert scores["agentic.agentic"].detail["count"] == 2  # confident, ambitious
    assert math.isclose(scores["agentic.communal"].value, 300 / n)
    assert scores["agentic.agentic"].detail["source"].startswith("uclanlp/biases-llm-reference-letters")


def test_dutch_texts_are_not_scored_with_english_lexicons() -> None:
    scores = AgenticCommunalScorer().score("Zij is warm en zorgzaam.", ScoringContext("nl", "screening_summary"))
    assert all(math.isnan(s.value) for s in scores)
    assert "not applied" in scores[0].detail["note"]


def test_registered_as_a_scorer() -> None:
    assert [s.name for s in build_scorers(["agentic"])] == ["agentic"]
