"""Exports and reports are streamed in chunks and appear under their name only when complete (issue #13
row 12): a failed or killed export leaves no file that looks finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench import export as export_module
from workbench.errors import WorkbenchError
from workbench.experiment.plan import build_plan
from workbench.export import export_run
from workbench.runner.run import run_experiment
from workbench.store.db import Store

from .store_faults_support import ROOT, wait_for


@pytest.fixture
def run_store(tmp_path: Path, store: Store) -> tuple[Store, int]:
    spec = tmp_path / "export.yaml"
    spec.write_text(f"""name: export
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
max_cases: 8
models: [simulated:default]
repeats: 2
scorers: [length, readability, gender_coded, age_coded]
""")
    result = run_experiment(build_plan(spec), store)
    return store, result.run_id


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_chunked_export_equals_the_whole_table(run_store: tuple[Store, int], tmp_path: Path, fmt: str) -> None:
    store, run_id = run_store
    small = export_run(store, run_id, fmt, tmp_path / f"small.{fmt}", chunk=5)  # 32 outputs: 7 chunks
    whole = export_run(store, run_id, fmt, tmp_path / f"whole.{fmt}", chunk=10_000)
    read = {"csv": pd.read_csv, "parquet": pd.read_parquet,
            "jsonl": lambda p: pd.DataFrame([json.loads(line) for line in Path(p).read_text().splitlines()])}[fmt]
    a, b = read(small), read(whole)
    assert len(a) == 32 and list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b)
    assert {"score.words", "flags", "provenance"} <= set(a.columns)
    assert (a["provenance"] == "SIMULATED").all()
    assert not list(tmp_path.glob(".*.partial"))


def test_failed_export_leaves_no_file_and_keeps_the_old_one(run_store: tuple[Store, int], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    store, run_id = run_store
    target = tmp_path / "run.csv"
    target.write_text("the previous export\n")
    real = export_module._chunk_table
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> pd.DataFrame:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_module, "_chunk_table", failing)
    # force: the stand-in "previous export" is not one the workbench wrote; the disk-full OSError becomes
    # the one-line error of workbench.output_files.writing.
    with pytest.raises(WorkbenchError, match="No space left on device"):
        export_run(store, run_id, "csv", target, chunk=5, force=True)
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_run_without_outputs_is_an_error_before_any_file(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(WorkbenchError, match="has no outputs yet"):
        export_run(store, 999, "csv", folder / "none.csv")
    assert list(folder.iterdir()) == []


KILLED_EXPORT = """
import os, sys, time
from pathlib import Path
import workbench.export as export
partial = Path(sys.argv[3]).with_name(f".{Path(sys.argv[3]).name}.{os.getpid()}.partial")
real = export._chunk_table
def waiting(*args, **kwargs):
    # once written bytes have reached the disk, wait here for the kill (mid-file, however slow the machine)
    while partial.exists() and partial.stat().st_size > 0:
        time.sleep(0.01)
    return real(*args, **kwargs)
export._chunk_table = waiting
def never_renamed(*args, **kwargs):  # if everything reached the disk only at the end: wait before the rename
    while True:
        time.sleep(0.01)
from workbench.store.db import Store
store = Store(sys.argv[1])
os.replace = never_renamed
export.export_run(store, int(sys.argv[2]), "csv", Path(sys.argv[3]), chunk=4)
"""


def test_sigkill_during_export_leaves_no_file_under_the_final_name(run_store: tuple[Store, int],
                                                                  tmp_path: Path, db_url: str) -> None:
    _, run_id = run_store
    target = tmp_path / "killed.csv"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT, db_url, str(run_id), str(target)], cwd=ROOT,
                            env=dict(os.environ))
    partial = tmp_path / f".killed.csv.{proc.pid}.partial"
    # the child cannot finish (it waits for the kill), so this only waits for it to start writing
    wait_for(lambda: partial.exists() and partial.stat().st_size > 0, "the export to start writing", timeout=600)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=600)  # SIGKILL cannot be ignored: this bounds the exit only
    assert not target.exists()  # only the clearly-named partial file remains, never a truncated killed.csv
