"""Age-coded, exclusionary-language and gendered-title rules: one positive and one negative per rule."""

from __future__ import annotations

import pytest

from tests.scoring.helpers import by_metric, ctx
from workbench.scoring.bias_lint import AgeCodedScorer, ExclusionScorer, GenderedTitleScorer, lint_scorers
from workbench.scoring.lexicons import exclusion_rules, load_json
from workbench.scoring.pattern_rules import find_rule_matches

# rule id -> (language, text that must hit the rule, text that must not)
CASES: dict[str, tuple[str, str, str]] = {
    "nl_age_range": ("nl", "Je bent tussen 25 en 35 jaar oud.", "Je hebt 10-15 jaar ervaring."),
    "nl_age_max_min": ("nl", "Je bent niet ouder dan 40 jaar.", "Minimaal 10 jaar werkervaring."),
    "nl_jong_candidate": ("nl", "Wij zoeken een jonge collega.", "Wij zoeken een jongerenwerker."),
    "nl_jong_team": ("nl", "Je komt in een jong en dynamisch team.", "Een team van jong en oud."),
    "nl_max_experience": ("nl", "Maximaal 5 jaar werkervaring.", "Minimaal 5 jaar werkervaring."),
    "nl_experience_range": ("nl", "Je hebt 2 tot 5 jaar ervaring.", "Je hebt 5 jaar ervaring."),
    "nl_starter": ("nl", "Ideaal voor een schoolverlater of pas afgestudeerde.", "Startdatum: 1 mei."),
    "nl_age_coded": ("nl", "Je kijkt met een frisse blik.", "Je hebt energie voor twee."),
    "nl_moedertaal": ("nl", "Nederlands als moedertaal is vereist.", "Je spreekt vloeiend Nederlands."),
    "nl_nationaliteit": ("nl", "Je hebt de Nederlandse nationaliteit.", "Een internationaal team."),
    "nl_mv_without_x": ("nl", "Timmerman (M/V)", "Timmerman (m/v/x)"),
    "nl_man_titles": ("nl", "Wij zoeken een allround timmerman.", "Vakmanschap staat voorop."),
    "nl_hij_zijn": ("nl", "Hij krijgt een auto.", "Je krijgt een auto, zijnde een leaseauto."),
    "wb_nl_jonge_candidates": ("nl", "Wij zoeken jonge, gedreven medewerkers.", "Jonge en oudere collega's."),
    "en_age_explicit": ("en", "We want young talent.", "Join our agency; we are younger at heart."),
    "en_student_grad": ("en", "Ideal for a recent graduate.", "A graduate degree is required."),
    "en_max_experience": ("en", "No more than 5 years of experience.", "At least 5 years of experience."),
    "en_age_coded": ("en", "You are a digital native.", "General digital skills."),
    "en_energy": ("en", "A high-energy environment.", "Experience in the energy sector."),
    "en_native": ("en", "Native English speaker required.", "Native app development in English."),
    "en_gendered_titles": ("en", "We are hiring a salesman.", "We are hiring a salesperson."),
    "en_he_his": ("en", "He will report to the CTO.", "The hero helps others."),
    "wb_nl_man_titles_extra": ("nl", "Meewerkend voorman gezocht.", "Een ploegleider gezocht."),
    "wb_nl_schoolverlaters": ("nl", "Schoolverlaters zijn welkom.", "Wij zoeken collega's."),
    "wb_nl_jonge_team": ("nl", "Een jonge, enthousiaste club.", "Een enthousiaste club van jong en oud."),
    "wb_en_students_leavers": ("en", "Ideal for students and school leavers.", "You will teach students."),
    "wb_en_native_level": ("en", "Native-level English is required.", "Fluent English (C1) is required."),
}


def _rule_ids(text: str, language: str) -> set[str]:
    return {
        m["rule"]
        for category in ("age", "language_origin", "gendered_title")
        for m in find_rule_matches(text, category, (language,)).matches
    }


def test_every_rule_has_cases() -> None:
    assert {r.id for r in exclusion_rules()} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_positive_and_negative(rule_id: str) -> None:
    language, positive, negative = CASES[rule_id]
    assert rule_id in _rule_ids(positive, language), positive
    assert rule_id not in _rule_ids(negative, language), negative


def test_rules_carry_source_severity() -> None:
    data = load_json("exclusion_patterns.json")
    severities = {
        e["id"]: e["sev"] for key in ("age", "language_origin", "gendered_titles_pronouns") for e in data[key]
    }
    for rule in exclusion_rules():
        if rule.source_file == "exclusion_patterns.json":
            assert rule.severity == severities[rule.id]
    assert load_json("exclusion_patterns_supplement.json")["_status"].startswith("ENGINEERING ADDITION")


def test_jong_en_dynamisch_team_is_flagged_once() -> None:
    text = "Je komt te werken in een jong en dynamisch team."
    scores = by_metric(AgeCodedScorer().score(text, ctx("nl")))
    flagged, count = scores["age_coded.flagged"], scores["age_coded.count"]
    assert (flagged.value, flagged.kind) == (1.0, "binary")
    assert [(m["rule"], m["severity"]) for m in flagged.detail["matches"]] == [
        ("nl_jong_team", "medium"),
        ("nl_age_coded", "low"),  # "dynamisch" inside the same phrase
    ]
    assert count.value == 1.0  # overlapping matches count once
    assert flagged.detail["verdict"] == "flagged (medium severity)"
    assert "never" in flagged.detail["note"]


def test_jongerenwerker_is_not_age_coded() -> None:
    scores = by_metric(
        AgeCodedScorer().score("Wij zoeken een jongerenwerker voor ons jongerencentrum.", ctx("nl"))
    )
    assert scores["age_coded.flagged"].value == 0.0
    assert scores["age_coded.flagged"].detail["matches"] == []


def test_low_severity_matches_do_not_flag_by_default() -> None:
    text = "Hij is energiek en zijn team ook."
    titles = by_metric(GenderedTitleScorer().score(text, ctx("nl")))
    assert titles["gendered_title.flagged"].value == 0.0
    assert titles["gendered_title.count"].value == 0.0
    assert {m["text"] for m in titles["gendered_title.flagged"].detail["matches"]} == {"Hij", "zijn"}
    strict = by_metric(GenderedTitleScorer(flag_severity="low").score(text, ctx("nl")))
    assert strict["gendered_title.flagged"].value == 1.0 and strict["gendered_title.count"].value == 2.0
    with pytest.raises(ValueError, match="flag_severity"):
        AgeCodedScorer(flag_severity="severe")


def test_gendered_title_is_fine_with_gender_marker() -> None:
    marked = by_metric(
        GenderedTitleScorer().score("Timmerman (m/v/x)\nAls timmerman bouw je mee.", ctx("nl"))
    )
    assert marked["gendered_title.flagged"].value == 0.0
    assert [m["text"] for m in marked["gendered_title.flagged"].detail["suppressed"]] == [
        "Timmerman",
        "timmerman",
    ]
    # "(m/v)" makes the title acceptable but is itself flagged for leaving out x.
    mv = by_metric(GenderedTitleScorer().score("Timmerman (m/v)", ctx("nl")))
    assert [m["rule"] for m in mv["gendered_title.flagged"].detail["matches"]] == ["nl_mv_without_x"]
    bare = by_metric(GenderedTitleScorer().score("Chairman of the board", ctx("en")))
    assert bare["gendered_title.flagged"].value == 1.0


def test_exclusion_scorer_both_languages() -> None:
    nl = by_metric(ExclusionScorer().score("Je hebt Nederlands als moedertaal.", ctx("nl")))
    assert nl["exclusion.flagged"].value == 1.0
    assert nl["exclusion.flagged"].detail["max_severity"] == "high"
    en = by_metric(ExclusionScorer().score("Fluent English (C1) required.", ctx("en")))
    assert en["exclusion.flagged"].value == 0.0 and en["exclusion.count"].value == 0.0


def test_unknown_language_runs_both_rule_sets() -> None:
    text = "Native speaker, maximaal 30 jaar."
    scores = by_metric([s for scorer in lint_scorers()[1:] for s in scorer.score(text, ctx("fr"))])
    assert {m["rule"] for m in scores["exclusion.flagged"].detail["matches"]} == {
        "nl_moedertaal",
        "en_native",
    }
    assert {m["rule"] for m in scores["age_coded.flagged"].detail["matches"]} == {"nl_age_max_min"}
    assert "unknown" in scores["age_coded.flagged"].detail["language_note"]


def test_spans_round_trip_with_unicode() -> None:
    text = (
        "“Jonge collega’s” gezocht — tussen 20 en 30 jaar, café-ervaring, (m/v), Nederlands als moedertaal."
    )
    for scorer in lint_scorers():
        for score in scorer.score(text, ctx("nl")):
            for m in score.detail.get("matches", []):
                assert text[m["start"] : m["end"]] == m["text"]
                assert set(m) == {"start", "end", "text", "category", "rule", "severity", "source"}


def test_paired_title_forms_are_inclusive() -> None:
    for text in ("Gastvrouw/gastheer restaurant. Als gastvrouw ontvang je gasten.", "Barman of barvrouw gezocht.",
                 "Gastheer/-vrouw gezocht."):
        scores = by_metric(GenderedTitleScorer().score(text, ctx("nl")))
        assert scores["gendered_title.flagged"].value == 0.0, text
        assert scores["gendered_title.flagged"].detail["suppressed"], text
    assert by_metric(GenderedTitleScorer().score("Barvrouw gezocht.", ctx("nl")))["gendered_title.flagged"].value == 1.0


def test_zijn_is_a_pronoun_only_next_to_hij_or_hem() -> None:
    verb = find_rule_matches("Bij ons mag je jezelf zijn. Wij zijn een team.", "gendered_title", ("nl",))
    assert verb.matches == [] and [m["text"] for m in verb.suppressed] == ["zijn", "zijn"]
    pronoun = find_rule_matches("Hij krijgt zijn eigen auto.", "gendered_title", ("nl",))
    assert [m["text"] for m in pronoun.matches] == ["Hij", "zijn"]


def test_every_rule_has_an_explanation_in_both_languages() -> None:
    from workbench.scoring.explain import explain

    for rule in exclusion_rules():
        info = explain({"start": 0, "end": 1, "text": "x", "category": rule.category, "rule": rule.id,
                        "severity": rule.severity, "source": rule.source})
        assert info["reason"]["en"] and info["reason"]["nl"] and not info["reason"]["en"].startswith("matched rule")
        assert info["alternatives"], rule.id
