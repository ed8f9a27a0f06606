"""Length metrics: words, characters, sentences."""

from __future__ import annotations

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.tokens import count_characters, count_sentences, count_words


class LengthScorer:
    """Metrics `words`, `characters` (NFC code points, whitespace included) and `sentences`.

    Words follow `tokens.WORD_RE`: "auto's", "z'n" and "e-mail" are one word, numbers count.
    """

    name = "length"

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        return [
            Score("words", float(count_words(text))),
            Score("characters", float(count_characters(text))),
            Score("sentences", float(count_sentences(text))),
        ]
