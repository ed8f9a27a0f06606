"""workbench.api: the public surface for notebooks, and the notebook-style example that uses it."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workbench.api as api
from workbench.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]


def test_public_surface_is_small_and_documented() -> None:
    assert sorted(api.__all__) == ["analyse", "audit", "load_spec", "open_store", "outputs", "run"]
    for name in api.__all__:
        doc = getattr(api, name).__doc__ or ""
        assert ">>>" in doc, f"{name} needs an example in its docstring"
    failures, _ = doctest.testmod(api, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_run_outputs_analyse_audit(db_url: str, in_project: Path) -> None:
    store = api.open_store(db_url)
    spec = api.load_spec("experiments/screening_name_swap_nl.yaml")
    run_id = api.run("experiments/screening_name_swap_nl.yaml", store=store)
    frame = api.outputs(run_id, store=store)
    assert isinstance(frame, pd.DataFrame)
    assert {"variant", "case", "model", "repeat", "text", "score.screening.score"} <= set(frame.columns)
    assert frame["simulated"].all()
    result = api.analyse("latest", store=store)
    assert result.info.run_id == run_id and result.info.experiment == spec.name
    assert result.analysis is not None and not result.analysis.to_frame().empty
    audit = api.audit(run_id, store=store)
    assert audit is not None and not audit.to_frame().empty
    # the same numbers as the CLI's report
    from workbench.analysis.run_results import analyse_run

    same = analyse_run(store, run_id)
    assert same.analysis is not None
    pd.testing.assert_frame_equal(result.analysis.to_frame(), same.analysis.to_frame())
    store.dispose()


def test_bad_spec_raises_a_spec_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nvariants: []\n")
    with pytest.raises(SpecError, match=r"bad\.yaml"):
        api.load_spec(bad)


def test_notebook_example_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DB_URL"}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "notebook_api.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "judge.clarity" in done.stdout and "primary" in done.stdout and "score.readability" in done.stdout
    assert (tmp_path / "notebook-demo.db").exists()
