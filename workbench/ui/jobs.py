"""Background runs: the CLI runner in its own process, tracked by a small job file per database.

The job file (pid, spec, log files) lets a reloaded page — a new Streamlit session — still show
progress and cancel the run. Processes started by this server are kept as `Popen` objects so their
exit codes are collected (no zombies); a run started before a server restart is followed by pid.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.store.db import describe
from workbench.ui.config import state_dir
from workbench.ui.private_files import UnsafeStateError, open_private_for_writing, read_private, write_private

JOB_FILE = "job.json"
EXIT_INTERRUPTED = 130
LOG_NAME = re.compile(r"^run-\d{8}-\d{6}(-\d+)?$")
STARTED_BY_ENV = "WORKBENCH_STARTED_BY"  # read by the runner (workbench.runner.started_by.current_user)
_PROCESSES: dict[int, subprocess.Popen[bytes]] = {}


@dataclass
class RunJob:
    pid: int
    spec: str
    experiment: str
    db: str  # the database, password masked (the job file never holds a credential)
    log: str  # the log files' name in the state folder: <log>.out / <log>.err (never a path)
    started: float
    resume: bool
    after_run_id: int  # the experiment's newest run before this start (the run itself when resuming)
    returncode: int | None = None
    started_by: str = ""
    folder: Path = field(default=Path("."), compare=False, repr=False)  # state folder; not stored

    @property
    def stdout(self) -> str:
        return str(self.folder / f"{self.log}.out")

    @property
    def stderr(self) -> str:
        return str(self.folder / f"{self.log}.err")

    @property
    def run_id_hint(self) -> int | None:
        """The run being resumed is known up front; a new run is found once the CLI has created it."""
        return self.after_run_id if self.resume and self.after_run_id else None


_STORED: dict[str, Any] = {"pid": int, "spec": str, "experiment": str, "db": str, "log": str, "started": (int, float),
           "resume": bool, "after_run_id": int, "returncode": (int, type(None)), "started_by": str}


def _job_path(url: str) -> Path:
    return state_dir(url) / JOB_FILE


def save_job(job: RunJob) -> None:
    stored = {name: getattr(job, name) for name in _STORED}
    write_private(job.folder / JOB_FILE, json.dumps(stored).encode("utf-8"))


def load_job(url: str) -> RunJob | None:
    """The job file of this database's state folder, if it is ours (0600, owned by us) and well-formed."""
    path = _job_path(url)
    try:
        data: Any = json.loads(read_private(path))
    except (OSError, ValueError, UnsafeStateError):
        return None
    if not isinstance(data, dict) or set(data) != set(_STORED):
        return None
    if not all(isinstance(data[k], kind) for k, kind in _STORED.items()) or not LOG_NAME.match(data["log"]):
        return None
    if data["pid"] <= 0:
        return None
    return RunJob(**data, folder=path.parent)


def clear_job(url: str) -> None:
    _job_path(url).unlink(missing_ok=True)


def start_run(spec: Path, url: str, experiment: str, after_run_id: int, *, resume: bool = False,
              started_by: str = "", until_decided: bool = False) -> RunJob:
    """`python -m workbench run SPEC [--resume | --until-decided]` in a new session (own process group).
    A resumed sequential run continues as one without the flag (the runner reads its stored design).

    The database URL reaches the runner through its environment (WORKBENCH_DB_URL), never its command
    line: `ps` would show a PostgreSQL password to every user of the machine. `started_by` (the UI's
    logged-in user) is recorded on the run.
    """
    folder = state_dir(url)
    log = time.strftime("run-%Y%m%d-%H%M%S")
    if (folder / f"{log}.out").exists():
        log += f"-{os.getpid()}{int(time.time() * 1000) % 1000}"
    command = [sys.executable, "-m", "workbench", "run", str(spec)]
    if resume:
        command.append("--resume")
    elif until_decided:
        command.append("--until-decided")
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1", WORKBENCH_DB_URL=url)
    if started_by:
        env[STARTED_BY_ENV] = started_by
    else:
        env.pop(STARTED_BY_ENV, None)
    with open(open_private_for_writing(folder / f"{log}.out"), "wb") as stdout, \
            open(open_private_for_writing(folder / f"{log}.err"), "wb") as stderr:
        proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
    _PROCESSES[proc.pid] = proc
    job = RunJob(pid=proc.pid, spec=str(spec), experiment=experiment, db=describe(url), log=log,
                 started=time.time(), resume=resume, after_run_id=after_run_id, started_by=started_by,
                 folder=folder)
    save_job(job)
    return job


def _is_runner(pid: int) -> bool:
    """Alive and still our runner (a recycled pid belongs to some other program)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return b"workbench" in cmdline.read_bytes()
        except OSError:
            return False
    return True


def poll(job: RunJob) -> int | None:
    """None while the run is going; its exit code after (-1 when it was not this server's child)."""
    if job.returncode is not None:
        return job.returncode
    proc = _PROCESSES.get(job.pid)
    # Our own child reports its exit code; a run from before a server restart is followed by its pid.
    code = proc.poll() if proc is not None else (None if _is_runner(job.pid) else -1)
    if code is not None:
        job.returncode = code
        _PROCESSES.pop(job.pid, None)
        save_job(job)
    return code


def cancel(job: RunJob) -> bool:
    """Ctrl-C for the runner: it stores what it has, marks the run interrupted and exits 130."""
    if poll(job) is not None:
        return False
    try:
        os.kill(job.pid, signal.SIGINT)
    except ProcessLookupError:
        return False
    return True


def read_log(path: str) -> str:
    """A log file of a run this server started ('' when missing or not ours)."""
    try:
        return read_private(Path(path)).decode("utf-8", errors="replace")
    except (OSError, UnsafeStateError):
        return ""


def error_line(job: RunJob) -> str | None:
    """The CLI's one-line error ("error: ..." on stderr), if it printed one."""
    lines = read_log(job.stderr).splitlines()
    for line in reversed(lines):
        if line.strip().lower().startswith("error:"):
            return line.strip()[len("error:"):].strip()
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else None
