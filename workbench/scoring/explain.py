"""Why a span was flagged and what to write instead: rule, source list, reason (EN+NL), alternatives.

Stored score details keep each match small (offsets, rule, source); the explanation is looked up here
when a match is shown, exported or reported, from lint_explanations.json (rules, sources, reason
templates) and the lexicon entries (alternatives for coded words).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypedDict

from workbench.scoring.lexicons import coded_lexicon, exclusion_rules, load_json
from workbench.scoring.matches import Match

UI_LANGUAGES = ("en", "nl")
_LEXICON_PREFIXES = {"gaucher_en": "en", "nl_provisional": "nl"}


class Explanation(TypedDict):
    rule: str
    source: str  # source key ("gaucher2011", "nl_tier_a", ...)
    source_label: dict[str, str]  # {"en": ..., "nl": ...}
    reason: dict[str, str]  # one line, {"en": ..., "nl": ...}
    alternatives: list[str]  # suggestions in the language of the text


class ExplainedMatch(Match):
    explanation: Explanation


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return load_json("lint_explanations.json")


@lru_cache(maxsize=1)
def _rule_langs() -> dict[str, str]:
    return {rule.id: rule.lang for rule in exclusion_rules()}


def _source_label(source: str) -> dict[str, str]:
    labels: dict[str, str] = _data()["sources"].get(source) or {"en": source, "nl": source}
    return labels


def _decoder_alternatives(stem: str) -> list[str]:
    """Alternatives for a decoder_compat match: those of the precise entry derived from the same stem."""
    for entry in coded_lexicon("en").entries.values():
        if stem in entry.derived_from:
            return list(entry.alternatives)
    return []


def explain(match: Match) -> Explanation:
    """The explanation of one match (works for details stored before explanations existed, too)."""
    rule = match["rule"]
    prefix, _, key = rule.partition(":")
    data = _data()
    if match["category"] in ("masculine", "feminine"):
        alternatives: list[str] = []
        source = match.get("source", "gaucher2011" if prefix.startswith("gender") or prefix == "gaucher_en" else "")
        if prefix in _LEXICON_PREFIXES:
            entry = coded_lexicon(_LEXICON_PREFIXES[prefix]).entries.get(key)
            if entry is not None:
                alternatives = list(entry.alternatives)
                source = entry.source
        elif prefix == "gender_decoder_en":
            alternatives = _decoder_alternatives(key)
        label = _source_label(source)
        templates = data["gender_reasons"][match["category"]]
        reason = {lang: templates[lang].format(word=match["text"], source=label[lang]) for lang in UI_LANGUAGES}
        return Explanation(rule=rule, source=source, source_label=label, reason=reason, alternatives=alternatives)
    info = data["rules"].get(rule)
    source = match.get("source", "exclusion_patterns")
    label = _source_label(source)
    if info is None:  # a rule without an explanation entry (tests assert there is none)
        reason = {"en": f"matched rule {rule}", "nl": f"regel {rule}"}
        return Explanation(rule=rule, source=source, source_label=label, reason=reason, alternatives=[])
    text_lang = _rule_langs().get(rule, "en")
    return Explanation(rule=rule, source=source, source_label=label, reason=dict(info["reason"]),
                       alternatives=list(info["alternatives"][text_lang]))


def explain_all(matches: Iterable[Match]) -> list[ExplainedMatch]:
    """Each match with its `explanation` added (a new dict; the input is not changed)."""
    return [ExplainedMatch(**m, explanation=explain(m)) for m in matches]  # type: ignore[typeddict-item]


def suggestion(match: Match, limit: int = 2) -> str:
    """The first alternatives joined with " / ", or "-" when the entry has none."""
    alternatives = explain(match)["alternatives"][:limit]
    return " / ".join(alternatives) if alternatives else "-"


def tooltip(match: Match, ui_lang: str = "en") -> str:
    """One line for hover/focus: reason, then "Instead: ..." (plain text, not escaped)."""
    lang = ui_lang if ui_lang in UI_LANGUAGES else "en"
    info = explain(match)
    instead = {"en": "Instead", "nl": "Liever"}[lang]
    source = {"en": "Source", "nl": "Bron"}[lang]
    text = info["reason"][lang]
    if info["alternatives"]:
        text += f" {instead}: {', '.join(info['alternatives'])}."
    return f"{text} ({source}: {info['source_label'][lang]}; {info['rule']})"
