"""Gender-coded wording: gender-decoder compatibility, its double-count fixes, the provisional NL list."""

from __future__ import annotations

import unicodedata

import pytest

from tests.scoring.helpers import by_metric, ctx
from workbench.scoring.bias_lint import GenderCodedScorer
from workbench.scoring.gender_coded import VERDICTS, decoder_verdict, find_en, find_nl
from workbench.scoring.lexicons import gender_decoder_en

# Sample ads with counts worked out by hand from the decoder's stems and logic
# (score = feminine - masculine; 0 -> neutral/empty, 1..3 feminine-coded, >3 strongly, same for < 0).
SAMPLE_ADS = [
    (
        "We are looking for an ambitious, competitive and assertive leader. You are analytical, decisive "
        "and driven, with strong leadership skills. You will challenge the status quo.",
        # ambitio, compet, assert, lead(er), analy, decisive, driven, lead(ership), challeng
        9,
        0,
        "strongly masculine-coded",
    ),
    (
        "Join our supportive, collaborative team. We value honest, warm and understanding colleagues "
        "who are committed to sharing knowledge and connecting with customers.",
        # support, collab, honest, warm, understand, commit, sharin, connect
        0,
        8,
        "strongly feminine-coded",
    ),
    ("We need a confident and kind colleague.", 1, 1, "neutral"),
    ("The role involves bookkeeping and reporting.", 0, 0, "empty"),
    # independen, self-relian (hyphenated stem), analy | trust
    ("An independent, self-reliant analyst who enjoys teamwork and trust.", 3, 1, "masculine-coded"),
    # lead | loyal, polite, support
    (
        "A loyal, polite and patient assistant who supports customers and leads projects.",
        1,
        3,
        "feminine-coded",
    ),
]


@pytest.mark.parametrize(("text", "masculine", "feminine", "verdict"), SAMPLE_ADS)
def test_decoder_compatible_verdicts(text: str, masculine: int, feminine: int, verdict: str) -> None:
    result = find_en(text)
    assert (len(result.masculine), len(result.feminine), result.verdict) == (masculine, feminine, verdict)


@pytest.mark.parametrize(
    ("masculine", "feminine", "verdict"),
    [
        (0, 0, "empty"),
        (2, 2, "neutral"),
        (0, 3, "feminine-coded"),
        (0, 4, "strongly feminine-coded"),
        (3, 0, "masculine-coded"),
        (4, 0, "strongly masculine-coded"),
        (5, 2, "masculine-coded"),
    ],
)
def test_verdict_thresholds(masculine: int, feminine: int, verdict: str) -> None:
    assert decoder_verdict(masculine, feminine) == verdict
    assert verdict in VERDICTS


# --- fixes of the decoder's double counts (module docstring of gender_coded.py) -------------------


def test_fix1_one_count_per_word_even_with_two_matching_stems() -> None:
    # Decoder: "dominant" matches "domina" and "dominant" (2), "interpersonal" matches
    # "interpersonal" and "interpersona" (2).
    result = find_en("A dominant person with interpersonal skills.")
    assert [m["rule"] for m in result.masculine] == ["gender_decoder_en:dominant"]
    assert [m["rule"] for m in result.feminine] == ["gender_decoder_en:interpersonal"]
    # The fix changes verdicts: the decoder counted 6 here, "strongly masculine-coded".
    assert find_en("Dominant, dominant and dominant.").verdict == "masculine-coded"


def test_fix2_hyphenated_words_count_once_as_a_whole() -> None:
    result = find_en("A co-operative, self-confident and inter-personal colleague.")
    assert [(m["text"], m["rule"]) for m in result.feminine] == [
        ("co-operative", "gender_decoder_en:co-operat"),
        ("inter-personal", "gender_decoder_en:inter-personal"),
    ]
    # "self-confident" is not also counted as "confident".
    assert [(m["text"], m["rule"]) for m in result.masculine] == [
        ("self-confident", "gender_decoder_en:self-confiden")
    ]
    # "head-strong" is a coded stem the decoder never counted (it split the word).
    assert [m["text"] for m in find_en("A head-strong lead.").masculine] == ["head-strong", "lead"]


def test_other_hyphenated_words_are_split_like_the_decoder() -> None:
    result = find_en("A well-known, non-cooperative team-leader.")
    assert [m["text"] for m in result.feminine] == ["cooperative"]
    assert [m["text"] for m in result.masculine] == ["leader"]


def test_non_coded_exceptions_and_listed_stems() -> None:
    assert gender_decoder_en().exceptions == frozenset({"sharepoint"})
    result = find_en("SharePoint experience; we share knowledge.")
    assert [m["text"] for m in result.feminine] == ["share"]
    assert [e["text"] for e in result.excluded] == ["SharePoint"]
    # Not an exception in the decoder's data: "respon" also matches "responsibilities".
    assert [m["text"] for m in find_en("Responsibilities include").feminine] == ["Responsibilities"]


def test_unicode_tokens() -> None:
    # Non-ASCII letters stay inside words (the decoder turned "naïve" into "na ve").
    assert not find_en("naïve café").masculine
    # Curly apostrophes and quotes separate words; U+2011 counts as a hyphen.
    result = find_en("“Ambitious” leader’s self‑confident décisive")
    assert [m["text"] for m in result.masculine] == ["Ambitious", "leader", "self‑confident"]
    # Underscores and digits glue words, as in the decoder ("3lead" is no word "lead").
    assert not find_en("_lead 3lead").masculine


def test_case_folding_oddities() -> None:
    # re.IGNORECASE matches "İ"/"ſ" to "i"/"s"; such words are still found and looked up.
    assert [m["text"] for m in find_en("İnterpersonal ſupport").feminine] == ["İnterpersonal", "ſupport"]
    assert [m["text"] for m in find_nl("ſamenwerken").feminine] == ["ſamenwerken"]


def test_spans_round_trip_also_for_decomposed_text() -> None:
    text = unicodedata.normalize("NFD", "Wij zoeken een coöperatieve, ambitieuze en zorgvuldige collega.")
    scores = GenderCodedScorer().score(text, ctx("nl"))
    matches = by_metric(scores)["gender_coded_nl_provisional.score"].detail["matches"]
    assert [m["text"] for m in matches] == [
        unicodedata.normalize("NFD", w) for w in ("coöperatieve", "ambitieuze", "zorgvuldige")
    ]
    for m in matches:
        assert text[m["start"] : m["end"]] == m["text"]


# --- Dutch, provisional list -----------------------------------------------------------------------


def _nl(text: str) -> tuple[list[str], list[str], list[str]]:
    result = find_nl(text)
    return (
        [m["text"] for m in result.masculine],
        [m["text"] for m in result.feminine],
        [e["text"] for e in result.excluded],
    )


def test_dutch_compounds_and_inflections() -> None:
    masc, fem, _ = _nl(
        "Je bent resultaatgericht, besluitvaardig en snelbesluitvaardig; besluitvaardigheid en "
        "resultaatgerichtheid zijn belangrijk. Zelfstandige, analytische en klantvriendelijke collega's."
    )
    assert masc == [
        "resultaatgericht",
        "besluitvaardig",
        "snelbesluitvaardig",
        "besluitvaardigheid",
        "resultaatgerichtheid",
        "Zelfstandige",
        "analytische",
    ]
    assert fem == ["klantvriendelijke"]


def test_dutch_exceptions_apply_first() -> None:
    masc, fem, excluded = _nl(
        "Competent, met competenties en een competentie. Kinderopvang, samenstelling van het team, "
        "verantwoordelijkheden, inclusief reiskosten."
    )
    assert masc == [] and fem == []
    assert excluded == ["Kinderopvang", "samenstelling", "verantwoordelijkheden", "inclusief"]
    # The exceptions do not block the coded forms themselves.
    assert _nl("competitief, samenwerken, verantwoordelijk, inclusieve cultuur, kinderen")[1] == [
        "samenwerken",
        "verantwoordelijk",
        "inclusieve",
        "kinderen",
    ]
    assert _nl("competitief")[0] == ["competitief"]


def test_onafhankelijk_is_masculine_not_feminine() -> None:
    masc, fem, _ = _nl("Je werkt onafhankelijk en bent niet afhankelijk van anderen.")
    assert masc == ["onafhankelijk"]
    assert fem == ["afhankelijk"]


def test_dutch_tiers_and_sources() -> None:
    result = find_nl("Analytisch en vastberaden.")
    assert [m["rule"] for m in result.masculine] == ["nl_tier_a:analytisch", "nl_tier_b:vastberaden"]
    assert find_nl("Zorgvuldig, z'n Coöperatie").feminine[1]["rule"] == "nl_tier_b:coöperatie"


def test_jongerenwerker_and_dutch_words_are_not_english_stems() -> None:
    # English stems must not fire on Dutch text scored as Dutch ("kind" = child, "lead" in "leader").
    scores = by_metric(GenderCodedScorer().score("Een kind, de leader en de jongerenwerker.", ctx("nl")))
    assert set(scores) == {f"gender_coded_nl_provisional.{k}" for k in ("masculine", "feminine", "score")}
    assert scores["gender_coded_nl_provisional.feminine"].value == 1.0  # "kind" is a tier B stem


# --- scorer output -------------------------------------------------------------------------------


def test_scorer_metrics_en() -> None:
    text = SAMPLE_ADS[0][0]
    scores = by_metric(GenderCodedScorer().score(text, ctx("en")))
    assert set(scores) == {"gender_coded.masculine", "gender_coded.feminine", "gender_coded.score"}
    assert scores["gender_coded.masculine"].value == 9.0
    assert scores["gender_coded.feminine"].value == 0.0
    words = scores["gender_coded.score"].detail["words"]
    assert words == 10 + 10 + 6
    assert scores["gender_coded.score"].value == pytest.approx(100 * 9 / 26)
    detail = scores["gender_coded.score"].detail
    assert detail["verdict"] == "strongly masculine-coded"
    assert detail["lexicon"] == "gender_decoder_en" and "MIT" in detail["license"]
    assert all(text[m["start"] : m["end"]] == m["text"] for m in detail["matches"])
    assert all(s.kind == "numeric" for s in scores.values())


def test_provisional_label_travels_with_dutch_scores() -> None:
    scores = GenderCodedScorer().score("Je bent ambitieus en zorgvuldig.", ctx("nl"))
    for score in scores:
        assert score.metric.startswith("gender_coded_nl_provisional.")
        assert score.detail["provisional"] is True
    detail = by_metric(scores)["gender_coded_nl_provisional.score"].detail
    assert detail["status"].startswith("PROVISIONAL")
    assert detail["verdict"] == "neutral"
    assert detail["tier_a_counts"] == {"masculine": 0, "feminine": 1}


def test_unknown_language_runs_both_and_says_so() -> None:
    scores = by_metric(GenderCodedScorer().score("An ambitious and zorgvuldige team.", ctx("de")))
    assert scores["gender_coded.masculine"].value == 1.0
    assert scores["gender_coded_nl_provisional.feminine"].value == 1.0
    assert all("unknown" in s.detail["language_note"] for s in scores.values())


def test_empty_text() -> None:
    scores = by_metric(GenderCodedScorer().score("", ctx("en")))
    assert scores["gender_coded.score"].value == 0.0
    assert scores["gender_coded.score"].detail["verdict"] == "empty"
