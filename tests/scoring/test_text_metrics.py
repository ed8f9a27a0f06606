"""Word, character and sentence counts (Unicode, Dutch apostrophes, vacancy layouts)."""

from __future__ import annotations

import unicodedata

import pytest

from tests.scoring.helpers import by_metric, ctx
from workbench.scoring.text_metrics import LengthScorer
from workbench.scoring.tokens import count_characters, count_sentences, count_words, split_sentences, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auto's en z'n fiets", ["auto's", "en", "z'n", "fiets"]),
        ("Z’n collega’s", ["Z’n", "collega’s"]),  # curly apostrophes stay inside the word
        ("café, financiële, ruïne, geïnteresseerd", ["café", "financiële", "ruïne", "geïnteresseerd"]),
        ("e-mail en HR-adviseur", ["e-mail", "en", "HR-adviseur"]),
        ("€ 3.000,- bruto, 2,5 dag", ["3.000", "bruto", "2,5", "dag"]),
        ("“Quoted” (words) — dash", ["Quoted", "words", "dash"]),
        ("snake_case", ["snake", "case"]),
    ],
)
def test_words_are_unicode_safe(text: str, expected: list[str]) -> None:
    assert list(words(text)) == expected
    assert count_words(text) == len(expected)


def test_characters_count_composed_code_points() -> None:
    composed = "coöperatie"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) == len(composed) + 1
    assert count_characters(decomposed) == count_characters(composed) == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wij zoeken o.a. een collega. Bijv. iemand met 3.5 jaar ervaring! Kom je?! Ja.", 4),
        ("Dit is J. Jansen. Hij werkt bij ca. drie teams.", 2),
        ("We use e.g. Python. Next sentence.", 2),
        ("Wat ga je doen?\n- Klanten helpen\n- Offertes maken\n\nInteresse? Bel ons.", 5),
        ("Een zin die over\ntwee regels loopt.", 1),  # lower-case continuation line
        ("1. Introductie\n2. Slot", 2),  # list numbers are not sentences
        ("Salaris € 3.000,-. Wat bieden wij?", 2),
        ("", 0),
        ("   \n\n  ", 0),
    ],
)
def test_sentences(text: str, expected: int) -> None:
    assert count_sentences(text) == expected
    assert len(split_sentences(text)) == expected


def test_split_sentences_keeps_punctuation() -> None:
    assert split_sentences("Kom je? Ja… Nee.") == ["Kom je?", "Ja…", "Nee."]


def test_length_scorer() -> None:
    scores = by_metric(LengthScorer().score("Wij zoeken z'n opvolger. Jij?", ctx("nl")))
    assert scores["words"].value == 5.0
    assert scores["characters"].value == 29.0
    assert scores["sentences"].value == 2.0
    assert all(s.kind == "numeric" for s in scores.values())
