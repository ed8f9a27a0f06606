"""The metric catalogue: what each built-in metric is, for dynamic names too, and how declarations behave."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from workbench.errors import SpecError
from workbench.experiment.plan import build_plan
from workbench.scoring import catalogue
from workbench.scoring.catalogue import MetricInfo, metric_info
from workbench.scoring.registry import default_primary_metrics, metric_is_scored

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("metric", "kind", "higher", "en", "nl", "short"), [
    ("words", "count", None, "Length (words)", "Lengte (woorden)", "words"),
    ("readability", "numeric", True, "Readability", "Leesbaarheid", "readability"),
    ("judge.clarity", "numeric", True, "Clarity (LLM judge)", "Duidelijkheid (LLM-beoordelaar)", "judge clarity"),
    ("judge.my_rubric", "numeric", True, "my rubric (LLM judge)", "my rubric (LLM-beoordelaar)", "judge my_rubric"),
    ("check.has_salary", "binary", True, "Check: mentions the salary", "Controle: noemt het salaris",
     "check has_salary"),
    ("gender_coded_nl_provisional.masculine", "count", False, "Masculine-coded words",
     "Mannelijk gecodeerde woorden", "gender* masculine"),
    ("gender_coded.feminine", "count", None, "Feminine-coded words", "Vrouwelijk gecodeerde woorden",
     "gender feminine"),
    ("gender_decoder.masculine", "count", False, "Masculine-coded words", "Mannelijk gecodeerde woorden",
     "gender_decoder.masculine"),
    ("age_coded.flagged", "binary", False, "Age-coded wording", "Leeftijdsgecodeerde taal", "age-coded"),
    ("exclusion.count", "count", False, "Exclusionary language demands (count)",
     "Uitsluitende taaleisen (aantal)", "exclusion.count"),
    ("screening.invite", "binary", None, "Invited to interview", "Uitgenodigd voor een gesprek", "invited"),
    ("ranking.top1.turkish_dutch", "binary", None, "Ranked first: turkish dutch",
     "Als eerste gerangschikt: turkish dutch", "ranking.top1.turkish_dutch"),
    ("agentic.communal", "numeric", None, "Communal language (per 100 words)",
     "Gemeenschapsgerichte taal (per 100 woorden)", "agentic.communal"),
])
def test_built_in_metrics(metric: str, kind: str, higher: bool | None, en: str, nl: str, short: str) -> None:
    info = metric_info(metric)
    assert (info.kind, info.higher_is_better) == (kind, higher)
    assert (info.label("en"), info.label("nl"), info.short_label()) == (en, nl, short)
    assert info.name == metric


def test_roles_replace_the_old_name_rules() -> None:
    """Headline, flag, outcome and summary metrics as the prefix rules had them (now declared)."""
    headline = {"readability", "words", "gender_coded.masculine", "gender_coded.score",
                "gender_coded_nl_provisional.masculine", "age_coded.flagged", "exclusion.flagged",
                "gendered_title.flagged", "check.x", "judge.x", "screening.score", "screening.invite"}
    not_headline = {"characters", "sentences", "gender_coded.feminine", "gender_decoder.masculine",
                    "age_coded.count", "agentic.agentic", "ranking.top1.x", "ranking.position.x"}
    assert all(metric_info(m).headline for m in headline)
    assert not any(metric_info(m).headline for m in not_headline)
    assert {m for m in headline | not_headline if metric_info(m).flag} == {
        "age_coded.flagged", "exclusion.flagged", "gendered_title.flagged"}
    assert {m for m in headline | not_headline if not catalogue.is_text_metric(m)} == {
        "screening.score", "screening.invite", "ranking.top1.x", "ranking.position.x"}
    assert catalogue.summary_metrics() == (
        "words", "readability", "gender_coded.masculine", "gender_coded_nl_provisional.masculine",
        "age_coded.flagged", "exclusion.flagged", "screening.score", "screening.invite")
    assert catalogue.summary_patterns() == ("judge.",)
    assert [metric_info(m).column_label() for m in ("judge.inclusiveness", "gender_coded.masculine",
                                                    "screening.invite")] == ["j:inclu", "masc.", "invite%"]


def test_entries_know_their_metrics_and_default_primary() -> None:
    assert metric_is_scored("gender_decoder.masculine", ["gender_coded_decoder_compat"])
    assert not metric_is_scored("gender_coded_decoder_compat.masculine", ["gender_coded_decoder_compat"])
    assert metric_is_scored("exclusion.count", ["lint"]) and not metric_is_scored("words", ["lint"])
    assert default_primary_metrics(["gender_coded"], ["gender_coded_nl_provisional.masculine"]) == [
        "gender_coded_nl_provisional.masculine"]
    assert default_primary_metrics(["ranking"], ["ranking.position.a", "ranking.top1.a"]) == ["ranking.top1.a"]


def test_a_descriptive_metric_cannot_be_primary(tmp_path: Path) -> None:
    spec = yaml.safe_load((ROOT / "experiments/ranking_name_swap_nl.yaml").read_text())
    spec["variants"] = [str(ROOT / v) for v in spec["variants"]]
    spec["dataset"] = str(ROOT / spec["dataset"])
    spec["primary"] = ["ranking.position.dutch_origin"]
    path = tmp_path / "ranking.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="cannot be a primary metric: the 'ranking' scorer declares it"):
        build_plan(path)


def test_declarations(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue.scorers()  # the built-in scorers are registered
    monkeypatch.setattr(catalogue, "_SCORERS", dict(catalogue._SCORERS))
    monkeypatch.setattr(catalogue, "_METRICS", dict(catalogue._METRICS))
    catalogue._lookup.cache_clear()
    with pytest.raises(ValueError, match="two scorers register the name 'length'"):
        catalogue.scorer("length")(lambda: [])
    with pytest.raises(ValueError, match="at most one"):
        MetricInfo("a.*.*")
    catalogue.declare_metrics("toy", MetricInfo("toy.*", label_en="Toy {name}"),
                              MetricInfo("toy.special", label_en="Special"))
    assert metric_info("toy.special").label() == "Special"  # an exact name beats a pattern
    assert metric_info("toy.other").label() == "Toy other" and metric_info("toy.other").scorer == "toy"
    catalogue._lookup.cache_clear()


@pytest.mark.heavy  # a subprocess
def test_the_order_does_not_depend_on_which_scorer_module_was_imported_first() -> None:
    """The run summary's columns follow the scorers' order even when bias_lint is imported first."""
    code = ("import workbench.scoring.outcomes, workbench.scoring.bias_lint\n"
            "from workbench.scoring.catalogue import summary_metrics\nprint(','.join(summary_metrics()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ",".join(catalogue.summary_metrics())
    assert out.startswith("words,readability,gender_coded.masculine,")
