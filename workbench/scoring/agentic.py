"""Agentic vs communal language (Wan et al. 2023), for comparing how candidates are described.

Wan et al. ("Kelly is a Warm Person, Joseph is a Role Model", EMNLP Findings 2023) found LLM-written
reference letters describe women more communally and men more agentically. Counts follow their
matching exactly: a lexicon word counts when it is a substring of a lowercased whitespace token
(`biases_string_matching.py`). English only: the lexicons have no validated Dutch counterpart.
"""

from __future__ import annotations

import math
from functools import lru_cache

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.catalogue import MetricInfo, scorer
from workbench.scoring.lexicons import load_json

CATEGORIES = {"agentic": "agentic_words", "communal": "communal_words", "standout": "STANDOUT_WORDS",
              "ability": "ABILITY_WORDS"}


@lru_cache(maxsize=1)
def _lexicons() -> tuple[dict[str, tuple[str, ...]], str]:
    data = load_json("wan2023_lexicons.json")
    return {name: tuple(data[key]) for name, key in CATEGORIES.items()}, str(data["_source"])


@scorer("agentic", primary=("agentic.agentic",), metrics=[MetricInfo(
    "agentic.*", label_en="{name} language (per 100 words)", label_nl="{name} taal (per 100 woorden)",
    unit="per 100 words",
    parts=(("agentic", "Agentic", "Daadkrachtige"), ("communal", "Communal", "Gemeenschapsgerichte"),
           ("standout", "Standout", "Uitblinkende"), ("ability", "Ability", "Bekwaamheids")),
)])
class AgenticCommunalScorer:
    """`agentic.<category>`: words per 100 words for agentic, communal, standout and ability language."""

    name = "agentic"

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        lexicons, source = _lexicons()
        tokens = text.lower().split()
        if ctx.language[:2] != "en" or not tokens:
            note = "English lexicons (Wan et al. 2023); not applied to this language" if tokens else "empty text"
            return [Score(f"agentic.{c}", math.nan, {"note": note}) for c in CATEGORIES]
        scores = []
        for category, words in lexicons.items():
            hits = [t for t in tokens if any(w in t for w in words)]
            detail = {"count": len(hits), "words": sorted(set(hits))[:20], "source": source}
            scores.append(Score(f"agentic.{category}", 100.0 * len(hits) / len(tokens), detail))
        return scores
