"""Compare in the UI explains why a sequential run (`--until-decided`) stopped, in English and Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_sequential_run import write_spec
from workbench.experiment.plan import build_plan
from workbench.runner.sequential import run_until_decided
from workbench.store.db import Store

from .conftest import UIEnv
from .test_pages import open_page, texts


@pytest.fixture
def sequential_run(ui_env: UIEnv, tmp_path: Path) -> int:
    store = Store(ui_env.db_url)
    result, runner = run_until_decided(build_plan(write_spec(tmp_path, shift=0.6)), store)
    store.dispose()
    assert runner.end is not None
    return result.run_id


def test_compare_explains_the_stop_in_both_languages(ui_env: UIEnv, sequential_run: int) -> None:
    english = texts(open_page("compare", sequential_run).warning)
    assert "stopped after" in english and "of 100 cases: screening_nl_blind_criteria is higher" in english
    assert "anytime-valid 95% confidence sequences" in english
    dutch = texts(open_page("compare", sequential_run, lang="nl").warning)
    assert "gestopt na" in dutch and "van 100 cases: screening_nl_blind_criteria is hoger op screening.score" in dutch
    assert "altijd geldige 95%-betrouwbaarheidsreeksen" in dutch and "95%-BR" in dutch
