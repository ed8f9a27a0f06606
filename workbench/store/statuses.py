"""What the `status` columns hold: runs, outputs and provider batches (values exactly as stored).

Plain `StrEnum`s, so a member compares and serialises as its stored string and old databases need no
migration. This module imports nothing heavy: the runner, CLI and UI use it without SQLAlchemy.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """What a run's `status` column holds. `stale` is never stored: it is how a `running` run whose
    process stopped sending heartbeats (killed, machine gone) is shown (see workbench.store.runlock)."""

    RUNNING = "running"
    COMPLETED = "completed"  # every planned call has a stored result
    INCOMPLETE = "incomplete"  # finished, but some calls failed after their retries (resume retries them)
    FAILED = "failed"  # stopped by an error (database, disk, every call failed): see the command's output
    INTERRUPTED = "interrupted"  # Ctrl-C / SIGTERM / cancelled in the UI: resumable
    STALE = "stale"


class OutputStatus(StrEnum):
    """One call's result (`outputs.status`): a text, or the error after the call's retries."""

    OK = "ok"
    ERROR = "error"


class BatchStatus(StrEnum):
    """The statuses the workbench itself gives a `batch_jobs` row. While a batch is followed, the row
    holds the provider's own word for it (in_progress, completed, ended, expired, ...) as polled."""

    SUBMITTED = "submitted"  # created at the provider, not polled yet
    NOT_NEEDED = "not_needed"  # closed on resume: every cell it was for is stored already
    NOT_FOUND = "not_found"  # closed: the provider no longer knows it (--resume submits its cells again)
