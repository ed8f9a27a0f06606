"""A clock for pacing tests: `sleep` moves time on at once, so nothing waits and nothing is timing-sensitive."""

from __future__ import annotations


class FakeClock:
    """Call it for the time; `await clock.sleep(s)` advances it by `s`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
