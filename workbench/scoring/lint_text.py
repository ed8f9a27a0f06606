"""Lint one text with every wording lint: the decoder-style verdict plus each flagged span explained.

Used by `workbench lint` and the UI's "Check a text" page; the numbers are the scorers' own (the same
code scores experiment outputs), so a pasted text and a stored output of the same words agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.bias_lint import AgeCodedScorer, ExclusionScorer, GenderCodedScorer, GenderedTitleScorer
from workbench.scoring.explain import ExplainedMatch, explain_all
from workbench.scoring.gender_coded import VERDICTS
from workbench.scoring.lexicons import SEVERITY_RANK

LANGUAGES = ("nl", "en")
# The decoder's five verdicts; "empty" (no coded word at all) is reported as "neutral".
DECODER_VERDICTS = tuple(v for v in VERDICTS if v != "empty")
RULE_LINTS = ("age_coded", "exclusion", "gendered_title")


@dataclass
class TextLint:
    language: str
    mode: str
    verdict: str  # one of DECODER_VERDICTS
    masculine: int
    feminine: int
    words: int
    spans: list[ExplainedMatch]  # every highlighted span, in text order
    flagged: dict[str, bool]  # rule lint -> raised its flag (a match of at least medium severity)
    excluded: list[dict[str, Any]] = field(default_factory=list)  # coded-looking words not counted, with why
    provisional: bool = False  # Dutch gender-coded list

    def to_dict(self) -> dict[str, Any]:
        plain = ("verdict", "masculine", "feminine", "words", "language", "mode", "provisional", "flagged")
        return {
            **{name: getattr(self, name) for name in plain},
            "spans": [
                {
                    "category": s["category"], "word": s["text"], "start": s["start"], "end": s["end"],
                    "rule": s["rule"], "severity": s["severity"], "source": s["explanation"]["source"],
                    "source_label": s["explanation"]["source_label"], "reason": s["explanation"]["reason"],
                    "alternatives": s["explanation"]["alternatives"],
                }
                for s in self.spans
            ],
            "not_counted": [
                {"word": e["text"], "start": e["start"], "end": e["end"], "rule": e["rule"], "why": e["reason"]}
                for e in self.excluded
            ],
        }


def lint_text(text: str, language: str, mode: str = "precise") -> TextLint:
    """All wording lints on `text` ("nl" or "en"); raises ValueError for another language or mode."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    ctx = ScoringContext(language=language, task="vacancy_text")
    gender = {s.metric.rsplit(".", 1)[1]: s for s in GenderCodedScorer(mode).score(text, ctx)}
    rules: dict[str, Score] = {}
    for scorer in (AgeCodedScorer(), ExclusionScorer(), GenderedTitleScorer()):
        for score in scorer.score(text, ctx):
            rules[score.metric] = score
    detail = gender["score"].detail
    masculine, feminine = int(gender["masculine"].value), int(gender["feminine"].value)
    matches = list(detail["matches"])
    for name in RULE_LINTS:
        matches += rules[f"{name}.flagged"].detail["matches"]
    # One span per place and category: two rules on "jonge collega" show once, the more severe rule first.
    matches.sort(key=lambda m: (m["start"], m["end"], -SEVERITY_RANK[m["severity"]]))
    matches = list({(m["start"], m["end"], m["category"]): m for m in reversed(matches)}.values())[::-1]
    verdict = "neutral" if detail["verdict"] == "empty" else str(detail["verdict"])
    return TextLint(
        language=language, mode=mode, verdict=verdict, masculine=masculine, feminine=feminine,
        words=int(detail["words"]), spans=explain_all(matches),
        flagged={name: rules[f"{name}.flagged"].value == 1.0 for name in RULE_LINTS},
        excluded=list(detail.get("excluded", [])), provisional=bool(detail.get("provisional", False)),
    )
