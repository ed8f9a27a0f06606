"""Adding a scorer = one new file + one registering line (CONTRIBUTING.md, "Add a scorer").

The toy scorer below is written to a file in a temporary package and registered with exactly one line
(its module name in `catalogue.SCORER_MODULES`); nothing else in the workbench changes. The test then
runs an experiment that uses it and checks that the analysis, the terminal table and the UI (Compare
page, in English and Dutch) use what the scorer declared.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from streamlit.testing.v1 import AppTest

from workbench.analysis.run_results import analyse_run
from workbench.experiment.plan import build_plan
from workbench.report.console import print_verdicts
from workbench.runner.run import run_experiment
from workbench.scoring import catalogue
from workbench.store.db import Store

ROOT = Path(__file__).resolve().parents[2]

# The whole scorer: this is the file a contributor creates (workbench/scoring/punctuation.py).
TOY_SCORER = '''
"""Commas per text: a toy scorer (tests/scoring/test_toy_scorer.py)."""

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.catalogue import MetricInfo, scorer


@scorer("punctuation", primary=("punctuation.commas",), metrics=[MetricInfo(
    "punctuation.commas", kind="count", direction="lower", label_en="Commas", label_nl="Komma's",
    short="commas", unit="", headline=True,
    help_en="Number of commas in the text.", help_nl="Aantal komma's in de tekst.",
)])
class PunctuationScorer:
    name = "punctuation"

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        return [Score("punctuation.commas", float(text.count(",")))]
'''


@pytest.fixture
def toy_scorer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Write the toy scorer into a package of its own and register it with one line; undone afterwards."""
    package = tmp_path / "toy_scorers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "punctuation.py").write_text(textwrap.dedent(TOY_SCORER))
    monkeypatch.syspath_prepend(str(tmp_path))
    # Registrations of this test must not leak into other tests (built-in scorers first, so the copies
    # restored afterwards hold them).
    catalogue.scorers()
    monkeypatch.setattr(catalogue, "_SCORERS", dict(catalogue._SCORERS))
    monkeypatch.setattr(catalogue, "_METRICS", dict(catalogue._METRICS))
    monkeypatch.setattr(catalogue, "_loaded", list(catalogue._loaded))
    catalogue._lookup.cache_clear()
    # --- the one registering line ---
    monkeypatch.setattr(catalogue, "SCORER_MODULES", [*catalogue.SCORER_MODULES, "toy_scorers.punctuation"])
    yield "punctuation"
    for name in ("toy_scorers.punctuation", "toy_scorers"):
        sys.modules.pop(name, None)
    monkeypatch.undo()
    catalogue._lookup.cache_clear()


def _experiment(tmp_path: Path) -> Path:
    spec = yaml.safe_load((ROOT / "experiments/vacancy_tone_en.yaml").read_text())
    spec.update(scorers=["punctuation", "length"], repeats=1)
    spec.pop("judge")
    spec["variants"] = [str(ROOT / v) for v in spec["variants"]]
    spec["dataset"] = str(ROOT / spec["dataset"])
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.mark.heavy  # Streamlit sessions
def test_a_scorer_in_one_file_is_run_analysed_and_labelled(toy_scorer: str, tmp_path: Path, store: Store,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    info = catalogue.metric_info("punctuation.commas")
    assert (info.scorer, info.kind, info.higher_is_better, info.headline) == ("punctuation", "count", False, True)
    assert toy_scorer in catalogue.scorer_names()

    run = run_experiment(build_plan(_experiment(tmp_path)), store)
    result = analyse_run(store, run.run_id)
    assert result.info.primary == ["punctuation.commas"]  # the scorer's declared default primary metric
    verdicts = [v for v in result.analysis.verdicts if v.metric == "punctuation.commas"] if result.analysis else []
    assert len(verdicts) == 2  # two variants against the baseline
    assert all(v.higher_is_better is False and v.kind == "numeric" for v in verdicts)
    assert all(v.family == "primary" for v in verdicts)

    console = Console(width=200, record=True)
    print_verdicts(console, result)
    assert "commas" in console.export_text()  # the declared short label in the terminal table

    # The UI's Compare page names the measure as declared, in both languages.
    monkeypatch.setenv("WORKBENCH_DB_URL", store.url)
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path / "state"))
    for lang, column, label in (("en", "Measure", "Commas"), ("nl", "Maat", "Komma's")):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.session_state["lang"] = lang
        at.session_state["run_id"] = run.run_id
        at.run()
        at.switch_page("workbench/ui/pages/compare.py").run()
        assert not at.exception, [e.message for e in at.exception]
        measures = {m for frame in at.dataframe if column in frame.value.columns for m in frame.value[column]}
        assert label in measures, (lang, measures)


def test_an_unknown_metric_gets_a_sensible_default() -> None:
    """An old run's metric whose scorer no longer exists: numeric, no direction, labelled by its id."""
    info = catalogue.metric_info("retired_scorer.some_metric")
    assert (info.kind, info.stats_kind, info.higher_is_better) == ("numeric", "numeric", None)
    assert info.label("en") == info.label("nl") == "retired scorer.some metric"
    assert info.short_label() == info.column_label() == "retired_scorer.some_metric"
    assert not (info.headline or info.flag or info.outcome) and info.can_be_primary
    assert catalogue.is_text_metric("retired_scorer.some_metric")
