"""Async fan-out of provider calls: bounded workers, per-provider limits, retries, cache."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from workbench.providers import registry
from workbench.providers.base import Completion, CompletionRequest, Provider, ProviderError
from workbench.runner.limits import Limits
from workbench.runner.retry import GaveUp, RetryPolicy, call_with_retries
from workbench.runner.tasks import gather_or_cancel
from workbench.scoring.base import Score


@dataclass(frozen=True)
class Job:
    request: CompletionRequest
    connection: object  # key into providers/limits
    payload: Any  # returned untouched in the Outcome
    cache_key: str
    max_attempts: int | None = None  # the model's `max_attempts` from the spec; None = the run's policy


@dataclass
class Outcome:
    job: Job
    completion: Completion | None
    error: str | None
    attempts: int
    cached: bool
    retryable: bool = False  # a failure that a later resume may fix
    scores: list[Score] | None = None  # the text's scores when a worker process already computed them


class Executor:
    def __init__(
        self,
        providers: dict[object, Provider],
        limits: Limits,
        policy: RetryPolicy,
        concurrency: int,
        cache: dict[str, Completion] | None = None,
        seed: int = 0,
        on_retry: Callable[[ProviderError, float], None] | None = None,
    ) -> None:
        self.providers = providers
        self.limits = limits
        self.policy = policy
        self.concurrency = concurrency
        self.cache = cache or {}
        self.rng = random.Random(seed)
        self.on_retry = on_retry
        self.inflight = 0  # provider calls sent and not yet answered (lost, but paid, if the process dies)

    async def run(self, jobs: Iterable[Job], on_outcome: Callable[[Outcome], None], total: int) -> None:
        iterator = iter(jobs)
        workers = [
            asyncio.create_task(self._worker(iterator, on_outcome))
            for _ in range(min(self.concurrency, total))
        ]
        await gather_or_cancel(workers)

    async def _worker(self, jobs: Iterator[Job], on_outcome: Callable[[Outcome], None]) -> None:
        for job in jobs:
            on_outcome(await self.execute(job))

    async def execute(self, job: Job) -> Outcome:
        """One job to its outcome: cache hit, or the call with limits and retries; never raises for a failure."""
        hit = self.cache.get(job.cache_key)
        if hit is not None:
            return Outcome(job, hit, None, 0, cached=True)
        provider = self.providers[job.connection]
        semaphore = self.limits.semaphore(job.connection)
        # An offline provider answers in-process: no rate limits to keep.
        offline = registry.get(job.request.provider).offline
        pacer = None if offline else self.limits.pacer(job.connection, job.request.model)

        async def call() -> Completion:
            started = time.perf_counter()
            # A cancelled call (Ctrl-C, kill) stays counted: it was sent, probably billed, never stored.
            self.inflight += 1
            try:
                completion = await provider.complete(job.request)
            except Exception:
                self.inflight -= 1
                raise
            self.inflight -= 1
            if not completion.latency_s:
                completion.latency_s = time.perf_counter() - started
            return completion

        async def attempt() -> Completion:
            if pacer is None:
                async with semaphore:
                    return await call()
            await pacer.enter()  # the model's adaptive window, before the connection's shared slots
            try:
                async with semaphore:
                    ticket = await pacer.reserve(job.request)
                    try:
                        completion = await call()
                    except Exception as exc:
                        pacer.settle(ticket, error=exc)
                        raise
                    pacer.settle(ticket, completion)
                    return completion
            finally:
                pacer.leave()

        policy = self.policy if job.max_attempts is None else replace(self.policy, max_attempts=job.max_attempts)
        try:
            completion, attempts = await call_with_retries(attempt, policy, self.rng, self.on_retry)
        except GaveUp as exc:
            retryable = isinstance(exc.error, ProviderError) and exc.error.retryable
            return Outcome(job, None, _describe(exc.error), exc.attempts, cached=False, retryable=retryable)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an SDK surprise: record it against the cell, keep the run going
            return Outcome(job, None, f"{type(exc).__name__}: {exc}", 1, cached=False)
        return Outcome(job, completion, None, attempts, cached=False)


def _describe(error: BaseException) -> str:
    status = getattr(error, "status", None)
    text = str(error) or type(error).__name__
    return f"[{status}] {text}" if status and f"{status}" not in text else text
