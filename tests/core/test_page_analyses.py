"""The run's page analysis, stored when `workbench run` ends (issue #12 speed): what the stamp covers,
that the CLI stores it (and survives failing to), and that an old database gains the table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from workbench.cli import app
from workbench.store.db import Store, _alembic_config
from workbench.store.dismissals import dismiss_flag, restore_flag, stored_matches
from workbench.store.models import Output, Run, RunAnalysisRecord
from workbench.store.page_analyses import analysis_stamp, same_outputs, save_analysis
from workbench.store.queries import review_pairs
from workbench.store.repository import add_rating, delete_rating
from workbench.ui import run_stats
from workbench.ui.run_stats import ANALYSIS_VERSION, analyse_for_pages, current_stamp, load_stored

ROOT = Path(__file__).resolve().parents[2]


def _spec(tmp_path: Path) -> Path:
    spec = tmp_path / "small.yaml"
    spec.write_text(f"""name: stored-analysis
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 6
repeats: 2
models: [simulated:default]
scorers: [length, lint]
""", encoding="utf-8")
    return spec


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


@pytest.mark.heavy  # a CLI run of a small simulated experiment
def test_workbench_run_stores_the_page_analysis_with_the_runs_stamp(cli: CliRunner, tmp_path: Path,
                                                                     db_url: str) -> None:
    result = cli.invoke(app, ["run", str(_spec(tmp_path)), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "Decision per variant" in " ".join(result.stdout.split())  # printed from the stored analysis
    store = Store(db_url)
    with store.session() as session:
        run_id = int(session.scalars(select(Run.id)).one())
    stored = load_stored(store, run_id)
    assert stored is not None and stored.seconds > 0
    assert stored.stamp == current_stamp(store, run_id)  # nothing changed since: current
    fresh = analyse_for_pages(store, run_id)
    pd.testing.assert_frame_equal(stored.analysis.headline_verdicts(), fresh.headline_verdicts())
    pd.testing.assert_frame_equal(stored.analysis.lint_rates, fresh.lint_rates)
    assert stored.analysis.info.run_id == run_id and stored.analysis.warnings == fresh.warnings
    # a resume that finds nothing to do ends the run again: the analysis is replaced, not duplicated
    again = cli.invoke(app, ["run", str(_spec(tmp_path)), "--db", db_url, "--resume"])
    assert again.exit_code == 0, again.output
    with store.session() as session:
        assert len(session.scalars(select(RunAnalysisRecord)).all()) == 1
    assert load_stored(store, run_id).stamp == current_stamp(store, run_id)  # type: ignore[union-attr]
    store.dispose()


@pytest.mark.heavy  # a CLI run of a small simulated experiment
def test_a_failing_post_run_analysis_keeps_the_run_and_its_exit_code(cli: CliRunner, tmp_path: Path, db_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk full\nsecond line")

    monkeypatch.setattr(run_stats, "analyse_and_store", broken)
    result = cli.invoke(app, ["run", str(_spec(tmp_path)), "--db", db_url])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "analysis was not stored" in line]
    assert warnings == ["warning: the run's analysis was not stored (RuntimeError: disk full); the UI computes "
                        "it when opened."]
    assert "Decision per variant" in " ".join(result.stdout.split())  # computed the old way instead
    store = Store(db_url)
    with store.session() as session:
        run = session.scalars(select(Run)).one()
        assert run.status == "completed"
        assert session.scalar(select(RunAnalysisRecord.run_id)) is None
    store.dispose()


@pytest.mark.heavy  # a CLI run of a small simulated experiment
def test_the_stamp_moves_with_ratings_undo_dismissals_and_restores(tmp_path: Path, db_url: str,
                                                                    cli: CliRunner) -> None:
    assert cli.invoke(app, ["run", str(_spec(tmp_path)), "--db", db_url]).exit_code == 0
    store = Store(db_url)
    with store.session() as session:
        run_id = int(session.scalars(select(Run.id)).one())
        first = analysis_stamp(session, run_id)
        pair = review_pairs(session, run_id, "vacancy_en_formal")[0]  # the baseline and the other prompt
        rating_id, _ = add_rating(session, run_id=run_id, case_id=pair.case_id, output_a=pair.output_a,
                                  output_b=pair.output_b, left="a", winner="a", rater="r")
        rated = analysis_stamp(session, run_id)
        assert rated != first and same_outputs(rated, first)  # only a rating changed: same outputs
        assert delete_rating(session, rating_id, run_id=run_id, rater="r")
        undone = analysis_stamp(session, run_id)
        assert undone != rated  # undo is a change too (the analysis had counted that rating)
        flagged = next(o for o in session.scalars(select(Output.id).where(Output.run_id == run_id))
                       if stored_matches(session, o))
        match = stored_matches(session, flagged)[0]
        dismissal = dismiss_flag(session, flagged, match["start"], match["end"], match["rule"], who="me", why="ok")
        session.commit()
        dismissed = analysis_stamp(session, run_id)
        assert dismissed != undone and same_outputs(dismissed, first)
        restore_flag(session, dismissal.id, who="me")
        session.commit()
        restored = analysis_stamp(session, run_id)
        assert restored != dismissed and same_outputs(restored, first)
        # the run resumed with new results: not the same outputs
        assert not same_outputs({**restored, "newest_output": (restored["newest_output"] or 0) + 1}, restored)
    store.dispose()


def test_a_0007_database_upgrades_and_stores_analyses(db_url: str) -> None:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_prompt_versions")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO experiments (id, name, spec_path, spec_hash, spec, created_at) "
                          "VALUES (1, 'old', 'x.yaml', 'h', '{}', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO runs (id, experiment_id, status, total_calls, simulated, batch, settings, "
                          "started_at) VALUES (1, 1, 'completed', 0, false, false, '{}', CURRENT_TIMESTAMP)"))
    engine.dispose()
    store = Store(db_url)  # upgrades to head
    assert load_stored(store, 1) is None  # an old run: nothing stored, the UI computes it as before
    with store.session() as session:
        stamp = analysis_stamp(session, 1)
    assert stamp["status"] == "completed" and stamp["newest_output"] is None
    save_analysis(store, 1, ANALYSIS_VERSION, stamp, '"not an analysis"', 0.5)
    assert load_stored(store, 1) is None  # unreadable or foreign bodies are ignored (recomputed)
    with store.session() as session:
        assert session.get(RunAnalysisRecord, 1).seconds == 0.5  # type: ignore[union-attr]
        session.delete(session.get(Run, 1))
        session.commit()
        assert session.get(RunAnalysisRecord, 1) is None  # deleted with its run
    store.dispose()
