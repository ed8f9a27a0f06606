"""`kill` (SIGTERM) stops a run as cleanly as Ctrl-C: the running task is cancelled, results are flushed,
the run is marked interrupted and can be resumed."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress


@contextmanager
def sigterm_cancels_current_task() -> Iterator[None]:
    """While inside: SIGTERM cancels the current asyncio task (where the loop can take signal handlers)."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    with suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGTERM, task.cancel)  # type: ignore[union-attr]
    try:
        yield
    finally:
        with suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)
