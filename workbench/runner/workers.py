"""Provider calls in worker processes, for runs too large for one event loop on one core.

One process tops out at ~1,000-1,500 calls/s: the SDK request path costs ~0.5-0.7 ms of CPU per call,
and the event loop shares the GIL with the writer thread. Large runs therefore fan out to worker
processes, each with its own event loop, provider clients and connection pool. The parent keeps all
that must stay single: the cache lookup, the writer thread (results are committed as they arrive, so
kill/resume semantics are unchanged), progress and counters.

* Workers are forked before the run's event loop and writer thread start (for a new run from the CLI,
  before the store is even opened: runner.worker_start), so they inherit the planned jobs: the parent
  sends indices, not pickled requests. A job is known to the workers by its request object (the
  parent's jobs for the same planned calls are other Job objects); jobs made later, e.g. judge calls,
  are pickled.
* Workers score the texts they generate (six text scorers cost ~0.6 ms per 300-word text, as much as
  the call; on the parent they would all run on the writer thread) and send the scores back with the
  completion; the writer stores them as they are.
* Each worker gets an equal share of the run's concurrency and of every connection's concurrency and
  rate limit. The parent keeps each worker's queue topped up to a small credit above its concurrency,
  so an interrupted run loses only calls in flight, which a resume makes again.
* A worker ignores SIGINT (the parent shuts it down) and exits when the parent goes away (EOF on its
  pipe). A worker that dies has its unfinished jobs handed to the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Completion, Provider, ProviderError, RetryableError
from workbench.runner import gc_threshold
from workbench.runner.connections import build_limits, build_providers, share
from workbench.runner.executor import Executor, Job, Outcome
from workbench.runner.limits import Limits
from workbench.runner.retry import RetryPolicy
from workbench.scoring.base import Score, Scorer, ScoringContext
from workbench.scoring.registry import score_text

# Auto mode uses worker processes only for runs big and concurrent enough to be CPU-bound in one process.
AUTO_MIN_CALLS = 2_000
AUTO_MIN_CONCURRENCY = 64
MAX_AUTO_WORKERS = 4

# A job as sent to a worker: an index into the jobs it inherited, or (request, connection, max_attempts)
# for new jobs.
_Item = int | tuple[Any, object, int | None]
# A finished job as sent back: (tag, completion, error, attempts, retryable, scores).
_Result = tuple[int, Completion | None, str | None, int, bool, list[Score] | None]


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def auto_workers(calls: int, concurrency: int, models: Sequence[ModelSpec]) -> int:
    """Worker processes for a run when none were asked for: 1 (in-process) unless the run is large.

    Also 1 when forking is unavailable or unsafe (other threads running, e.g. inside the UI server) and
    when a model declares a rate limit (one process enforces it exactly).
    """
    if calls < AUTO_MIN_CALLS or concurrency < AUTO_MIN_CONCURRENCY or not fork_available():
        return 1
    if threading.active_count() > 1 or any(m.rate_limits for m in models):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS, concurrency // 32))


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs to build its providers and limits."""

    models: list[ModelSpec]  # generation models and the judge model
    client_options: dict[str, Any]
    concurrency: int  # the run's total concurrency
    policy: RetryPolicy
    seed: int = 0
    scorers: Sequence[Scorer] = ()  # the run's sync scorers, applied to generated texts


@dataclass(frozen=True)
class ScoredContext(ScoringContext):
    """A ScoringContext whose text a worker process has already scored."""

    scores: tuple[Score, ...] = ()


def scoring_context(metadata: dict[str, Any], scores: list[Score] | None = None) -> ScoringContext:
    """The context the run's scorers see for a generated text (pre-scored when `scores` is given)."""
    language, task, case = str(metadata["language"]), str(metadata["task"]), dict(metadata["case"])
    if scores is None:
        return ScoringContext(language=language, task=task, case=case)
    return ScoredContext(language=language, task=task, case=case, scores=tuple(scores))


def writer_scorer(scorers: Sequence[Scorer]) -> Callable[[str, ScoringContext], list[Score]]:
    """The writer's scoring function: scores from a worker as they are, else the scorers run here."""

    def score(text: str, ctx: ScoringContext) -> list[Score]:
        if isinstance(ctx, ScoredContext):
            return list(ctx.scores)
        return score_text(text, ctx, scorers)

    return score


def _score(job: Job, completion: Completion | None, scorers: Sequence[Scorer]) -> list[Score] | None:
    if completion is None or not scorers:
        return None
    try:
        return score_text(completion.text, scoring_context(job.request.metadata), scorers)
    except Exception:  # the writer scores it again and reports the error exactly as without workers
        return None


def _providers(config: WorkerConfig, count: int, index: int) -> tuple[dict[object, Provider], Limits]:
    providers = build_providers(config.models, config.client_options, config.concurrency, count, index)
    return providers, build_limits(config.models, config.concurrency, count, index)


def _worker_main(
    conn: Connection, inherited: list[Connection], config: WorkerConfig, jobs: Sequence[Job], count: int, index: int
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:  # the parent's ends: holding them would hide the parent's exit (no EOF)
        other.close()
    code = 0
    gc_threshold.for_this_process()  # kept until the os._exit below: no collection on the way out
    try:
        asyncio.run(_serve(conn, config, jobs, count, index))
    except BaseException as exc:  # e.g. a provider that cannot be built: tell the parent why
        code = 1
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        # Skip interpreter teardown: the forked copy of the parent's state (store engine, SQLite
        # connections) must never be finalised from here.
        os._exit(code)


async def _serve(conn: Connection, config: WorkerConfig, jobs: Sequence[Job], count: int, index: int) -> None:
    loop = asyncio.get_running_loop()
    with gc_threshold.imports_settled():  # the provider SDK is imported here
        providers, limits = _providers(config, count, index)
    notes: list[tuple[str, float, int | None]] = []

    def on_retry(error: ProviderError, wait: float) -> None:
        notes.append((str(error), wait, error.status))

    concurrency = share(config.concurrency, count, index)
    executor = Executor(providers, limits, config.policy, concurrency, seed=config.seed + index, on_retry=on_retry)
    queue: asyncio.Queue[tuple[int, Job, bool]] = asyncio.Queue()
    results: list[_Result] = []
    stopped = loop.create_future()

    def stop() -> None:
        if not stopped.done():
            stopped.set_result(None)

    def flush() -> None:
        # One message for everything that finished during this turn of the event loop.
        batch, retries = results[:], notes[:]
        results.clear()
        notes.clear()
        try:
            conn.send(("done", batch, retries))
        except OSError:
            stop()

    def on_readable() -> None:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            stop()
            return
        if message[0] == "stop":
            stop()
            return
        _, items, score = message
        for tag, item in items:
            job = jobs[item] if isinstance(item, int) else Job(item[0], item[1], None, "", item[2])
            queue.put_nowait((tag, job, score))

    async def run_jobs() -> None:
        while True:
            tag, job, score = await queue.get()
            outcome = await executor.execute(job)
            scores = _score(job, outcome.completion, config.scorers) if score else None
            results.append((tag, outcome.completion, outcome.error, outcome.attempts, outcome.retryable, scores))
            if len(results) == 1:
                loop.call_soon(flush)

    tasks = [asyncio.create_task(run_jobs()) for _ in range(concurrency)]
    loop.add_reader(conn.fileno(), on_readable)
    try:
        await stopped
    finally:
        loop.remove_reader(conn.fileno())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for provider in providers.values():
            with contextlib.suppress(Exception):
                await provider.aclose()


@dataclass
class _Worker:
    index: int
    process: Any  # multiprocessing.Process (fork context)
    conn: Connection
    credit: int  # jobs kept queued at the worker: its concurrency plus a prefetch margin
    inflight: dict[int, Job] = field(default_factory=dict)
    alive: bool = True
    error: str | None = None  # why it exited, when it could say
    concurrency: int = 0  # calls it runs at once (the rest of its credit waits in its queue)


class WorkerPool:
    """Forked worker processes executing jobs for the parent's Executor-like `run`."""

    def __init__(self, workers: list[_Worker], jobs: Sequence[Job]) -> None:
        self._workers = workers
        # The requests the workers already hold, by identity (the parent's jobs reuse the planned requests).
        self._index = {id(job.request): i for i, job in enumerate(jobs)}
        self._jobs = jobs  # keeps the indexed requests alive, so their ids stay unique
        self._tags = itertools.count()
        self._closed = False

    @classmethod
    def start(cls, count: int, config: WorkerConfig, jobs: Sequence[Job]) -> WorkerPool:
        """Fork `count` workers; call before any event loop or thread that the children must not inherit."""
        context = multiprocessing.get_context("fork")
        workers: list[_Worker] = []
        parent_ends: list[Connection] = []
        for index in range(count):
            parent_end, child_end = context.Pipe(duplex=True)
            parent_ends.append(parent_end)
            process = context.Process(
                target=_worker_main,
                args=(child_end, list(parent_ends), config, jobs, count, index),
                name=f"workbench-worker-{index}",
                daemon=True,
            )
            process.start()
            child_end.close()
            concurrency = share(config.concurrency, count, index)
            workers.append(_Worker(index, process, parent_end, credit=concurrency + max(8, concurrency // 2),
                                   concurrency=concurrency))
        return cls(workers, jobs)

    @property
    def inflight(self) -> int:
        return sum(min(len(w.inflight), w.concurrency) for w in self._workers if w.alive)

    def _item(self, job: Job) -> _Item:
        index = self._index.get(id(job.request))
        return index if index is not None else (job.request, job.connection, job.max_attempts)

    def _top_up(self, worker: _Worker, queue: deque[Job], score: bool) -> None:
        room = worker.credit - len(worker.inflight)
        if not worker.alive or room <= 0 or not queue:
            return
        batch: list[tuple[int, _Item]] = []
        for _ in range(min(room, len(queue))):
            job = queue.popleft()
            tag = next(self._tags)
            worker.inflight[tag] = job
            batch.append((tag, self._item(job)))
        with contextlib.suppress(OSError):
            # A worker that has exited: not lost yet. What it sent before exiting (results, or why it
            # could not start) is still to be read; its end-of-file, read after that, hands these jobs
            # back (`_lost`). Declaring it lost here would drop that message.
            worker.conn.send(("jobs", batch, score))

    def _lost(self, worker: _Worker, queue: deque[Job]) -> None:
        """A worker died: its unfinished jobs go back to the front of the queue for the others."""
        worker.alive = False
        queue.extendleft(reversed(list(worker.inflight.values())))
        worker.inflight.clear()

    async def run(
        self,
        jobs: Iterable[Job],
        on_outcome: Callable[[Outcome], None],
        cache: dict[str, Completion] | None = None,
        on_retry: Callable[[ProviderError, float], None] | None = None,
        score: bool = False,
    ) -> None:
        """Every job's Outcome through `on_outcome` (cache hits first, then calls as they finish).

        With `score`, workers score each generated text with the run's scorers (Outcome.scores).
        """
        cache = cache or {}
        queue: deque[Job] = deque()
        for job in jobs:
            hit = cache.get(job.cache_key)
            if hit is not None:
                on_outcome(Outcome(job, hit, None, 0, cached=True))
            else:
                queue.append(job)
        if not queue:
            return
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[tuple[_Worker, Any]] = asyncio.Queue()

        def readable(worker: _Worker) -> None:
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                message = None
            if message is None:
                loop.remove_reader(worker.conn.fileno())
            inbox.put_nowait((worker, message))

        live = [w for w in self._workers if w.alive]
        for worker in live:
            loop.add_reader(worker.conn.fileno(), readable, worker)
        try:
            for worker in live:
                self._top_up(worker, queue, score)
            while queue or any(w.inflight for w in self._workers):
                if not any(w.alive for w in self._workers):
                    self._fail_all(queue, on_outcome)
                    break
                worker, message = await inbox.get()
                if message is None:
                    self._lost(worker, queue)
                else:
                    self._handle(worker, message, on_outcome, on_retry)
                for other in self._workers:
                    self._top_up(other, queue, score)
        finally:
            for worker in live:
                loop.remove_reader(worker.conn.fileno())

    def _handle(
        self,
        worker: _Worker,
        message: tuple[Any, ...],
        on_outcome: Callable[[Outcome], None],
        on_retry: Callable[[ProviderError, float], None] | None,
    ) -> None:
        if message[0] == "error":
            worker.error = message[1]
            return
        _, results, notes = message
        if on_retry is not None:
            for text, wait, status in notes:
                on_retry(RetryableError(text, status=status), wait)
        for tag, completion, error, attempts, retryable, scores in results:
            job = worker.inflight.pop(tag)
            on_outcome(Outcome(job, completion, error, attempts, cached=False, retryable=retryable, scores=scores))

    def _fail_all(self, queue: deque[Job], on_outcome: Callable[[Outcome], None]) -> None:
        codes = ", ".join(str(w.process.exitcode) for w in self._workers)
        reasons = "; ".join(sorted({w.error for w in self._workers if w.error}))
        error = f"worker processes exited unexpectedly (exit codes {codes}{': ' + reasons if reasons else ''})"
        while queue:
            on_outcome(Outcome(queue.popleft(), None, error, 0, cached=False, retryable=True))

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers (calls still in flight are abandoned; a resume makes them again). Once."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop",))
        for worker in self._workers:
            worker.process.join(timeout)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout)
            worker.conn.close()
            worker.alive = False


class ProcessExecutor:
    """The Executor interface (`run(jobs, on_outcome, total)`) on top of a WorkerPool."""

    def __init__(
        self,
        pool: WorkerPool,
        cache: dict[str, Completion] | None = None,
        on_retry: Callable[[ProviderError, float], None] | None = None,
        score: bool = False,
    ) -> None:
        self.pool = pool
        self.cache = cache or {}
        self.on_retry = on_retry
        self.score = score  # generated texts are scored in the workers (not for judge calls)

    async def run(self, jobs: Iterable[Job], on_outcome: Callable[[Outcome], None], total: int) -> None:
        await self.pool.run(jobs, on_outcome, self.cache, self.on_retry, self.score)

    @property
    def inflight(self) -> int:
        """Jobs handed to workers and not answered (at most what the workers may run at once)."""
        return self.pool.inflight
