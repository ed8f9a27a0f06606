"""Rate limiting and per-provider concurrency, checked on a virtual clock (no real waiting)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from workbench.runner import limits as limits_module
from workbench.runner.limits import Limits, RateLimiter

_real_sleep = asyncio.sleep


class VirtualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await _real_sleep(0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    virtual = VirtualClock()
    monkeypatch.setattr(limits_module.time, "monotonic", virtual.monotonic)
    monkeypatch.setattr(limits_module.asyncio, "sleep", virtual.sleep)
    return virtual


def test_rpm_limit_spaces_requests(clock: VirtualClock) -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(rpm=120)  # 2 per second, burst of 2
        stamps = []
        for _ in range(10):
            await limiter.acquire()
            stamps.append(clock.now)
        return stamps

    stamps = asyncio.run(main())
    start = stamps[0]
    assert stamps[1] == start  # the burst
    # After the burst: exactly one request per 0.5 s of (virtual) time.
    assert [round(b - a, 6) for a, b in itertools.pairwise(stamps[1:])] == [0.5] * 8
    assert stamps[-1] - start == pytest.approx(4.0)


def test_concurrency_limit_per_connection() -> None:
    async def main() -> tuple[int, int]:
        limits = Limits()
        limits.configure("openai", concurrency=3, rpm=None)
        limits.configure("local", concurrency=1, rpm=None)
        peaks = {"openai": 0, "local": 0}
        active = {"openai": 0, "local": 0}

        async def call(key: str) -> None:
            async with limits.semaphore(key):
                await limits.wait_for_rate(key)
                active[key] += 1
                peaks[key] = max(peaks[key], active[key])
                await asyncio.sleep(0.001)
                active[key] -= 1

        await asyncio.gather(*(call("openai") for _ in range(20)), *(call("local") for _ in range(5)))
        return peaks["openai"], peaks["local"]

    assert asyncio.run(main()) == (3, 1)
