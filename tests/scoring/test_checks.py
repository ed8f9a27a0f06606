"""Configurable pass/fail checks and their config validation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scoring.helpers import ctx
from workbench.scoring.checks import build_check

VACANCY = """# Medewerker klantenservice (m/v/x)

## Wat ga je doen?
Je helpt klanten.

**Wat vragen wij:**
- Mbo-niveau

### Wat bieden wij jou?
Een salaris van € 3.000 per maand.
"""


def run(config: dict[str, Any], text: str) -> tuple[float, dict[str, Any]]:
    scorer = build_check(config)
    (score,) = scorer.score(text, ctx("nl"))
    assert score.kind == "binary"
    assert score.metric == scorer.name
    return score.value, score.detail


@pytest.mark.parametrize(
    ("config", "text", "expected"),
    [
        ({"check": "contains", "value": "salaris"}, VACANCY, 1.0),
        ({"check": "contains", "value": "SALARIS"}, VACANCY, 0.0),
        ({"check": "contains", "value": "SALARIS", "ignore_case": True}, VACANCY, 1.0),
        ({"check": "contains", "value": ["salaris", "lease-auto"]}, VACANCY, 0.0),
        ({"check": "contains", "value": ["salaris", "lease-auto"], "mode": "any"}, VACANCY, 1.0),
        ({"check": "not_contains", "value": "moedertaal"}, VACANCY, 1.0),
        ({"check": "not_contains", "value": ["MBO"], "ignore_case": True}, VACANCY, 0.0),
        ({"check": "regex", "name": "has_salary", "pattern": "€\\s?\\d"}, VACANCY, 1.0),
        ({"check": "regex", "pattern": "€\\s?\\d"}, "Goed salaris", 0.0),
        ({"check": "regex", "pattern": "^wat", "ignore_case": True, "multiline": True}, VACANCY, 0.0),
        ({"check": "regex", "pattern": "^## wat", "ignore_case": True, "multiline": True}, VACANCY, 1.0),
        ({"check": "regex", "pattern": "moedertaal", "negate": True}, VACANCY, 1.0),
        ({"check": "json_valid"}, '{"invite": true, "score": 7}', 1.0),
        ({"check": "json_valid"}, '```json\n{"invite": true}\n```', 1.0),
        ({"check": "json_valid", "strip_code_fences": False}, '```json\n{"invite": true}\n```', 0.0),
        ({"check": "json_valid"}, '{"invite": true,}', 0.0),
        ({"check": "max_words", "limit": 3}, "een twee drie", 1.0),
        ({"check": "max_words", "limit": 2}, "een twee drie", 0.0),
        ({"check": "min_words", "limit": 3}, "auto's z'n e-mail", 1.0),
        ({"check": "min_words", "limit": 4}, "auto's z'n e-mail", 0.0),
    ],
)
def test_checks(config: dict[str, Any], text: str, expected: float) -> None:
    assert run(config, text)[0] == expected


def test_required_sections_reports_missing() -> None:
    config = {
        "check": "required_sections",
        "name": "vacancy_sections",
        "sections": ["Wat ga je doen", "Wat vragen wij", "Wat bieden wij"],
    }
    assert run(config, VACANCY) == (
        1.0,
        {"check": "required_sections", "missing": [], "required": config["sections"]},
    )
    value, detail = run(config, VACANCY.replace("Wat vragen wij", "Wie ben jij"))
    assert value == 0.0 and detail["missing"] == ["Wat vragen wij"]
    # A sentence that merely mentions the heading words is not a heading.
    prose = "Wat ga je doen als je bij ons werkt en wat vragen wij van je in de eerste maanden hier?"
    assert run({"check": "required_sections", "sections": ["Wat vragen wij"]}, prose)[0] == 0.0
    assert (
        run({"check": "required_sections", "sections": ["Wat vragen wij"], "anywhere": True}, prose)[0] == 1.0
    )


def test_metric_name_defaults_to_check_type() -> None:
    assert build_check({"check": "json_valid"}).name == "check.json_valid"
    assert build_check({"check": "regex", "name": "has_salary", "pattern": "€"}).name == "check.has_salary"


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"name": "x"}, "'check'"),
        ({"check": "spellcheck"}, "'check'"),
        ({"check": "regex"}, "'pattern'"),
        ({"check": "regex", "pattern": "(unclosed"}, "'pattern'"),
        ({"check": "regex", "pattern": ""}, "'pattern'"),
        ({"check": "regex", "patern": "x"}, "'patern'"),
        ({"check": "regex", "pattern": "x", "ignore_case": "yes"}, "'ignore_case'"),
        ({"check": "contains"}, "'value'"),
        ({"check": "contains", "value": []}, "'value'"),
        ({"check": "contains", "value": "x", "mode": "some"}, "'mode'"),
        ({"check": "required_sections", "sections": "Wat ga je doen"}, None),  # a single string is fine
        ({"check": "required_sections", "sections": [""]}, "'sections'"),
        ({"check": "max_words", "limit": -1}, "'limit'"),
        ({"check": "max_words", "limit": "300"}, "'limit'"),
        ({"check": "min_words", "limit": True}, "'limit'"),
        ({"check": "json_valid", "name": "has space"}, "'name'"),
    ],
)
def test_bad_config_names_the_field(config: dict[str, Any], field: str | None) -> None:
    if field is None:
        build_check(config)
        return
    with pytest.raises(ValueError, match=field):
        build_check(config)


def test_non_mapping_config() -> None:
    with pytest.raises(ValueError, match="mapping"):
        build_check(["regex"])  # type: ignore[arg-type]
