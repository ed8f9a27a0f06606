"""Gender-coded wording: decoder_compat (the decoder's stems and its double-count fixes), precise matching."""

from __future__ import annotations

import unicodedata

import pytest

from tests.scoring.helpers import by_metric, ctx
from workbench.scoring.bias_lint import GenderCodedScorer
from workbench.scoring.gender_coded import VERDICTS, decoder_verdict, find_en, find_en_decoder, find_nl
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
    result = find_en_decoder(text)
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
    result = find_en_decoder("A dominant person with interpersonal skills.")
    assert [m["rule"] for m in result.masculine] == ["gender_decoder_en:dominant"]
    assert [m["rule"] for m in result.feminine] == ["gender_decoder_en:interpersonal"]
    # The fix changes verdicts: the decoder counted 6 here, "strongly masculine-coded".
    assert find_en_decoder("Dominant, dominant and dominant.").verdict == "masculine-coded"


def test_fix2_hyphenated_words_count_once_as_a_whole() -> None:
    result = find_en_decoder("A co-operative, self-confident and inter-personal colleague.")
    assert [(m["text"], m["rule"]) for m in result.feminine] == [
        ("co-operative", "gender_decoder_en:co-operat"),
        ("inter-personal", "gender_decoder_en:inter-personal"),
    ]
    # "self-confident" is not also counted as "confident".
    assert [(m["text"], m["rule"]) for m in result.masculine] == [
        ("self-confident", "gender_decoder_en:self-confiden")
    ]
    # "head-strong" is a coded stem the decoder never counted (it split the word).
    assert [m["text"] for m in find_en_decoder("A head-strong lead.").masculine] == ["head-strong", "lead"]


def test_other_hyphenated_words_are_split_like_the_decoder() -> None:
    result = find_en_decoder("A well-known, non-cooperative team-leader.")
    assert [m["text"] for m in result.feminine] == ["cooperative"]
    assert [m["text"] for m in result.masculine] == ["leader"]


def test_non_coded_exceptions_and_listed_stems() -> None:
    assert gender_decoder_en().exceptions == frozenset({"sharepoint"})
    result = find_en_decoder("SharePoint experience; we share knowledge.")
    assert [m["text"] for m in result.feminine] == ["share"]
    assert [e["text"] for e in result.excluded] == ["SharePoint"]
    # Not an exception in the decoder's data: "respon" also matches "responsibilities".
    assert [m["text"] for m in find_en_decoder("Responsibilities include").feminine] == ["Responsibilities"]


def test_unicode_tokens() -> None:
    # Non-ASCII letters stay inside words (the decoder turned "naïve" into "na ve").
    assert not find_en_decoder("naïve café").masculine
    # Curly apostrophes and quotes separate words; U+2011 counts as a hyphen.
    result = find_en_decoder("“Ambitious” leader’s self‑confident décisive")
    assert [m["text"] for m in result.masculine] == ["Ambitious", "leader", "self‑confident"]
    # Underscores and digits glue words, as in the decoder ("3lead" is no word "lead").
    assert not find_en_decoder("_lead 3lead").masculine


def test_case_folding_oddities() -> None:
    # re.IGNORECASE matches "İ"/"ſ" to "i"/"s"; such words are still found and looked up.
    assert [m["text"] for m in find_en_decoder("İnterpersonal ſupport").feminine] == ["İnterpersonal", "ſupport"]


def test_spans_round_trip_also_for_decomposed_text() -> None:
    text = unicodedata.normalize("NFD", "Wij zoeken een coöperatieve, ambitieuze en zorgvuldige collega.")
    scores = GenderCodedScorer().score(text, ctx("nl"))
    matches = by_metric(scores)["gender_coded_nl_provisional.score"].detail["matches"]
    assert [m["text"] for m in matches] == [
        unicodedata.normalize("NFD", w) for w in ("coöperatieve", "ambitieuze", "zorgvuldige")
    ]
    for m in matches:
        assert text[m["start"] : m["end"]] == m["text"]


# --- precise matching (default) -------------------------------------------------------------------


def _nl(text: str) -> tuple[list[str], list[str], list[str]]:
    result = find_nl(text)
    return (
        [m["text"] for m in result.masculine],
        [m["text"] for m in result.feminine],
        [e["text"] for e in result.excluded],
    )


def test_issue_false_hits_are_gone_in_dutch() -> None:
    # Every false hit the issue lists (prefix matches of stems), in one text.
    text = (
        "Servicemonteur warmtepompen. Salaris afhankelijk van ervaring. Je rapporteert aan je leidinggevende. "
        "Verzorgende IG en Meewerkend voorman gezocht. Grote delen van het werk. Wij zijn een coöperatie. "
        "Je gaat vertrouwelijk om met gegevens. Ter attentie van HR. Overleg met betrokken partijen. "
        "Kindcentrum De Regenboog. Bij ons mag je jezelf zijn."
    )
    masc, fem, excluded = _nl(text)
    assert masc == [] and fem == []
    assert excluded == ["afhankelijk", "leidinggevende", "Verzorgende", "Meewerkend", "delen", "betrokken"]


def test_issue_missed_dutch_forms_are_found() -> None:
    masc, fem, _ = _nl("Communicatieve, creatieve, commerciële, sociale, actieve en loyaal; je deelt kennis.")
    assert masc == ["commerciële", "actieve"]
    assert fem == ["Communicatieve", "creatieve", "sociale", "loyaal", "deelt"]


def test_english_decoder_false_hits_are_gone() -> None:
    result = find_en("A confidential committee; you are responsible for the budget.")
    assert result.masculine == [] and result.feminine == []
    # ... while the trait words still count.
    result = find_en("A confident, committed and responsive colleague.")
    assert [m["text"] for m in result.masculine] == ["confident"]
    assert [m["text"] for m in result.feminine] == ["committed", "responsive"]


def test_dutch_compounds_count_only_with_a_coded_head() -> None:
    masc, fem, _ = _nl(
        "Je bent resultaatgericht, besluitvaardig en snelbesluitvaardig; proactief, klantvriendelijke "
        "collega's. Geen teamleider of projectleider, geen warmtepomp, geen onderdelen, geen technologische kennis."
    )
    assert masc == ["resultaatgericht", "besluitvaardig", "snelbesluitvaardig", "proactief"]
    assert fem == ["klantvriendelijke"]


def test_lemmas_and_surface_forms() -> None:
    # simplemma lemmatises "ambitieuze" -> "ambitieus", "ondersteunt" -> "ondersteunen"; "gedreven" is
    # surface-only (its lemma "drijven" is another word).
    masc, fem, _ = _nl("Ambitieuze en gedreven collega's die ondersteunt; het water wordt gedreven door een pomp.")
    assert masc == ["Ambitieuze", "gedreven"]
    assert fem == ["ondersteunt"]


def test_exceptions_apply_with_context_and_say_why() -> None:
    result = find_nl("Je bent verantwoordelijk voor de planning. Je bent verantwoordelijk en betrokken bij je werk.")
    assert [m["text"] for m in result.feminine] == ["verantwoordelijk", "betrokken"]
    (excluded,) = result.excluded
    assert excluded["text"] == "verantwoordelijk" and excluded["exception"] == "phrase"
    assert "duty" in excluded["reason"]
    # leidinggevende: the noun (the manager) is a role; "leidinggevende ervaring" is leadership wording.
    masc, _, excluded_words = _nl("Je rapporteert aan je leidinggevende. Je hebt leidinggevende ervaring.")
    assert masc == ["leidinggevende"] and excluded_words == ["leidinggevende"]


def test_onafhankelijk_is_masculine_and_afhankelijk_van_is_no_trait() -> None:
    masc, fem, excluded = _nl("Je werkt onafhankelijk en bent niet afhankelijk van anderen.")
    assert masc == ["onafhankelijk"] and fem == [] and excluded == ["afhankelijk"]


def test_dutch_tiers_and_sources() -> None:
    result = find_nl("Analytisch en vastberaden.")
    assert [(m["rule"], m["source"]) for m in result.masculine] == [
        ("nl_provisional:analytisch", "nl_tier_a"),
        ("nl_provisional:vastberaden", "nl_tier_b"),
    ]


def test_english_hyphens_apostrophes_and_unicode() -> None:
    result = find_en("A self‑confident, target-driven team-leader’s decision-making; naïve café.")
    expected = ["self‑confident", "target-driven", "team-leader’s", "decision-making"]
    assert [m["text"] for m in result.masculine] == expected
    assert result.feminine == []


def test_jongerenwerker_and_dutch_words_are_not_english_stems() -> None:
    # English stems must not fire on Dutch text scored as Dutch ("kind" = child, "lead" in "leader").
    scores = by_metric(GenderCodedScorer().score("Een kind, de leader en de jongerenwerker.", ctx("nl")))
    assert set(scores) == {f"gender_coded_nl_provisional.{k}" for k in ("masculine", "feminine", "score")}
    assert scores["gender_coded_nl_provisional.feminine"].value == 1.0  # "kind" is a tier B word


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
    assert detail["lexicon"] == "coded_words_en" and detail["mode"] == "precise" and "MIT" in detail["license"]
    assert all(text[m["start"] : m["end"]] == m["text"] for m in detail["matches"])
    assert all(s.kind == "numeric" for s in scores.values())


def test_decoder_compat_scorer_keeps_the_published_numbers() -> None:
    text = "A confidential committee responsible for an ambitious plan."
    scorer = GenderCodedScorer(mode="decoder_compat")
    assert scorer.name == "gender_coded_decoder_compat"
    scores = by_metric(scorer.score(text, ctx("en")))
    assert scores["gender_decoder.masculine"].value == 2.0  # confident(ial), ambitio(us)
    assert scores["gender_decoder.feminine"].value == 2.0  # commit(tee), respon(sible)
    assert scores["gender_decoder.score"].detail["mode"] == "decoder_compat"
    precise = by_metric(GenderCodedScorer().score(text, ctx("en")))
    assert (precise["gender_coded.masculine"].value, precise["gender_coded.feminine"].value) == (1.0, 0.0)
    with pytest.raises(ValueError, match="mode"):
        GenderCodedScorer(mode="fuzzy")


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
