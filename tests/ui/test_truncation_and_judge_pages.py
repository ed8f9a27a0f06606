"""Compare in the UI: cut-off outputs are marked and counted (EN and NL), judge verdicts name their judge,
and a simulated judge gets the SIMULATED banner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.runner.test_truncation import simulated_spec
from workbench.experiment.plan import build_plan
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.models import Output

from .conftest import UIEnv
from .test_pages import frame_with, html, open_page, texts


@pytest.fixture
def cut_run(ui_env: UIEnv, tmp_path: Path) -> int:
    """English job ads on the simulated provider with max_tokens 300: about half are cut off."""
    store = Store(ui_env.db_url)
    run_id = run_experiment(build_plan(simulated_spec(tmp_path)), store).run_id
    store.dispose()
    return run_id


def cut_count(ui_env: UIEnv, run_id: int) -> int:
    store = Store(ui_env.db_url)
    with store.session() as session:
        reasons = list(session.scalars(select(Output.finish_reason).where(Output.run_id == run_id)))
    store.dispose()
    return reasons.count("length")


def test_compare_marks_cut_off_outputs_and_names_the_judge(ui_env: UIEnv, cut_run: int) -> None:
    cut = cut_count(ui_env, cut_run)
    assert cut > 0
    at = open_page("compare", cut_run)
    warnings = texts(at.warning)
    assert f"{cut} of 16 outputs (vacancy_en_formal {cut}) were cut off at max_tokens — raise max_tokens" in warnings
    assert "SIMULATED judge" in warnings  # the judge's banner, beside the outputs' SIMULATED banner
    verdicts = frame_with(at, "Verdict")
    judge_rows = [m for m in verdicts["Measure"] if "(SIMULATED)" in m]
    assert judge_rows, set(verdicts["Measure"])
    assert "judged by simulated:judge (SIMULATED)" in texts(at.caption)
    # Page through the cases until a cut-off card shows up: its meta line says so.
    for _ in range(6):
        if "cut off at max_tokens" in html(at):
            break
        next(b for b in at.button if b.label == "Next").click().run()
    assert "✂ cut off at max_tokens" in html(at)


def test_compare_says_it_in_dutch(ui_env: UIEnv, cut_run: int) -> None:
    cut = cut_count(ui_env, cut_run)
    at = open_page("compare", cut_run, lang="nl")
    warnings = texts(at.warning)
    assert f"{cut} van de 16 uitkomsten (vacancy_en_formal {cut}) zijn afgekapt bij max_tokens" in warnings
    assert "SIMULATED beoordelaar-model" in warnings
    assert "beoordeeld door simulated:judge" in texts(at.caption)
