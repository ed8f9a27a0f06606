"""Gender-coded wording: English gender-decoder lists and the provisional Dutch list.

English follows the open-source gender decoder (lovedaybrooke/gender-decoder, app/models.py):
lower-cased words, prefix ("stem") match, verdict from feminine - masculine. Differences, all on
purpose and each covered by a test in tests/scoring/test_gender_coded.py:

1. One count per word. The decoder counts a word once per matching stem, so "dominant" (stems
   "domina" + "dominant") and "interpersonal" ("interpersonal" + "interpersona") counted twice.
   Here the longest matching stem wins and the word counts once.
2. Hyphenated coded words count once, as a whole. Words starting with a hyphenated stem
   ("co-operat", "self-confiden") are never split, so "self-confident" cannot also count as
   "confident" and "co-operative" not also as its second half. Every stem that contains a hyphen is
   treated this way: the decoder's `hyphenated_coded_words` omits "head-strong", so it split the
   word into "head" + "strong" and never counted it.
3. Unicode-safe tokens. The decoder replaced every non-ASCII character by a space ("naïve" -> "na",
   "ve"), which also turned curly apostrophes into word breaks. Here words are runs of Unicode
   letters/digits (`\\w`); as in the decoder, apostrophes and other punctuation separate words and
   hyphens split words that do not start with a hyphenated stem ("team-leader" -> "leader").
4. `non_coded_exceptions` ("sharepoint") compare against the whole word, as in the decoder.

Other decoder quirks not reproduced: punctuation outside its list (e.g. "#lead") no longer hides a
word, and its de-hyphenation loop skipped the second word of a text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from workbench.scoring.fast_regex import FastPattern, is_word_char, lowered
from workbench.scoring.lexicons import dutch_gender_provisional, gender_decoder_en
from workbench.scoring.matches import Match, OffsetMap, make_match

_HYPHENS = "-‐‑"  # ASCII hyphen, U+2010 hyphen, U+2011 non-breaking hyphen
# Characters that re.IGNORECASE equates with an ASCII letter but str.lower() does not map to it.
_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})

VERDICTS = (
    "strongly feminine-coded",
    "feminine-coded",
    "neutral",
    "masculine-coded",
    "strongly masculine-coded",
    "empty",
)


def decoder_verdict(masculine: int, feminine: int) -> str:
    """The decoder's verdict: score = feminine - masculine; |score| > 3 is "strongly"."""
    score = feminine - masculine
    if score == 0:
        return "neutral" if feminine else "empty"
    if score > 3:
        return "strongly feminine-coded"
    if score > 0:
        return "feminine-coded"
    if score < -3:
        return "strongly masculine-coded"
    return "masculine-coded"


@dataclass
class GenderCodedResult:
    masculine: list[Match] = field(default_factory=list)
    feminine: list[Match] = field(default_factory=list)
    excluded: list[dict[str, object]] = field(default_factory=list)  # suppressed by an exception

    @property
    def verdict(self) -> str:
        return decoder_verdict(len(self.masculine), len(self.feminine))

    def add(self, match: Match) -> None:
        (self.masculine if match["category"] == "masculine" else self.feminine).append(match)


def _alternation(stems: list[str]) -> str:
    """Regex matching any of `stems`, as a trie: "domina(?:nt)?" rather than "dominant|domina".

    A trie keeps the scan fast (one character test per branch instead of one attempt per stem) and,
    because `?` is greedy, the longest stem wins ("dominant" over "domina"). Hyphens in stems also
    match U+2010/U+2011.
    """
    trie: dict[str, Any] = {}
    for stem in stems:
        node = trie
        for ch in stem:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a stem

    def build(node: dict[str, Any]) -> str:
        alts = [
            (f"[{_HYPHENS}]" if ch == "-" else re.escape(ch)) + build(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(trie)


def _norm(s: str) -> str:
    return s.lower().replace("‐", "-").replace("‑", "-")


@dataclass(frozen=True)
class _EnMatcher:
    pattern: FastPattern
    gender_of: dict[str, str]  # stem -> "masculine" | "feminine"
    hyphenated: frozenset[str]  # stems matched against the whole hyphenated word


@lru_cache(maxsize=1)
def _en_matcher() -> _EnMatcher:
    lex = gender_decoder_en()
    gender_of = {s.lower(): "masculine" for s in lex.masculine}
    gender_of |= {s.lower(): "feminine" for s in lex.feminine}
    hyphenated = frozenset({s.lower() for s in lex.hyphenated} | {s for s in gender_of if "-" in s})
    # A word runs over letters/digits only: the decoder splits other hyphenated words into parts.
    pattern = re.compile(rf"\b(?P<s>{_alternation(list(gender_of))})\w*", re.IGNORECASE)
    return _EnMatcher(FastPattern(pattern), gender_of, hyphenated)


_HYPHEN_TAIL_RE = re.compile(rf"(?:[{_HYPHENS}]\w+)*")


def _lookup(found: str, table: Mapping[str, object]) -> str | None:
    """Map the matched stem text back to its list entry (case-insensitive, hyphen variants)."""
    key = _norm(found)
    if key in table:
        return key
    # IGNORECASE also matched e.g. "İ" (lower-cases to two characters) or "ſ" for "s".
    key = _norm(found.translate(_FOLD))
    return key if key in table else None


def find_en(text: str, mapping: OffsetMap | None = None, original: str | None = None) -> GenderCodedResult:
    """English gender-coded words in `text` (see the module docstring for the decoder differences).

    `mapping`/`original`: when `text` is an NFC view of `original`, spans are mapped back to it.
    """
    matcher = _en_matcher()
    exceptions = gender_decoder_en().exceptions
    result = GenderCodedResult()
    source = original if original is not None else text
    low = lowered(text)
    for m in matcher.pattern.finditer(text, low):
        stem = _lookup(m.group("s"), matcher.gender_of)
        if stem is None:  # pragma: no cover - only for case-folding oddities beyond _FOLD
            continue
        start, end = m.span()
        if stem in matcher.hyphenated:
            # Keep the whole hyphenated word ("co-operative-minded") as one token, like the decoder.
            end = _HYPHEN_TAIL_RE.match(text, end).end()  # type: ignore[union-attr]
        rule = f"gender_decoder_en:{stem}"
        match = make_match(source, (start, end), mapping, matcher.gender_of[stem], rule, "low")
        if _norm(text[start:end]) in exceptions:
            result.excluded.append({**match, "reason": "non_coded_exceptions"})
            continue
        result.add(match)
    return result


# Dutch forms ending in these are also found inside compounds ("snelbesluitvaardig"), as the
# provisional list's `_matching` note asks; all other forms match only at the start of a word,
# because substring matching of short stems explodes ("logisch" in "technologisch", "delen" in
# "onderdelen", "moedig" in "ontmoedigen").
_NL_COMPOUND_SUFFIXES = ("gericht", "vaardig")


@dataclass(frozen=True)
class _NlMatcher:
    prefix: FastPattern  # a form at the start of a word
    compound: FastPattern  # a -gericht/-vaardig form anywhere (then checked to be inside a word)
    full_exceptions: tuple[str, ...]  # word prefixes that never count
    scoped_stems: frozenset[str]  # stems with an exception for some words only


@lru_cache(maxsize=1)
def _nl_matcher() -> _NlMatcher:
    lex = dutch_gender_provisional()
    forms = list(lex.forms)
    compound = [f for f in forms if f.endswith(_NL_COMPOUND_SUFFIXES)]
    # Dutch hyphens separate compound parts ("HR-medewerker"), so a word never spans a hyphen.
    prefix = re.compile(rf"\b(?P<s>{_alternation(forms)})\w*", re.IGNORECASE)
    inner = re.compile(rf"(?P<s>{_alternation(compound)})", re.IGNORECASE)
    return _NlMatcher(
        prefix=FastPattern(prefix),
        compound=FastPattern(inner),
        full_exceptions=tuple(e.form for e in lex.exceptions if e.stem is None),
        scoped_stems=frozenset(e.stem for e in lex.exceptions if e.stem),
    )


def _inside_words(pattern: FastPattern, text: str, low: str | None) -> list[tuple[tuple[int, int], str]]:
    """Words that contain a match of `pattern` after their first letter, once per word.

    Words that *start* with a form are left to the prefix scan, so no word counts twice.
    """
    found: list[tuple[tuple[int, int], str]] = []
    last_word_start = -1
    for m in pattern.finditer(text, low):
        start = m.start()
        while start > 0 and is_word_char(text[start - 1]):
            start -= 1
        if start == m.start() or start == last_word_start:
            continue
        end = m.end()
        while end < len(text) and is_word_char(text[end]):
            end += 1
        found.append(((start, end), m.group("s")))
        last_word_start = start
    return found


def find_nl(text: str, mapping: OffsetMap | None = None, original: str | None = None) -> GenderCodedResult:
    """Dutch gender-coded words from the PROVISIONAL list (tier A sourced, tier B unvalidated).

    Exceptions are applied first: a word starting with an exception form ("competentie",
    "kinderopvang", "samenstelling", "inclusief", "verantwoordelijkheden") never counts; a scoped
    exception ("onafhankelijk" vs feminine "afhankelijk") only blocks that stem.
    """
    lex = dutch_gender_provisional()
    matcher = _nl_matcher()
    result = GenderCodedResult()
    source = original if original is not None else text
    low = lowered(text)
    found = [(m.span(), m.group("s")) for m in matcher.prefix.finditer(text, low)]
    if matcher.compound.may_match(low):
        found = sorted(found + _inside_words(matcher.compound, text, low))
    for (start, end), found_stem in found:
        stem = _lookup(found_stem, lex.forms)
        if stem is None:  # pragma: no cover - only for case-folding oddities beyond _FOLD
            continue
        form = lex.forms[stem]
        word = text[start:end].lower()
        rule = f"nl_tier_{form.tier.lower()}:{form.form}"
        match = make_match(source, (start, end), mapping, form.gender, rule, "low")
        blocking = None
        if word.startswith(matcher.full_exceptions) or form.form in matcher.scoped_stems:
            blocking = next(
                (e for e in lex.exceptions if word.startswith(e.form) and e.stem in (None, form.form)), None
            )
        if blocking is not None:
            result.excluded.append({**match, "reason": f"exception {blocking.form!r}"})
            continue
        result.add(match)
    return result
