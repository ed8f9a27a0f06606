"""Length metrics: words, characters, sentences."""

from __future__ import annotations

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.catalogue import GroupPhrases, MetricInfo, scorer
from workbench.scoring.tokens import count_characters, count_sentences, count_words

METRICS = [
    MetricInfo("words", kind="count", label_en="Length (words)", label_nl="Lengte (woorden)", unit="words",
               decimals=0, headline=True, summary=True, chart=True,
               help_en="Number of words in the text.", help_nl="Aantal woorden in de tekst.",
               phrases=GroupPhrases("get shorter {texts}", "krijgen kortere {texts}", "get longer {texts}",
                                    "krijgen langere {texts}", "length of the {texts}", "lengte van de {texts}")),
    MetricInfo("characters", kind="count", label_en="Length (characters)", label_nl="Lengte (tekens)",
               unit="characters", decimals=0),
    MetricInfo("sentences", kind="count", label_en="Sentences", label_nl="Zinnen", unit="sentences"),
]


@scorer("length", metrics=METRICS, primary=("words",))
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
