"""UI fixtures: a store with both simulated demo runs (built once), and per-test copies of everything the
UI may write — database, prompt library, experiments — so no test touches the repository's own files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.experiment.plan import build_plan
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.models import Experiment, Run

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"


@dataclass
class UIEnv:
    root: Path
    db_file: Path
    prompts: Path
    experiments: Path
    runs: dict[str, int]  # experiment name -> run id

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_file}"

    def store(self) -> Store:
        return Store(self.db_url)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Both demos run in-process on the simulated provider (offline, deterministic)."""
    folder = tmp_path_factory.mktemp("ui-demo")
    db_file = folder / "demo.db"
    store = Store(f"sqlite:///{db_file}")
    for spec in ("vacancy_tone_nl.yaml", "screening_name_swap_nl.yaml"):
        run_experiment(build_plan(ROOT / "experiments" / spec), store)
    with store.session() as session:
        runs = {name: run_id for run_id, name in session.execute(select(Run.id, Experiment.name).join(Experiment))}
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return db_file, runs


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture
def ui_env(tmp_path: Path, demo_db: tuple[Path, dict[str, int]], monkeypatch: pytest.MonkeyPatch) -> Iterator[UIEnv]:
    """Environment for one AppTest: its own database copy, prompt library and experiments folder."""
    db_src, runs = demo_db
    db_file = tmp_path / "workbench.db"
    shutil.copyfile(db_src, db_file)
    env = UIEnv(tmp_path, db_file, copy_tree(ROOT / "prompts", tmp_path / "prompts"),
                copy_tree(ROOT / "experiments", tmp_path / "experiments"), runs)
    monkeypatch.setenv("WORKBENCH_DB_URL", env.db_url)
    monkeypatch.setenv("WORKBENCH_PROMPTS_DIR", str(env.prompts))
    monkeypatch.setenv("WORKBENCH_EXPERIMENTS_DIR", str(env.experiments))
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WORKBENCH_UI_LANG", "en")
    yield env
