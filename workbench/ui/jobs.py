"""Background runs: the CLI runner in its own process, tracked by a small job file per database.

The job file (pid, spec, log files) lets a reloaded page — a new Streamlit session — still show
progress and cancel the run. Processes started by this server are kept as `Popen` objects so their
exit codes are collected (no zombies); a run started before a server restart is followed by pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench.ui.config import state_dir

JOB_FILE = "job.json"
EXIT_INTERRUPTED = 130
_PROCESSES: dict[int, subprocess.Popen[bytes]] = {}


@dataclass
class RunJob:
    pid: int
    spec: str
    experiment: str
    db_url: str
    stdout: str
    stderr: str
    started: float
    resume: bool
    after_run_id: int  # the experiment's newest run before this start (the run itself when resuming)
    returncode: int | None = None

    @property
    def run_id_hint(self) -> int | None:
        """The run being resumed is known up front; a new run is found once the CLI has created it."""
        return self.after_run_id if self.resume and self.after_run_id else None


def _job_path(url: str) -> Path:
    return state_dir(url) / JOB_FILE


def save_job(job: RunJob) -> None:
    path = _job_path(job.db_url)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(job)), encoding="utf-8")
    os.replace(tmp, path)


def load_job(url: str) -> RunJob | None:
    path = _job_path(url)
    try:
        return RunJob(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def clear_job(url: str) -> None:
    _job_path(url).unlink(missing_ok=True)


def start_run(spec: Path, url: str, experiment: str, after_run_id: int, *, resume: bool = False) -> RunJob:
    """`python -m workbench run SPEC --db URL [--resume]` in a new session (own process group)."""
    folder = state_dir(url)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out, err = folder / f"run-{stamp}.out", folder / f"run-{stamp}.err"
    command = [sys.executable, "-m", "workbench", "run", str(spec), "--db", url]
    if resume:
        command.append("--resume")
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1")
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
    _PROCESSES[proc.pid] = proc
    job = RunJob(pid=proc.pid, spec=str(spec), experiment=experiment, db_url=url, stdout=str(out),
                 stderr=str(err), started=time.time(), resume=resume, after_run_id=after_run_id)
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


def error_line(job: RunJob) -> str | None:
    """The CLI's one-line error ("error: ..." on stderr), if it printed one."""
    try:
        lines = Path(job.stderr).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.strip().lower().startswith("error:"):
            return line.strip()[len("error:"):].strip()
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else None
