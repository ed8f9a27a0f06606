"""Regex rules for age-coded wording, language/origin requirements and gendered titles/pronouns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from workbench.scoring.fast_regex import FastPattern, lowered
from workbench.scoring.lexicons import Rule, exclusion_rules
from workbench.scoring.matches import Match, OffsetMap, make_match

# A gender marker after a job title, "(m/v/x)", "(v/m)", "(m/w/d)", "(f/m/x)", "(all genders)".
GENDER_MARKER_RE = re.compile(
    r"\(\s*[mvxwfdhi]\s*(?:/\s*[mvxwfdhi]\s*){1,3}\)|\((?:all|alle)\s+genders?\)", re.IGNORECASE
)
# Rules that flag a gendered job title: a title is fine when the text marks the role as open to
# all genders; a bare "(m/v)" marker is still flagged by rule nl_mv_without_x.
TITLE_RULE_IDS = frozenset({"nl_man_titles", "en_gendered_titles"})


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
    low = lowered(text)
    for rule, fast in _fast_rules():
        if rule.category != category or rule.lang not in languages or not fast.may_match(low):
            continue
        for m in fast.finditer(text, low):
            if m.end() == m.start():
                continue  # an empty match cannot be highlighted
            match = make_match(source, m.span(), mapping, category, rule.id, rule.severity)
            if rule.id in TITLE_RULE_IDS:
                if has_marker is None:
                    has_marker = GENDER_MARKER_RE.search(text) is not None
                if has_marker:
                    result.suppressed.append({**match, "reason": "text has a gender marker such as (m/v/x)"})
                    continue
            result.matches.append(match)
    result.matches.sort(key=lambda m: (m["start"], m["end"]))
    return result
