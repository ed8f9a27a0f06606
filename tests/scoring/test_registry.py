"""Registry: building scorers from spec entries, metric metadata, score_text."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from tests.scoring.helpers import by_metric, ctx
from workbench import scoring
from workbench.scoring.catalogue import metric_direction, metric_kind
from workbench.scoring.registry import (
    SCORER_NAMES,
    build_scorers,
    default_primary_metrics,
    score_text,
    split_judge_entries,
)

VACANCY_NL = """Timmerman (m/v)
Wij zoeken een jonge, gedreven kandidaat voor ons jong en dynamisch team.
Wat ga je doen?
- Je bent resultaatgericht, zelfstandig en betrokken.
Wat vragen wij?
- Nederlands als moedertaal en maximaal 5 jaar werkervaring.
Wat bieden wij?
- Een salaris van € 3.000 per maand."""


def test_split_judge_entries() -> None:
    entries = ["length", "judge:clarity", {"check": "json_valid"}, " judge: tone ", "judge:clarity"]
    assert split_judge_entries(entries) == (["length", {"check": "json_valid"}], ["clarity", "tone"])
    with pytest.raises(ValueError, match="rubric"):
        split_judge_entries(["judge:"])


def test_default_primary_metric_is_the_first_judge_rubric_else_the_first_scorer() -> None:
    """Issue #10: without `primary:` the first judge rubric decides, else the first scorer's headline metric."""
    assert default_primary_metrics(["length", "readability", "judge:clarity", "judge:tone"]) == ["judge.clarity"]
    assert default_primary_metrics(["readability", "length"]) == ["readability"]
    assert default_primary_metrics([{"check": "json_valid", "name": "json"}, "length"]) == ["check.json"]
    # a run that stored only the Dutch list's counts: the first headline metric it really has
    present = ["words", "gender_coded_nl_provisional.masculine", "gender_coded_nl_provisional.feminine"]
    assert default_primary_metrics(["gender_coded", "length"], present) == ["gender_coded_nl_provisional.masculine"]
    assert default_primary_metrics([]) == []


def test_build_scorers_names_and_dedupe() -> None:
    scorers = build_scorers(
        [
            "length",
            "readability",
            "lint",
            "age_coded",
            "judge:clarity",
            {"check": "regex", "name": "has_salary", "pattern": "€\\s?\\d"},
        ]
    )
    assert [s.name for s in scorers] == [
        "length",
        "readability",
        "gender_coded",
        "age_coded",
        "exclusion",
        "gendered_title",
        "check.has_salary",
    ]
    mine = {"length", "readability", "gender_coded", "age_coded", "exclusion", "gendered_title", "lint"}
    assert mine <= set(SCORER_NAMES)


def test_build_scorers_errors() -> None:
    with pytest.raises(ValueError, match="valid names: length, readability"):
        build_scorers(["lenght"])
    with pytest.raises(ValueError, match="'pattern'"):
        build_scorers([{"check": "regex"}])
    with pytest.raises(ValueError, match="name them apart"):
        build_scorers([{"check": "json_valid"}, {"check": "json_valid"}])
    with pytest.raises(ValueError, match="string or a check dict"):
        build_scorers([42])  # type: ignore[list-item]


def test_score_text_end_to_end() -> None:
    scorers = build_scorers(
        [
            "length",
            "readability",
            "lint",
            {"check": "regex", "name": "has_salary", "pattern": "€\\s?\\d"},
            {
                "check": "required_sections",
                "name": "sections",
                "sections": ["Wat ga je doen", "Wat vragen wij", "Wat bieden wij"],
            },
        ]
    )
    scores = by_metric(score_text(VACANCY_NL, ctx("nl"), scorers))
    assert set(scores) == {
        "words",
        "characters",
        "sentences",
        "readability",
        "gender_coded_nl_provisional.masculine",
        "gender_coded_nl_provisional.feminine",
        "gender_coded_nl_provisional.score",
        "age_coded.flagged",
        "age_coded.count",
        "exclusion.flagged",
        "exclusion.count",
        "gendered_title.flagged",
        "gendered_title.count",
        "check.has_salary",
        "check.sections",
    }
    assert scores["age_coded.count"].value == 3.0  # jonge kandidaat, jong en dynamisch team, max. 5 jaar
    assert scores["exclusion.flagged"].value == 1.0
    assert scores["gendered_title.flagged"].value == 1.0  # "(m/v)" without x
    assert (
        scores["gender_coded_nl_provisional.masculine"].value == 3.0
    )  # gedreven, resultaatgericht, zelfstandig
    assert scores["check.has_salary"].value == 1.0 and scores["check.sections"].value == 1.0
    for score in scores.values():
        assert score.kind == metric_kind(score.metric)
        assert not math.isnan(score.value)


@pytest.mark.parametrize(
    ("metric", "direction", "kind"),
    [
        ("words", None, "numeric"),
        ("characters", None, "numeric"),
        ("sentences", None, "numeric"),
        ("readability", True, "numeric"),
        ("check.has_salary", True, "binary"),
        ("gender_coded.masculine", False, "numeric"),
        ("gender_coded.feminine", None, "numeric"),
        ("gender_coded.score", None, "numeric"),
        ("gender_coded_nl_provisional.masculine", False, "numeric"),
        ("gender_coded_nl_provisional.score", None, "numeric"),
        ("age_coded.flagged", False, "binary"),
        ("age_coded.count", False, "numeric"),
        ("exclusion.flagged", False, "binary"),
        ("gendered_title.count", False, "numeric"),
        ("judge.clarity", True, "numeric"),
        ("something.else", None, "numeric"),
    ],
)
def test_metric_metadata(metric: str, direction: bool | None, kind: str) -> None:
    assert metric_direction(metric) is direction
    assert metric_kind(metric) == kind


def test_package_exports_lazily() -> None:
    assert scoring.build_scorers is build_scorers
    with pytest.raises(AttributeError):
        scoring.nope  # noqa: B018


def test_scoring_never_loads_textstat_or_nltk() -> None:
    # textstat's English syllable path calls nltk.download('cmudict'); scoring must not touch it.
    code = (
        "import sys\n"
        "from workbench.scoring.base import ScoringContext\n"
        "from workbench.scoring.registry import build_scorers, score_text\n"
        "scorers = build_scorers(['length', 'readability', 'lint'])\n"
        "text = 'Wij zoeken een ambitieuze collega. We need a young leader.'\n"
        "for lang in ('nl', 'en', 'xx'):\n"
        "    score_text(text, ScoringContext(lang, 't'), scorers)\n"
        "assert 'textstat' not in sys.modules and 'nltk' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
