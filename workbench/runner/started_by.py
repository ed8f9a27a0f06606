"""Who starts a run: stored with the run (`runs.started_by`) and shown in `workbench list` and the UI."""

from __future__ import annotations

import getpass
import os

STARTED_BY_ENV = "WORKBENCH_STARTED_BY"  # set by the UI for the runs its users start


def current_user() -> str:
    """Who starts a run from this process: the UI's logged-in user, else the local OS account."""
    given = os.environ.get(STARTED_BY_ENV, "").strip()
    if given:
        return given[:200]
    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"local:uid{os.getuid()}"
