"""Retries with exponential backoff and full jitter that honour the server's Retry-After."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from workbench.providers.base import Completion, ProviderError, RetryableError


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 60.0
    # Protects against a provider that answers Retry-After: 86400.
    max_retry_after: float = 300.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        backoff = rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        if retry_after is not None:
            # Small jitter on top so that many workers told "retry after 2 s" do not return at once.
            return min(self.max_retry_after, retry_after) + rng.uniform(0, self.base_delay)
        return backoff


class GaveUp(Exception):
    """The call failed for good: a permanent error, or retries ran out."""

    def __init__(self, error: ProviderError | Exception, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


async def call_with_retries(
    call: Callable[[], Awaitable[Completion]],
    policy: RetryPolicy,
    rng: random.Random,
    on_retry: Callable[[ProviderError, float], None] | None = None,
) -> tuple[Completion, int]:
    """Run `call` until it succeeds; returns (completion, attempts) or raises GaveUp."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call(), attempt
        except RetryableError as exc:
            if attempt >= policy.max_attempts:
                raise GaveUp(exc, attempt) from exc
            wait = policy.delay(attempt, exc.retry_after, rng)
            if on_retry is not None:
                on_retry(exc, wait)
            await asyncio.sleep(wait)
        except ProviderError as exc:
            raise GaveUp(exc, attempt) from exc
