"""Regex rules for age-coded wording, language/origin requirements and gendered titles/pronouns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from workbench.scoring.fast_regex import FastPattern, lowered
from workbench.scoring.lexicons import Rule, exclusion_rules, lint_exception_data
from workbench.scoring.matches import Match, OffsetMap, make_match

# A gender marker after a job title, "(m/v/x)", "(v/m)", "(m/w/d)", "(f/m/x)", "(all genders)".
GENDER_MARKER_RE = re.compile(
    r"\(\s*[mvxwfdhi]\s*(?:/\s*[mvxwfdhi]\s*){1,3}\)|\((?:all|alle)\s+genders?\)", re.IGNORECASE
)
# Rules that flag a gendered job title: a title is fine when the text marks the role as open to
# all genders or names both forms (gastvrouw/gastheer); a bare "(m/v)" marker is still flagged by
# rule nl_mv_without_x.
TITLE_RULE_IDS = frozenset({"nl_man_titles", "en_gendered_titles", "wb_nl_man_titles_extra"})
PRONOUN_RULE_IDS = frozenset({"nl_hij_zijn", "en_he_his"})


@lru_cache(maxsize=1)
def _paired_title_re() -> re.Pattern[str]:
    """Both forms of a title next to each other: "gastvrouw/gastheer", "barman of barvrouw", "barman / barmaid".

    The second form may be shortened to its ending ("gastheer/-vrouw"). Compounds count too
    ("Gastvrouw/gastheer" inside "Restaurantgastvrouw/-gastheer").
    """
    data = lint_exception_data()["paired_titles"]
    pairs = []
    for a, b in data:
        for x, y in ((a, b), (b, a)):
            pairs.append(rf"{re.escape(x)}\s*(?:/|\bof\b|\ben\b|\bor\b|\band\b)\s*-?\w*{re.escape(y[-4:])}")
    return re.compile("|".join(pairs), re.IGNORECASE)


def _zijn_is_pronoun(text: str) -> bool:
    """Dutch "zijn" counts as a pronoun only in texts that also say "hij" or "hem" (lint_exceptions.json)."""
    needs = lint_exception_data()["pronoun_zijn"]["needs_any_of"]
    return re.search(rf"\b(?:{'|'.join(needs)})\b", text, re.IGNORECASE) is not None


@lru_cache(maxsize=1)
def _fast_rules() -> tuple[tuple[Rule, FastPattern], ...]:
    return tuple((rule, FastPattern(rule.pattern)) for rule in exclusion_rules())


@dataclass
class RuleResult:
    matches: list[Match] = field(default_factory=list)
    suppressed: list[dict[str, object]] = field(default_factory=list)


def find_rule_matches(
    text: str,
    category: str,
    languages: tuple[str, ...],
    mapping: OffsetMap | None = None,
    original: str | None = None,
) -> RuleResult:
    """Matches of every rule of `category` ("age", "language_origin", "gendered_title") for `languages`.

    `text` may be an NFC view of `original`; spans are then mapped back through `mapping`.
    """
    source = original if original is not None else text
    result = RuleResult()
    has_marker: bool | None = None
    zijn_pronoun: bool | None = None
    low = lowered(text)
    for rule, fast in _fast_rules():
        if rule.category != category or rule.lang not in languages or not fast.may_match(low):
            continue
        for m in fast.finditer(text, low):
            if m.end() == m.start():
                continue  # an empty match cannot be highlighted
            match = make_match(source, m.span(), mapping, category, rule.id, rule.severity, rule.source)
            if rule.id in TITLE_RULE_IDS:
                if has_marker is None:
                    has_marker = bool(GENDER_MARKER_RE.search(text) or _paired_title_re().search(text))
                if has_marker:
                    reason = "text has a gender marker such as (m/v/x) or names both forms (gastvrouw/gastheer)"
                    result.suppressed.append({**match, "reason": reason})
                    continue
            if rule.id == "nl_hij_zijn" and match["text"].lower() == "zijn":
                if zijn_pronoun is None:
                    zijn_pronoun = _zijn_is_pronoun(text)
                if not zijn_pronoun:
                    result.suppressed.append({**match, "reason": "'zijn' is the verb here (no hij/hem in the text)"})
                    continue
            result.matches.append(match)
    result.matches.sort(key=lambda m: (m["start"], m["end"]))
    return result
