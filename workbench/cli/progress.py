"""Rich progress bar for runs: ETA, cost so far, errors and cache hits."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from workbench import number_format as nf


class RichProgress:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[cost]}"),
            TextColumn("[red]{task.fields[errors]} errors"),
            TextColumn("[dim]{task.fields[cached]} cached"),
            TextColumn("[cyan]{task.fields[pacing]}"),
            console=console,
            transient=False,
        )
        self.task: TaskID | None = None
        self.cost = 0.0
        self.unpriced = False  # a call's price was unknown: the total is a lower bound
        self.errors = 0
        self.cached = 0
        self._notes = 0
        self._pacing = ""

    def start(self, phase: str, total: int, done: int) -> None:
        if self.task is None:
            self.progress.start()
        else:
            self.progress.update(self.task, visible=True)
        self.errors = self.cached = 0
        self.task = self.progress.add_task(
            phase, total=total, completed=done, cost=self._cost_text(), errors=0, cached=0, pacing=self._pacing
        )

    def _cost_text(self) -> str:
        return nf.money(self.cost, unknown=self.unpriced)

    def advance(self, *, ok: bool, cost: float | None, cached: bool) -> None:
        if self.task is None:
            return
        if cost is None:
            self.unpriced = True
        else:
            self.cost += cost
        self.errors += not ok
        self.cached += cached
        self.progress.update(self.task, advance=1, cost=self._cost_text(), errors=self.errors, cached=self.cached)

    def pacing(self, concurrency: int, maximum: int, state: str) -> None:
        """E.g. "concurrency 8/32 · waiting for token budget" (shown once a limiter has something to say)."""
        self._pacing = f"concurrency {concurrency}/{maximum} · {state}"
        if self.task is not None:
            self.progress.update(self.task, pacing=self._pacing)

    def note(self, text: str) -> None:
        # Retries can be numerous under rate limiting: show the first few, then summarise at the end.
        self._notes += 1
        if self._notes <= 3:
            self.progress.console.print(f"[yellow]{text}")
        elif self._notes == 4:
            self.progress.console.print("[yellow]more retries... (counted in the summary)")

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()
