"""Readability: Flesch-Douma for Dutch, Flesch Reading Ease for English (higher = easier)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.catalogue import GroupPhrases, MetricInfo, scorer
from workbench.scoring.syllables import PYPHEN_LANGS, count_syllables
from workbench.scoring.tokens import count_sentences, has_letter, words

# (base, ASL weight, ASW weight, formula name)
FORMULAS: dict[str, tuple[float, float, float, str]] = {
    # Douma (1960) adaptation of Flesch for Dutch.
    "nl": (206.835, 0.93, 77.0, "Flesch-Douma: 206.835 - 0.93*ASL - 77*ASW"),
    # Flesch (1948) Reading Ease.
    "en": (206.835, 1.015, 84.6, "Flesch Reading Ease: 206.835 - 1.015*ASL - 84.6*ASW"),
}


@dataclass(frozen=True)
class TextCounts:
    words: int  # words containing a letter; pure numbers are skipped (their syllables are unclear)
    sentences: int
    syllables: int


# Per-language token -> syllables (0 for pure numbers). A plain dict is cheaper per lookup than
# lru_cache; it is simply emptied when it grows past _CACHE_LIMIT.
_SYLLABLE_CACHE: dict[str, dict[str, int]] = {"nl": {}, "en": {}}
_CACHE_LIMIT = 200_000


def _token_syllables(token: str, lang: str) -> int:
    return count_syllables(token, lang) if has_letter(token) else 0


def text_counts(text: str, lang: str) -> TextCounts:
    """Words, sentences and syllables of `text` as used by the Flesch formulas."""
    cache = _SYLLABLE_CACHE[lang]
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    n_words = 0
    n_syllables = 0
    for token in words(text):
        n = cache.get(token)
        if n is None:
            n = cache[token] = _token_syllables(token, lang)
        if n:
            n_words += 1
            n_syllables += n
    n_sentences = count_sentences(text) if n_words else 0
    return TextCounts(n_words, n_sentences, n_syllables)


def flesch(counts: TextCounts, lang: str) -> float:
    """Flesch-Douma ("nl") or Flesch Reading Ease ("en"); NaN when there are no words."""
    if counts.words == 0 or counts.sentences == 0:
        return float("nan")
    base, w_asl, w_asw, _ = FORMULAS[lang]
    return base - w_asl * (counts.words / counts.sentences) - w_asw * (counts.syllables / counts.words)


@scorer("readability", primary=("readability",), metrics=[MetricInfo(
    "readability", direction="higher", label_en="Readability", label_nl="Leesbaarheid", column="read.",
    headline=True, summary=True, chart=True,
    phrases=GroupPhrases("get less readable {texts}", "krijgen minder leesbare {texts}", "get more readable {texts}",
                         "krijgen beter leesbare {texts}"),
    help_en="How easy the text is to read (Flesch-Douma for Dutch, Flesch for English): higher is easier; above 60 "
            "suits a broad audience.",
    help_nl="Hoe makkelijk de tekst leest (Flesch-Douma voor Nederlands, Flesch voor Engels): hoger is makkelijker; "
            "boven de 60 past bij een breed publiek.",
)])
class ReadabilityScorer:
    """Metric `readability` (higher = easier to read); formula chosen by `ctx.language`.

    Values are not clamped: very simple texts exceed 100 and dense jargon goes below 0. An empty text
    or an unsupported language gives NaN (stored as NULL) with the reason in the detail.
    """

    name = "readability"

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        lang = (ctx.language or "").lower()[:2]
        if lang not in FORMULAS:
            reason = f"language {ctx.language!r} not supported (nl, en); the two scales differ"
            return [Score("readability", float("nan"), {"reason": reason})]
        counts = text_counts(text, lang)
        value = flesch(counts, lang)
        detail: dict[str, object] = {
            "language": lang,
            "formula": FORMULAS[lang][3],
            "words": counts.words,
            "sentences": counts.sentences,
            "syllables": counts.syllables,
            "syllable_source": f"pyphen {PYPHEN_LANGS[lang]} (+ vowel-group fallback)",
        }
        if counts.words:
            detail["asl"] = round(counts.words / counts.sentences, 3)
            detail["asw"] = round(counts.syllables / counts.words, 3)
        else:
            detail["reason"] = "no words"
        return [Score("readability", value, detail)]
