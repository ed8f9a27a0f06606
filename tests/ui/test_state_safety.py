"""The UI's state folder cannot be used against the user running the server (issue #13, rows 2 and 4):
private (0700, ownership checked), JSON instead of pickle, no paths or credentials taken from its files,
database URLs passed to child processes through the environment, never on their command line."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from workbench.ui import codec, config, jobs
from workbench.ui.private_files import UnsafeStateError, ensure_private_dir, read_private, write_private

NOBODY = 65534
as_root = pytest.mark.skipif(os.getuid() != 0, reason="planting files as another user needs root")
PG_URL = "postgresql://team:S3cretPW@127.0.0.1:1/wb"


def test_state_folder_is_private_and_per_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_UI_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = config.state_dir("sqlite:///x.db")
    assert folder.parent == tmp_path / "state" / "workbench-ui"
    for path in (folder, folder.parent):
        info = path.stat()
        assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.getuid()
    assert "/tmp/workbench-ui" not in str(folder)


def test_a_loose_folder_of_ours_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    ensure_private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@as_root
def test_a_folder_owned_by_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "shared"
    root.mkdir()
    os.chown(root, NOBODY, NOBODY)
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(root))
    with pytest.raises(UnsafeStateError) as info:
        config.state_dir("sqlite:///x.db")
    assert "belongs to another user" in str(info.value) and str(root) in str(info.value)


@as_root
def test_files_planted_by_another_user_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path / "state"))
    url = "sqlite:///x.db"
    folder = config.state_dir(url)
    planted = folder / jobs.JOB_FILE
    planted.write_text(json.dumps({"pid": 1, "spec": "s", "experiment": "e", "db": "d", "log": "run-20261201-000000",
                                   "started": 0.0, "resume": False, "after_run_id": 0, "returncode": 0,
                                   "started_by": ""}))
    os.chown(planted, NOBODY, NOBODY)
    with pytest.raises(UnsafeStateError):
        read_private(planted)
    assert jobs.load_job(url) is None


def test_job_file_cannot_point_the_ui_at_other_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path / "state"))
    url = "sqlite:///x.db"
    folder = config.state_dir(url)
    job = {"pid": 1, "spec": "s", "experiment": "e", "db": "d", "log": "../../../etc/passwd", "started": 0.0,
           "resume": False, "after_run_id": 0, "returncode": 0, "started_by": ""}
    write_private(folder / jobs.JOB_FILE, json.dumps(job).encode())
    assert jobs.load_job(url) is None  # a log name that is a path is refused
    old_style = job | {"log": "run-20261201-000000", "stdout": "/etc/passwd", "stderr": "/etc/shadow"}
    write_private(folder / jobs.JOB_FILE, json.dumps(old_style).encode())
    assert jobs.load_job(url) is None  # paths are never read from the file
    write_private(folder / jobs.JOB_FILE, json.dumps(job | {"log": "run-20261201-000000"}).encode())
    loaded = jobs.load_job(url)
    assert loaded is not None and Path(loaded.stdout).parent == folder and Path(loaded.stderr).parent == folder


def test_runner_gets_the_url_through_its_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path / "state"))
    spec = tmp_path / "spec.yaml"
    root = Path(__file__).resolve().parents[2]
    spec.write_text(f"name: x\nvariants: [{root}/prompts/vacancy_en_formal.yaml]\n"
                    f"dataset: {root}/experiments/data/vacancies_en.csv\nmodels: [simulated:default]\n")
    job = jobs.start_run(spec, PG_URL, "x", 0, started_by="alice@example.com")
    try:
        cmdline = Path(f"/proc/{job.pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{job.pid}/environ").read_bytes()
    except FileNotFoundError:  # exited already: the command line is in the Popen object
        cmdline = " ".join(jobs._PROCESSES[job.pid].args).encode()  # type: ignore[arg-type]
        environ = b""
    deadline = time.monotonic() + 600  # a wait on the exit; the bound only stops a hang
    while jobs.poll(job) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert b"S3cretPW" not in cmdline and b"--db" not in cmdline
    if environ:
        assert f"WORKBENCH_DB_URL={PG_URL}".encode() in environ
        assert b"WORKBENCH_STARTED_BY=alice@example.com" in environ
    folder = config.state_dir(PG_URL)
    for path in folder.iterdir():
        assert b"S3cretPW" not in path.read_bytes(), path.name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    loaded = jobs.load_job(PG_URL)
    assert loaded is not None and loaded.db == "postgresql://team:***@127.0.0.1:1/wb"
    # The runner used the URL it was given (and its error names that database, password masked).
    error = jobs.error_line(loaded) or ""
    assert "team:***@127.0.0.1:1/wb" in error and "S3cretPW" not in error, error


def test_analysis_results_are_json_and_rebuild_only_our_own_types(tmp_path: Path) -> None:
    from dataclasses import dataclass

    import pandas as pd

    from workbench.analysis.run_results import RunInfo

    frame = pd.DataFrame({"metric": ["a", "b"], "value": [0.1, float("nan")], "n": [1, 2]})
    data = codec.dumps({"frame": frame, "tuple": (1, 2.5, "x"), "inf": float("inf")})
    back = codec.loads(data)
    pd.testing.assert_frame_equal(back["frame"], frame)
    assert back["tuple"] == (1, 2.5, "x") and back["inf"] == float("inf")
    assert RunInfo.__module__.startswith("workbench.")
    evil = json.dumps({"__dc__": "os:system", "v": {}}).encode()
    with pytest.raises(codec.CodecError):
        codec.loads(evil)
    evil_model = json.dumps({"__model__": "subprocess:Popen", "v": {"args": ["id"]}}).encode()
    with pytest.raises(codec.CodecError):
        codec.loads(evil_model)

    @dataclass
    class Local:  # a test type outside workbench: not rebuilt either
        x: int = 1

    with pytest.raises(codec.CodecError):
        codec.loads(codec.dumps(Local()))


def test_the_ui_never_unpickles() -> None:
    root = Path(__file__).resolve().parents[2] / "workbench" / "ui"
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import pickle" not in source and "pickle.load" not in source, path
