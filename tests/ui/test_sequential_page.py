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


def test_run_page_starts_a_sequential_run_that_stops_early(ui_env: UIEnv) -> None:
    """A spec with `sequential:` offers "stop early" on the Run page (on by default): the runner is started with
    --until-decided and stops before drawing every case, its looks stored."""
    from sqlalchemy import func, select

    from workbench.store.models import Output, Run, SequentialLook

    from .test_pages import wait_for

    spec = write_spec(ui_env.experiments, shift=0.6)
    at = open_page("run")
    at.radio(key="run_mode").set_value("file").run()
    at.selectbox(key="run_spec_file").set_value(spec).run()
    assert at.toggle(key="run_until_decided").value is True
    assert "Stop early once every candidate is decided (up to 100 cases, a look every 10)" in at.toggle(
        key="run_until_decided").label
    at.button(key="run_start").click().run()
    wait_for(at, lambda a: "completed" in texts(a.success))
    store = Store(ui_env.db_url)
    with store.session() as session:
        run_id = session.scalar(select(func.max(Run.id)))
        looks = session.scalar(select(func.count()).select_from(SequentialLook).where(SequentialLook.run_id == run_id))
        outputs = session.scalar(select(func.count()).select_from(Output).where(Output.run_id == run_id))
    store.dispose()
    assert looks and looks >= 1
    assert outputs is not None and outputs < 2 * 100, "stopped before every case was drawn"
    dutch = open_page("run", lang="nl")
    dutch.radio(key="run_mode").set_value("file").run()
    dutch.selectbox(key="run_spec_file").set_value(spec).run()
    assert "Vroeg stoppen zodra elke kandidaat beslist is" in dutch.toggle(key="run_until_decided").label
