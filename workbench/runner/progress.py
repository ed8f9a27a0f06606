"""Progress reporting: the runner calls a sink; the CLI shows a rich bar, the UI polls the store."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def start(self, phase: str, total: int, done: int) -> None: ...

    def advance(self, *, ok: bool, cost: float | None, cached: bool) -> None:
        """One call finished; `cost` None means its price is unknown."""

    def note(self, text: str) -> None: ...

    def pacing(self, concurrency: int, maximum: int, state: str) -> None:
        """The calls allowed in flight now (adaptive), of `maximum`, and what the limiter is doing
        ("sending", "waiting for token budget", ...)."""
        ...

    def stop(self) -> None: ...


class NullProgress:
    def start(self, phase: str, total: int, done: int) -> None:
        pass

    def advance(self, *, ok: bool, cost: float | None, cached: bool) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def pacing(self, concurrency: int, maximum: int, state: str) -> None:
        pass

    def stop(self) -> None:
        pass
