"""Gender-coded wording: precise word-level matching (default) and the gender decoder's stems.

**Precise (default), English and Dutch.** Words, not prefixes: the text is split into Unicode words
(hyphen variants U+2010/U+2011 and apostrophes stay inside a word), each word is lower-cased and
lemmatised with simplemma, and it counts when its written form or its lemma is one of an entry's
`words` in `coded_words_{en,nl}.json` (each entry names the decoder stem or Dutch list item it comes
from). Dutch compounds count only when the coded word is the compound's head ("klantvriendelijk",
"proactief"; not "warmtepompen") and the entry allows compounds; hyphenated words are looked up whole,
then (English) part by part or (Dutch) by their last part. Exceptions in `lint_exceptions.json`
(job titles, fixed phrases, other senses, each with its reason) are applied last and reported under
`excluded`. The verdict uses the decoder's thresholds on these counts.

**decoder_compat (English only)**: the published gender decoder's numbers, for users who need them.
It follows lovedaybrooke/gender-decoder (app/models.py): lower-cased words, prefix ("stem") match,
verdict from feminine - masculine. Differences, all on purpose and each covered by a test in
tests/scoring/test_gender_coded.py:

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

from workbench.scoring.fast_regex import FastPattern, lowered
from workbench.scoring.lemmas import lemma
from workbench.scoring.lexicons import CodedEntry, CodedLexicon, WordException, coded_lexicon, gender_decoder_en
from workbench.scoring.matches import Match, OffsetMap, make_match
from workbench.scoring.tokens import WORD_RE

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


def find_en_decoder(
    text: str, mapping: OffsetMap | None = None, original: str | None = None
) -> GenderCodedResult:
    """decoder_compat: English coded words by the decoder's stems (see the module docstring).

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
        match = make_match(source, (start, end), mapping, matcher.gender_of[stem], rule, "low", "gaucher2011")
        if _norm(text[start:end]) in exceptions:
            result.excluded.append({**match, "reason": "non_coded_exceptions"})
            continue
        result.add(match)
    return result


# --- precise matching -----------------------------------------------------------------------------

_HYPHEN_SPLIT = str.maketrans({"‐": "-", "‑": "-"})
MIN_COMPOUND_PREFIX = 3  # "pro|actief" yes, "on|eerlijk" (a negation) no


def _direct(word: str, lex: CodedLexicon) -> CodedEntry | None:
    found = lex.by_form.get(word)
    if found is None:
        found = lex.by_lemma.get(lemma(word, lex.lang))
    return found


def _compound_head(word: str, lex: CodedLexicon) -> CodedEntry | None:
    """The entry whose word is the head (last part) of the Dutch compound `word`, longest head first."""
    for form in dict.fromkeys((word, lemma(word, lex.lang))):
        for i in range(MIN_COMPOUND_PREFIX, len(form) - 2):
            entry = lex.heads.get(form[i:])
            if entry is not None:
                return entry
    return None


@lru_cache(maxsize=65536)
def classify(word: str, lang: str) -> CodedEntry | None:
    """The coded entry a lower-case word expresses, before context exceptions (cached per word)."""
    lex = coded_lexicon(lang)
    found = _direct(word, lex)
    if found is not None:
        return found
    if "-" in word or "‐" in word or "‑" in word:
        parts = [p for p in word.translate(_HYPHEN_SPLIT).split("-") if p]
        whole = "-".join(parts)
        if whole in lex.by_form:
            return lex.by_form[whole]
        candidates = parts if lang == "en" else parts[-1:]
        for part in candidates:
            found = _direct(part, lex) or (_compound_head(part, lex) if lang == "nl" else None)
            if found is not None:
                return found
        return None
    if lang == "nl" and len(word) > MIN_COMPOUND_PREFIX + 2:
        return _compound_head(word, lex)
    return None


def _exception(
    exceptions: tuple[WordException, ...], prev: str | None, following: list[str]
) -> WordException | None:
    for exc in exceptions:
        if exc.prev is not None and prev not in exc.prev:
            continue
        if exc.next is not None and not any(tuple(following[: len(seq)]) == seq for seq in exc.next):
            continue
        if exc.unless_next is not None and following and following[0] in exc.unless_next:
            continue
        return exc
    return None


def find_precise(
    text: str, lang: str, mapping: OffsetMap | None = None, original: str | None = None
) -> GenderCodedResult:
    """Coded words of `lang` ("en"/"nl") in `text`, word by word (see the module docstring)."""
    lex = coded_lexicon(lang)
    result = GenderCodedResult()
    source = original if original is not None else text
    low = lowered(text)  # same offsets as `text`, or None for the rare texts where lower() shifts them
    scan = low if low is not None else text
    prefix = "gaucher_en" if lang == "en" else "nl_provisional"
    found: list[tuple[int, CodedEntry]] = []
    tokens: list[re.Match[str]] = []
    for m in WORD_RE.finditer(scan):  # one pass: most words are a cache hit that returns None
        entry = classify(m.group() if low is not None else m.group().lower(), lang)
        if entry is not None:
            found.append((len(tokens), entry))
        tokens.append(m)
    for i, entry in found:
        m = tokens[i]
        word = m.group().lower()
        match = make_match(source, m.span(), mapping, entry.gender, f"{prefix}:{entry.id}", "low", entry.source)
        exceptions = lex.exceptions.get(word) or lex.exceptions.get(lemma(word, lang))
        if exceptions:
            following = [t.group().lower() for t in tokens[i + 1 : i + 4]]
            found_exc = _exception(exceptions, tokens[i - 1].group().lower() if i else None, following)
            if found_exc is not None:
                result.excluded.append({**match, "reason": found_exc.why, "exception": found_exc.kind})
                continue
        result.add(match)
    return result


def find_en(text: str, mapping: OffsetMap | None = None, original: str | None = None) -> GenderCodedResult:
    """English coded words, precise matching (the default)."""
    return find_precise(text, "en", mapping, original)


def find_nl(text: str, mapping: OffsetMap | None = None, original: str | None = None) -> GenderCodedResult:
    """Dutch coded words from the PROVISIONAL list (tier A sourced, tier B unvalidated), precise matching."""
    return find_precise(text, "nl", mapping, original)
