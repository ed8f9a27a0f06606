"""Task groups that never leave work running behind them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


async def gather_or_cancel(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Await all tasks; if one fails or we are cancelled, cancel the rest and wait until they have stopped.

    Plain `gather` leaves the siblings of a failed task running, still holding connections and
    writing results for a run that is being torn down.
    """
    pending = list(tasks)
    try:
        await asyncio.gather(*pending)
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
