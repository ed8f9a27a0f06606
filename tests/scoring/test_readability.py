"""Flesch-Douma (nl) and Flesch Reading Ease (en) against hand-computed values."""

from __future__ import annotations

import math

import pytest

from tests.scoring.helpers import ctx
from workbench.scoring.readability import ReadabilityScorer, flesch, text_counts
from workbench.scoring.syllables import count_syllables


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("kat", "nl", 1),
        ("organisatie", "nl", 5),  # or-ga-ni-sa-tie
        ("samenwerking", "nl", 4),
        ("idee", "nl", 2),  # nl_NL patterns do not split it; vowel groups do
        ("financiële", "nl", 5),  # diaeresis starts a syllable
        ("geïnteresseerd", "nl", 5),
        ("auto's", "nl", 2),
        ("z'n", "nl", 1),
        ("Z’n", "nl", 1),
        ("the", "en", 1),
        ("table", "en", 2),
        ("communication", "en", 5),
        ("responsibilities", "en", 6),
        ("idea", "en", 2),  # no en_US break: vowel-group fallback (true value 3)
        ("café", "en", 2),
        ("naïve", "en", 2),
    ],
)
def test_syllables(word: str, lang: str, expected: int) -> None:
    assert count_syllables(word, lang) == expected


def _value(text: str, language: str) -> float:
    (score,) = ReadabilityScorer().score(text, ctx(language))
    assert score.metric == "readability"
    return score.value


def test_english_hand_computed() -> None:
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015*6 - 84.6*1
    assert _value("The cat sat on the mat.", "en") == pytest.approx(206.835 - 1.015 * 6 - 84.6, abs=1e-9)
    # 4 words / 2 sentences, syllables 1+2+1+5 = 9 ("table", "communication"):
    text = "The table. Good communication."
    counts = text_counts(text, "en")
    assert (counts.words, counts.sentences, counts.syllables) == (4, 2, 9)
    assert _value(text, "en") == pytest.approx(206.835 - 1.015 * 2 - 84.6 * 9 / 4)


def test_dutch_hand_computed() -> None:
    # 6 words, 1 sentence, 6 syllables: 206.835 - 0.93*6 - 77*1
    assert _value("De kat zit op de mat.", "nl") == pytest.approx(206.835 - 0.93 * 6 - 77, abs=1e-9)
    # "De organisatie zoekt samenwerking." 4 words, syllables 1+5+1+4 = 11
    text = "De organisatie zoekt samenwerking."
    counts = text_counts(text, "nl")
    assert (counts.words, counts.sentences, counts.syllables) == (4, 1, 11)
    assert _value(text, "nl") == pytest.approx(206.835 - 0.93 * 4 - 77 * 11 / 4)


def test_numbers_are_not_words_for_readability() -> None:
    counts = text_counts("Wij bieden 36 uur.", "nl")
    assert counts.words == 3


@pytest.mark.parametrize(
    ("language", "simple", "complex_"),
    [
        (
            "en",
            "You help our clients. You work in a small team. We pay well.",
            "The successful candidate will demonstrate comprehensive organizational capabilities, "
            "facilitating interdepartmental communication and operational optimization initiatives.",
        ),
        (
            "nl",
            "Je helpt onze klanten. Je werkt in een klein team. Wij betalen goed.",
            "De geselecteerde kandidaat beschikt over uitgebreide organisatorische competenties en "
            "draagt verantwoordelijkheid voor interdepartementale communicatie en procesoptimalisatie.",
        ),
    ],
)
def test_simple_text_scores_higher(language: str, simple: str, complex_: str) -> None:
    assert _value(simple, language) > _value(complex_, language) + 40


def test_detail_and_edge_cases() -> None:
    (score,) = ReadabilityScorer().score("De kat zit op de mat.", ctx("nl-NL"))
    assert score.detail["formula"].startswith("Flesch-Douma")
    assert score.detail["asl"] == 6.0 and score.detail["asw"] == 1.0
    assert "pyphen nl_NL" in score.detail["syllable_source"]
    assert math.isnan(_value("", "en"))
    assert math.isnan(_value("Hallo wereld.", "de"))
    assert math.isnan(flesch(text_counts("123", "en"), "en"))
