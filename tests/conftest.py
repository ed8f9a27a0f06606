"""Suite-wide fixtures: no test may reach the network; each test gets its own store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_llm_server import fake_llm_server, fake_llm_server_session  # noqa: F401
from tests.support.no_network import no_network  # noqa: F401  (autouse)

ROOT = Path(__file__).resolve().parents[1]

# Rich freezes a console's width when $COLUMNS is set as the console is created: create the CLI's consoles
# now, before any test sets COLUMNS, so that each test's COLUMNS applies whatever ran first (serially or in a
# pytest-xdist worker of `make test-fast`).
os.environ.pop("COLUMNS", None)
import workbench.cli.consoles  # noqa: E402,F401

# `make test-fast` (the inner loop, < 60 s) leaves out what is marked `heavy`: these folders start processes,
# servers or Streamlit sessions per test, and the tests listed below kill and resume runs.
HEAVY_FOLDERS = ("robustness", "ui", "bench", "packaging", "real_model", "calibration")
HEAVY_TESTS = (
    "tests/core/test_resume.py",
    "tests/core/test_github_action.py",
    "tests/runner/test_workers.py",
    "tests/runner/test_batch.py::test_sigkill_while_batches_are_pending_then_resume_submits_nothing_twice",
    # whole demo runs through the CLI (3-18 s each on a loaded 2-core machine)
    "tests/core/test_cli.py::test_run_list_report_export",
    "tests/core/test_cli.py::test_ctrl_c_during_the_decision_summary_only_skips_it",
    "tests/core/test_cli.py::test_rerun_costs_nothing_and_resume_is_a_no_op",
    "tests/core/test_cli.py::test_power_from_effect_and_from_pilot",
    "tests/core/test_dismissals.py::test_dismiss_and_restore_change_the_rates_report_and_export",
    "tests/core/test_report.py::test_ratings_feed_the_preference_section",
    "tests/core/test_report.py::test_the_provisional_dutch_legend_only_appears_with_dutch_metrics",
    "tests/api/test_api.py::test_notebook_example_runs",
    "tests/core/test_run_history.py::test_compare_and_history_agree_with_the_paired_outputs_by_hand",
    "tests/core/test_sequential_run.py::test_cli_summary_and_bad_sequential_blocks",
    "tests/core/test_sequential_run.py::test_planted_effect_stops_early_with_the_pure_tests_answer",
    "tests/runner/test_truncation.py::test_cut_off_outputs_are_left_out_of_text_metrics_with_a_warning",
    "tests/core/test_store.py::test_opening_a_current_store_does_not_import_alembic",
    "tests/core/test_pairwise_judge.py::test_real_differences_survive_the_swap",
    "tests/core/test_pairwise_judge.py::test_position_biased_judge_is_caught_and_neutralised",
    "tests/core/test_judge_agreement.py::test_stored_run_agreement_and_cli",
    # a second Python process or seconds of simulated latency
    "tests/providers/test_fake_llm_server.py::test_latency_distributions",
    "tests/providers/test_fake_llm_server.py::test_subprocess_server_has_the_same_api",
    "tests/scoring/test_registry.py::test_scoring_never_loads_textstat_or_nltk",
    "tests/runner/test_rate_limited_runs.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(item.path).relative_to(ROOT).parts
        if (len(parts) > 1 and parts[1] in HEAVY_FOLDERS) or item.nodeid.startswith(HEAVY_TESTS):
            item.add_marker(pytest.mark.heavy)


@pytest.fixture
def project_root() -> Path:
    return ROOT


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: SQLite in tmp, or a new database on PostgreSQL when
    WORKBENCH_TEST_PG_URL is set (CI runs the suite a second time that way)."""
    pg = os.environ.get("WORKBENCH_TEST_PG_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'workbench.db'}"
        return
    from tests.support.postgres import drop_database, fresh_database

    url = fresh_database(pg)
    yield url
    drop_database(url)


@pytest.fixture
def db_factory(tmp_path: Path) -> Iterator[object]:
    """Makes more fresh databases (same backend as `db_url`), e.g. one per crash-test attempt."""
    pg = os.environ.get("WORKBENCH_TEST_PG_URL")
    made: list[str] = []

    def make(name: str) -> str:
        if not pg:
            return f"sqlite:///{tmp_path / (name + '.db')}"
        from tests.support.postgres import fresh_database

        made.append(fresh_database(pg))
        return made[-1]

    yield make
    if made:
        from tests.support.postgres import drop_database

        for url in made:
            drop_database(url)


@pytest.fixture
def store(db_url: str) -> Iterator[object]:
    from workbench.store.db import Store

    s = Store(db_url)
    yield s
    s.dispose()


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as the working directory (specs use project-relative paths)."""
    monkeypatch.chdir(ROOT)
    return ROOT
