"""Syllable counts from pyphen's bundled hyphenation dictionaries (no runtime download).

textstat is deliberately not used: its English path calls `nltk.download('cmudict')`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pyphen

PYPHEN_LANGS = {"nl": "nl_NL", "en": "en_US"}

_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")
# English vowel groups; "y" counts as a vowel ("rhythm", "happy"); a diaeresis vowel starts a new
# group ("naïve").
_EN_VOWELS_RE = re.compile(r"[äëïöü]?[aeiouy]*")
# Dutch vowel groups: digraphs like "ee", "ie", "eeu", "ij" form one group, but a diaeresis vowel
# starts a new syllable ("ideeën", "geïnteresseerd", "financiële", "coöperatie").
_NL_VOWELS_RE = re.compile(r"[äëïöü]?[aeiouyáéíóúàèâêîôû]*")


@lru_cache(maxsize=4)
def dictionary(lang: str) -> pyphen.Pyphen:
    """Cached pyphen dictionary for "nl" or "en".

    Default left/right margins: left=1 makes en_US produce bogus breaks ("y-ou", "skil-ls").
    """
    return pyphen.Pyphen(lang=PYPHEN_LANGS[lang])


def _strip_accents(word: str) -> str:
    """Drop accents except the diaeresis (U+0308), which marks a syllable break."""
    kept = (c for c in unicodedata.normalize("NFD", word) if c == "\u0308" or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", "".join(kept))


def heuristic_syllables(word: str, lang: str) -> int:
    """Vowel-group estimate: the Dutch lower bound, the English fallback (see `_run_syllables`)."""
    w = word.lower()
    if lang == "nl":
        return sum(1 for g in _NL_VOWELS_RE.findall(w) if g)
    stressed_e = w.endswith("é")  # "café", "résumé": the final e is pronounced
    w = _strip_accents(w)
    n = sum(1 for g in _EN_VOWELS_RE.findall(w) if g)
    # Silent final "e" ("create", "time"), but not "-le" after a consonant ("table") nor "-ee".
    silent_e = w.endswith("e") and not w.endswith(("ee", "ye")) and not re.search(r"[^aeiouy]le$", w)
    # Silent "-ed" except after t/d ("joined", "loved" vs "wanted", "needed").
    silent_ed = w.endswith("ed") and not w.endswith(("ted", "ded"))
    if n > 1 and not stressed_e and (silent_e or silent_ed):
        n -= 1
    return n


@lru_cache(maxsize=200_000)
def _run_syllables(run: str, lang: str) -> int:
    vowel_groups = heuristic_syllables(run, lang)
    if vowel_groups == 0:
        return 0  # no vowel at all: "s" in "auto's", "z" and "n" in "z'n"
    from_pyphen = len(dictionary(lang).positions(run)) + 1
    if lang == "nl":
        # Dutch spelling is regular enough that vowel groups rarely overcount, while the nl_NL
        # patterns skip breaks next to word edges ("idee", "Bel-gië", "mooie"): take the larger.
        return max(from_pyphen, vowel_groups)
    # English vowel groups overcount ("business", "required"), so only use them where the en_US
    # patterns found no break at all ("idea", "area", "naïve").
    return from_pyphen if from_pyphen > 1 else vowel_groups


def count_syllables(word: str, lang: str) -> int:
    """Syllables in one word for lang "nl" or "en"; at least 1 for a word with letters.

    Apostrophe/hyphen parts are counted separately ("auto's" = auto + s = 2, "z'n" = 1).
    """
    total = sum(_run_syllables(run, lang) for run in _LETTER_RUN_RE.findall(word.lower()))
    return max(total, 1)
