"""Unicode-safe word and sentence segmentation for Dutch and English output texts."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A word is a run of letters/digits (any script, so "é", "ë", "ï" stay inside the word). Internal
# apostrophes and hyphens join runs so Dutch "auto's", "z'n", "Z’n" and "e-mail" are one word, and
# digit groups such as "3.000" or "2,5" stay one number (first alternative; cheaper than a
# lookbehind for digits). `[^\W_]` = \w without the underscore.
WORD_RE = re.compile(r"\d+(?:[.,]\d+)+(?:['’\-‐‑][^\W_]+)*|[^\W_]+(?:['’\-‐‑][^\W_]+)*")

# "etc."/"enz." are left out on purpose: they often do end a sentence.
_ABBREVIATIONS = frozenset(
    (
        *("bijv", "bv", "ca", "cf", "dhr", "dr", "drs", "evt", "excl", "fa", "incl", "ing", "ir", "jr"),
        *("max", "min", "mevr", "mr", "mw", "nr", "resp", "st", "tel", "vgl", "vs", "zgn", "zg", "blz"),
        *("afd", "adv", "mln", "mrd", "prof", "approx", "dept", "mrs", "ms"),
    )
)


def _boundary_re() -> re.Pattern[str]:
    """One regex for every sentence end, so counting needs no Python loop over candidates.

    - a line break, unless the next line starts lower-case (a hard-wrapped sentence);
    - "?", "!", "…" or a run of periods, then optional closing quotes/brackets, then whitespace
      and no lower-case letter ("ca. drie" goes on);
    - a single period likewise, except after a known abbreviation ("bijv.") or a single letter,
      which covers initials ("J. Jansen") and dotted forms ("o.a.", "d.w.z.", "e.g.").
    "3.5" or "www.x.nl" never match: whitespace must follow.
    """
    lower = "a-zß-öø-ÿ"  # Latin lower-case letters
    term = "[.!?…]"
    end = rf"[\"'”’)\]]*(?=\s*\Z|\s+(?![{lower}]))"
    by_length: dict[int, list[str]] = {}
    for abbr in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(abbr), []).append(abbr)
    not_abbr = "".join(rf"(?<!\b(?i:{'|'.join(words)})\.)" for words in by_length.values())
    # The pattern starts with a plain character class so `re` can jump between candidate characters
    # instead of testing every position; lookbehinds then look at what was consumed.
    return re.compile(
        rf"[\n.!?…](?:"
        rf"(?<=\n)(?![ \t]*[{lower}])"
        rf"|(?<=[!?…])(?<!{term}[!?…]){term}*{end}"
        rf"|(?<=\.)(?<!{term}\.)(?={term}){term}*{end}"
        rf"|(?<=\.)(?<!{term}\.)(?<!\b[^\W\d_]\.){not_abbr}(?!{term}){end}"
        rf")"
    )


_BOUNDARY_RE = _boundary_re()
_LETTER_RE = re.compile(r"[^\W\d_]")


# score_text runs several scorers on the same text in a row; tiny caches let them share the work.
@lru_cache(maxsize=16)
def words(text: str) -> tuple[str, ...]:
    """All word tokens of `text`, in order (numbers included)."""
    return tuple(WORD_RE.findall(text))


def count_words(text: str) -> int:
    """Number of word tokens (numbers count as words)."""
    return len(words(text))


def has_letter(token: str) -> bool:
    """True if `token` contains at least one letter (so it is not a pure number)."""
    return _LETTER_RE.search(token) is not None


def count_characters(text: str) -> int:
    """Number of Unicode code points after NFC normalisation, so a decomposed "é" counts once."""
    if unicodedata.is_normalized("NFC", text):
        return len(text)
    return len(unicodedata.normalize("NFC", text))


def split_sentences(text: str) -> list[str]:
    """Split into sentences (see `_boundary_re`); pieces without a letter ("1." in a list) are dropped.

    Vacancy texts are full of bullet lists and headings without final punctuation, so a line break
    ends a sentence too.
    """
    pieces: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if _LETTER_RE.search(p)]


@lru_cache(maxsize=16)
def count_sentences(text: str) -> int:
    """Number of sentences (see `split_sentences`)."""
    return sum(1 for p in _BOUNDARY_RE.split(text) if _LETTER_RE.search(p))
