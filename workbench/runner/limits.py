"""Per-provider concurrency and request-rate limits."""

from __future__ import annotations

import asyncio
import time


class RateLimiter:
    """Token bucket: at most `rpm` requests per minute, with a burst of up to one second's worth."""

    def __init__(self, rpm: float) -> None:
        self.rate = rpm / 60.0
        self.capacity = max(1.0, self.rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1.0:
                    self.tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self.tokens) / self.rate)


class Limits:
    """A semaphore (and optional rate limiter) per provider connection."""

    def __init__(self) -> None:
        self._semaphores: dict[object, asyncio.Semaphore] = {}
        self._rates: dict[object, RateLimiter] = {}

    def configure(self, key: object, concurrency: int, rpm: float | None) -> None:
        self._semaphores.setdefault(key, asyncio.Semaphore(concurrency))
        if rpm:
            self._rates.setdefault(key, RateLimiter(rpm))

    def semaphore(self, key: object) -> asyncio.Semaphore:
        return self._semaphores[key]

    async def wait_for_rate(self, key: object) -> None:
        limiter = self._rates.get(key)
        if limiter is not None:
            await limiter.acquire()
