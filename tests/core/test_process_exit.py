"""The `workbench` process (workbench/cli/entry.py): exit codes and output as before, no teardown wait,
and a SQLite database that is complete on its own when the process has ended (WAL folded back)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli.entry import exit_code

ROOT = Path(__file__).resolve().parents[2]


def workbench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "120", **(env or {})})


@pytest.mark.parametrize("fast", ["1", "0"])
def test_exit_codes_and_output_are_those_of_the_cli(tmp_path: Path, fast: str) -> None:
    env = {"WORKBENCH_FAST_EXIT": fast}
    ok = workbench("validate", "experiments/vacancy_tone_nl.yaml", env=env)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nvariants: [\n", encoding="utf-8")
    broken = workbench("validate", str(bad), env=env)
    assert broken.returncode == 2 and "bad.yaml" in broken.stderr + broken.stdout
    assert "Traceback" not in broken.stderr
    usage = workbench("no-such-command", env=env)
    assert usage.returncode == 2 and "No such command" in usage.stderr


def test_exit_code_of_a_system_exit() -> None:
    assert exit_code(SystemExit()) == 0
    assert exit_code(SystemExit(3)) == 3
    assert exit_code(SystemExit("a message")) == 1  # printed to stderr, as the interpreter does


def test_a_finished_run_leaves_a_complete_database_file(tmp_path: Path) -> None:
    db = tmp_path / "wb.db"
    proc = workbench("run", "experiments/vacancy_tone_nl.yaml", "--db", str(db))  # offline, simulated
    assert proc.returncode == 0, proc.stderr[-2000:]
    # The write-ahead log was folded back when the last connection closed at exit: a copy of the
    # .db file alone (what a user mails or backs up) holds every output.
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    with sqlite3.connect(copy) as con:
        outputs = con.execute("select count(*) from outputs where status = 'ok'").fetchone()[0]
    assert outputs > 0


def test_engines_are_disposed_at_exit_only_by_the_process_that_made_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.store import db as store_db

    store = store_db.Store(f"sqlite:///{tmp_path / 'wb.db'}")
    closed: list[object] = []
    monkeypatch.setattr(type(store.engine), "dispose", lambda self, *a, **k: closed.append(self))
    store_db._dispose_engines()
    assert store.engine in closed  # made here: closed at exit
    closed.clear()
    monkeypatch.setitem(store_db._ENGINES, store.engine, os.getpid() + 1)  # as seen from a forked child
    store_db._dispose_engines()
    assert store.engine not in closed


def test_the_quick_exit_still_finishes_threads_and_runs_atexit_handlers(tmp_path: Path) -> None:
    """What the interpreter does before exiting is done before os._exit: a non-daemon thread finishes,
    atexit handlers run, buffered output is flushed; the exit code is the command's."""
    probe = f"""
import atexit, sys, threading, time
from pathlib import Path
import workbench.cli
folder = Path({str(tmp_path)!r})
def command():
    threading.Thread(target=lambda: (time.sleep(0.3), (folder / "thread").write_text("done"))).start()
    atexit.register(lambda: (folder / "atexit").write_text("ran"))
    sys.stdout.write("buffered, no newline")
    raise SystemExit(3)
workbench.cli.main = command
from workbench.cli.entry import main
main()
"""
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "buffered, no newline"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"
