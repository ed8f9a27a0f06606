"""Shared pieces of the bias lints: match records, language resolution, offsets, severity clusters."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import NotRequired, TypedDict

from workbench.scoring.lexicons import SEVERITY_RANK

SUPPORTED_LANGUAGES = ("nl", "en")


class Match(TypedDict):
    """One highlighted span; `text == original_text[start:end]` always holds."""

    start: int
    end: int
    text: str
    category: str  # "masculine" | "feminine" | "age" | "language_origin" | "gendered_title"
    rule: str  # lexicon entry ("gaucher_en:lead", "nl_provisional:ambitieus"), decoder stem or rule id
    severity: str  # "high" | "medium" | "low"
    # Word list the match comes from: "gaucher2011", "nl_tier_a", "nl_tier_b", "exclusion_patterns",
    # "workbench_supplement" (absent in details stored before issue #11). Reasons and alternatives are
    # looked up from rule + source when shown (workbench/scoring/explain.py), not stored per output.
    source: NotRequired[str]


def resolve_languages(language: str | None) -> tuple[tuple[str, ...], str | None]:
    """("nl",) / ("en",) for a known language ("nl-BE" counts as "nl"); both plus a note otherwise."""
    lang = (language or "").strip().lower()[:2]
    if lang in SUPPORTED_LANGUAGES:
        return (lang,), None
    return SUPPORTED_LANGUAGES, f"language {language!r} unknown: ran both the nl and en rules"


OffsetMap = Callable[[int, int], tuple[int, int]]


def nfc_view(text: str) -> tuple[str, OffsetMap | None]:
    """NFC form of `text` plus a function mapping (start, end) in it back to `text`.

    Lexicon and regex matching expect composed characters ("ë", not "e" + U+0308). LLM output is
    almost always NFC already, in which case no mapping is needed (None).
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1  # a base character and its combining marks normalise together
        piece = unicodedata.normalize("NFC", text[i:j])
        parts.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j

    def to_original(start: int, end: int) -> tuple[int, int]:
        return starts[start], ends[end - 1]

    return "".join(parts), to_original


def make_match(
    text: str,
    span: tuple[int, int],
    mapping: OffsetMap | None,
    category: str,
    rule: str,
    severity: str,
    source: str,
) -> Match:
    """Build a Match whose offsets and text refer to the original `text`."""
    start, end = mapping(*span) if mapping else span
    return Match(
        start=start, end=end, text=text[start:end], category=category, rule=rule, severity=severity, source=source
    )


def clusters(matches: Iterable[Match]) -> list[list[Match]]:
    """Group matches whose spans overlap (e.g. "jong en dynamisch team" hit by two rules)."""
    groups: list[list[Match]] = []
    end = -1
    for m in sorted(matches, key=lambda m: (m["start"], -m["end"])):
        if groups and m["start"] < end:
            groups[-1].append(m)
            end = max(end, m["end"])
        else:
            groups.append([m])
            end = m["end"]
    return groups


def max_severity(matches: Iterable[Match]) -> str | None:
    """Highest severity among `matches`, or None when there are none."""
    best = max((SEVERITY_RANK[m["severity"]] for m in matches), default=0)
    return next((name for name, rank in SEVERITY_RANK.items() if rank == best), None)
