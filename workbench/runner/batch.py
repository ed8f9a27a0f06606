"""`workbench run --batch`: openai/anthropic calls through the providers' Batch APIs at 50% of the price.

Per run: cached cells come from the cache; cells whose batch is still in flight (an unfinished
BatchJob row, left by a crash or Ctrl-C) are polled, never resubmitted; the rest are submitted per
model, split at the providers' limits, and every batch id is committed before the first poll. When a
batch ends, its results are joined by custom_id and go through the run's RecordSink (`record` ->
`writer`, workbench.runner.sink), so they are scored and cached like any other result. Requests that
failed inside a batch are stored as failed results, which `--resume` submits again (and only those).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from workbench.errors import WorkbenchError
from workbench.experiment.plan import Cell
from workbench.experiment.spec import ModelSpec
from workbench.providers import registry
from workbench.providers.base import Completion, Provider, ProviderError, RetryableError
from workbench.providers.registry import connection_key
from workbench.runner.batch_backend import BatchBackend, BatchResults, BatchState
from workbench.runner.cache import cache_hits
from workbench.runner.executor import Job, Outcome
from workbench.runner.generation import Generation
from workbench.runner.retry import RetryPolicy
from workbench.runner.run_result import RunResult
from workbench.runner.sink import RecordSink
from workbench.runner.tasks import gather_or_cancel
from workbench.store.batch_jobs import add_batch, close_batch, open_batches, set_batch_status
from workbench.store.statuses import BatchStatus

T = TypeVar("T")
POLL_ENV = "WORKBENCH_BATCH_POLL_S"  # seconds before the first status check; backs off from there


@dataclass(frozen=True)
class BatchSettings:
    """How often to ask a provider whether a batch is done (batches take minutes to hours)."""

    poll_s: float = 10.0
    max_poll_s: float = 300.0
    backoff: float = 1.5

    @classmethod
    def from_env(cls) -> BatchSettings:
        raw = os.environ.get(POLL_ENV)
        if not raw:
            return cls()
        try:
            poll = float(raw)
        except ValueError:
            raise WorkbenchError(f"{POLL_ENV} must be a number of seconds, not {raw!r}") from None
        if poll <= 0:
            raise WorkbenchError(f"{POLL_ENV} must be positive, not {raw!r}")
        return cls(poll_s=poll, max_poll_s=30 * poll)


@dataclass(frozen=True)
class BatchContext:
    """What batch mode needs to know about the run besides its sink: the models by label, the retry
    policy for submitting and polling, the seed (retry jitter) and whether the response cache is on."""

    models: Mapping[str, ModelSpec]
    retry: RetryPolicy
    seed: int | None
    use_cache: bool


@dataclass
class Tracked:
    """A submitted batch this invocation follows until it ends."""

    row_id: int  # BatchJob.id
    batch_id: str
    model: str  # model label
    backend: BatchBackend
    jobs: dict[str, Job]  # custom_id -> the pending cell it answers


def cell_custom_id(cell: Cell, cache_key: str) -> str:
    """Stable across restarts, unique per cell, ≤ 64 chars of [A-Za-z0-9_-] (Anthropic's rule).

    The request hash is part of it so that a result of a since-changed prompt never joins a cell.
    """
    blob = json.dumps([*cell.key, cache_key], ensure_ascii=False)
    return "wb-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:40]


def custom_id(job: Job) -> str:
    return cell_custom_id(job.payload[0].cell, job.cache_key)


def split(items: Sequence[T], sizes: Sequence[int], max_requests: int, max_bytes: int) -> list[list[T]]:
    """Consecutive chunks of at most `max_requests` items and `max_bytes` total size (≥ 1 item each)."""
    chunks: list[list[T]] = []
    current: list[T] = []
    used = 0
    for item, size in zip(items, sizes, strict=True):
        if current and (len(current) >= max_requests or used + size > max_bytes):
            chunks.append(current)
            current, used = [], 0
        current.append(item)
        used += size
    if current:
        chunks.append(current)
    return chunks


def has_batch_api(provider: str) -> bool:
    return registry.get(provider).batch is not None


def backend_for(model: ModelSpec, provider: Provider) -> BatchBackend:
    """The Batch API of `model`'s provider, through the `provider` client built for it."""
    make = model.info.batch
    if make is None:
        covered = " and ".join(name for name, info in registry.providers().items() if info.batch is not None)
        raise WorkbenchError(f"{model.provider} has no batch API; --batch covers {covered} models")
    return make(provider)


class BatchRun:
    """The batched part of one `workbench run --batch` invocation."""

    def __init__(
        self,
        sink: RecordSink,
        context: BatchContext,
        run_id: int,
        providers: dict[object, Provider],
        result: RunResult,
        settings: BatchSettings,
    ) -> None:
        self.sink = sink
        self.context = context
        self.run_id = run_id
        self.providers = providers
        self.result = result
        self.settings = settings
        self.policy = context.retry
        self.rng = random.Random(context.seed)
        self._backends: dict[str, BatchBackend] = {}

    async def run(self, jobs: list[Job]) -> None:
        pending = {custom_id(job): job for job in jobs}
        if self.context.use_cache:
            await self._serve_cached(pending)
        tracked = self._resume(pending)
        in_flight = {cid for batch in tracked for cid in batch.jobs}
        tracked += await self._submit([job for cid, job in pending.items() if cid not in in_flight])
        tasks = [asyncio.ensure_future(self._follow(batch)) for batch in tracked]
        await gather_or_cancel(tasks)

    def _backend(self, label: str) -> BatchBackend:
        if label not in self._backends:
            model: ModelSpec = self.context.models[label]
            self._backends[label] = backend_for(model, self.providers[connection_key(model)])
        return self._backends[label]

    # -- before submitting -------------------------------------------------------------------------
    async def _serve_cached(self, pending: dict[str, Job]) -> None:
        """A cached request costs nothing and needs no batch: record it now and drop it from `pending`."""
        hits = cache_hits(self.sink.store, [job.cache_key for job in pending.values()])
        served = {cid: job for cid, job in pending.items() if job.cache_key in hits}
        for cid in served:
            del pending[cid]
        await self._write(
            [Outcome(job, hits[job.cache_key], None, 0, cached=True) for job in served.values()]
        )

    def _resume(self, pending: dict[str, Job]) -> list[Tracked]:
        """Batches of this run still in flight, limited to the cells that still need their result."""
        tracked: list[Tracked] = []
        claimed: set[str] = set()
        for row in open_batches(self.sink.store, self.run_id):
            jobs = {cid: pending[cid] for cid in row.custom_ids if cid in pending and cid not in claimed}
            if not jobs:  # every cell it was for is stored (or served from the cache) already
                close_batch(self.sink.store, row.row_id, BatchStatus.NOT_NEEDED)
                continue
            claimed |= jobs.keys()
            tracked.append(Tracked(row.row_id, row.batch_id, row.model, self._backend(row.model), jobs))
        if tracked:
            self.sink.progress.note(
                f"following {len(tracked)} batch(es) submitted earlier ({len(claimed)} requests in flight)"
            )
        return tracked

    # -- submitting --------------------------------------------------------------------------------
    async def _submit(self, jobs: list[Job]) -> list[Tracked]:
        by_model: dict[str, list[Job]] = {}
        for job in jobs:
            by_model.setdefault(job.payload[0].cell.model, []).append(job)
        tracked: list[Tracked] = []
        for label, model_jobs in by_model.items():
            backend = self._backend(label)
            items = [(custom_id(job), job, backend.item(custom_id(job), job.request)) for job in model_jobs]
            sizes = [backend.size(item) for _, _, item in items]
            chunks = split(items, sizes, backend.max_requests, backend.max_bytes)
            submitted = 0
            for chunk in chunks:
                try:
                    batch_id = await self._create(backend, [item for _, _, item in chunk], label)
                except ProviderError as exc:
                    await self._write([_failed(job, exc) for _, job, _ in chunk])
                    continue
                # Committed before anything else can happen: a crash from here on resumes this batch.
                chunk_jobs = {cid: job for cid, job, _ in chunk}
                row_id = add_batch(self.sink.store, self.run_id, model=label, provider=backend.provider,
                                   batch_id=batch_id, custom_ids=list(chunk_jobs))
                tracked.append(Tracked(row_id, batch_id, label, backend, chunk_jobs))
                submitted += len(chunk)
            if submitted:
                self.sink.progress.note(
                    f"{label}: {submitted} requests submitted in {len(chunks)} batch(es) at batch price; "
                    "polling (Ctrl-C leaves them running, --resume collects them)"
                )
        return tracked

    async def _create(self, backend: BatchBackend, items: list[dict[str, Any]], label: str) -> str:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await backend.submit(items, label)
            except RetryableError as exc:
                # Retry only when the server answered with an error: after a timeout or a dropped
                # connection the batch may exist anyway, and a second one would bill every request twice.
                if exc.status is None or attempt >= self.policy.max_attempts:
                    raise
                await self._pause(exc, attempt)

    # -- following ---------------------------------------------------------------------------------
    async def _follow(self, batch: Tracked) -> None:
        """Poll until the batch ends, then record a result (or a failure) for each of its cells."""
        try:
            state = await self._wait(batch)
            results = await self._patiently(lambda: batch.backend.results(state, batch.model))
        except ProviderError as exc:
            # Cannot follow it now. Its cells are stored as failed so the run ends incomplete; the row
            # stays open so --resume polls this same batch rather than paying for the cells twice,
            # unless the provider no longer knows it (404), in which case --resume resubmits them.
            await self._write([_failed(job, exc) for job in batch.jobs.values()])
            if exc.status == 404:
                close_batch(self.sink.store, batch.row_id, BatchStatus.NOT_FOUND)
            return
        await self._write([_joined(batch, cid, job, results, state) for cid, job in batch.jobs.items()])
        # Closed only once its results are committed: a crash in between re-downloads them on resume.
        close_batch(self.sink.store, batch.row_id, state.status)

    async def _wait(self, batch: Tracked) -> BatchState:
        delay = self.settings.poll_s
        status: str | None = None
        while True:
            state = await self._patiently(lambda: batch.backend.poll(batch.batch_id, batch.model))
            if state.status != status:
                status = state.status
                set_batch_status(self.sink.store, batch.row_id, status)
            if state.ended:
                return state
            await asyncio.sleep(delay)
            delay = min(delay * self.settings.backoff, self.settings.max_poll_s)

    async def _patiently(self, call: Callable[[], Awaitable[T]]) -> T:
        """Retry an idempotent read (status, results) through transient failures, like any call."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except RetryableError as exc:
                if attempt >= self.policy.max_attempts:
                    raise
                await self._pause(exc, attempt)

    async def _pause(self, error: ProviderError, attempt: int) -> None:
        wait = self.policy.delay(attempt, error.retry_after, self.rng)
        self.result.retries += 1
        self.sink.progress.note(f"retrying after {wait:.1f}s: {str(error)[:120]}")
        await asyncio.sleep(wait)

    # -- recording ---------------------------------------------------------------------------------
    async def _write(self, outcomes: list[Outcome]) -> None:
        """Record outcomes through the run's path (scored, cached) and wait until they are committed."""
        if not outcomes:
            return
        writer = self.sink.writer(self.run_id)
        try:
            for outcome in outcomes:
                writer.put(self.sink.record(outcome, self.run_id))
                self.result.count(outcome, self.sink.progress)
        finally:
            await asyncio.to_thread(writer.close)  # off the loop: scoring thousands of texts takes a while


def _failed(job: Job, error: ProviderError) -> Outcome:
    return Outcome(job, None, str(error), 1, cached=False, retryable=error.retryable)


def _joined(batch: Tracked, cid: str, job: Job, results: BatchResults, state: BatchState) -> Outcome:
    """The outcome of one cell of an ended batch, from its result line (or the lack of one)."""
    found = results.get(cid)
    if isinstance(found, Completion):
        return Outcome(job, found, None, 1, cached=False)
    if isinstance(found, ProviderError):
        return _failed(job, found)
    reason = state.error or (
        f"{batch.backend.provider}: batch {batch.batch_id} ended ({state.status}) "
        "without a result for this request"
    )
    return Outcome(job, None, reason, 1, cached=False, retryable=True)


async def generate_batched(
    sink: RecordSink,
    context: BatchContext,
    run_id: int,
    jobs: list[Job],
    providers: dict[object, Provider],
    models: list[ModelSpec],
    result: RunResult,
    settings: BatchSettings | None = None,
) -> None:
    """The generation phase for --batch: openai/anthropic cells through their Batch APIs, while the
    other models' cells run concurrently on the normal path."""
    batched = [job for job in jobs if has_batch_api(job.request.provider)]
    direct = [job for job in jobs if not has_batch_api(job.request.provider)]
    work: list[Awaitable[None]] = [
        BatchRun(sink, context, run_id, providers, result, settings or BatchSettings.from_env()).run(batched)
    ]
    if direct:
        work.append(sink.execute(Generation(run_id, direct, providers, models, result), sink.writer(run_id),
                                 lambda o: sink.record(o, run_id)))
    tasks = [asyncio.ensure_future(item) for item in work]
    await gather_or_cancel(tasks)
