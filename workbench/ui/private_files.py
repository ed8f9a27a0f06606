"""The UI's state folder and files: private to the user running the server, or not used at all.

The folder (pid and log files of background runs, analysis results) lives in the user's own state
directory, mode 0700. A folder owned by someone else is refused; files in it are written atomically
with mode 0600 and read only when this user owns them and nobody else can write them. Nothing in it is
ever unpickled or executed (results are JSON, see workbench.ui.codec), and no path is read from it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from workbench.errors import WorkbenchError

STATE_ENV = "WORKBENCH_UI_STATE_DIR"


class UnsafeStateError(WorkbenchError):
    """The UI state folder or a file in it could be written by another user."""


def default_root() -> Path:
    """$XDG_STATE_HOME/workbench-ui, else ~/.local/state/workbench-ui (never a shared temp folder)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "workbench-ui"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (mode 0700) or check an existing one: a real directory, ours, closed to others."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeStateError("UI state folder is not a directory (a symlink?); refusing to use it", file=path)
    if info.st_uid != os.getuid():
        raise UnsafeStateError(
            f"UI state folder belongs to another user (uid {info.st_uid}); refusing to use it — "
            f"set {STATE_ENV} to a folder of your own",
            file=path,
        )
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)  # ours, but open to others: close it (files in it are checked on read)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write atomically (temp file + rename) with mode 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def open_private_for_writing(path: Path) -> int:
    """A new file (mode 0600) for a child process's output; never follows a planted symlink."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)


def read_private(path: Path) -> bytes:
    """The file's bytes, if this user owns it and no one else can write it (else UnsafeStateError)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.getuid() or info.st_mode & 0o022 or not stat.S_ISREG(info.st_mode):
            raise UnsafeStateError("UI state file was not written by this user; ignoring it", file=path)
        return handle.read()
