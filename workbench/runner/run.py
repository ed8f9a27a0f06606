"""Run an experiment plan: create or resume a run, call providers, store and score every result."""

from __future__ import annotations

import asyncio
import getpass
import os
import signal
import time
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from workbench.errors import WorkbenchError
from workbench.experiment.plan import Plan, PlannedCall
from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Completion, Provider, ProviderError
from workbench.providers.finish import stored_reason
from workbench.providers.model_check import check_served_models
from workbench.providers.registry import connection_key
from workbench.runner.connections import build_limits, build_providers
from workbench.runner.executor import Executor, Job, Outcome
from workbench.runner.progress import NullProgress, ProgressSink
from workbench.runner.retry import RetryPolicy
from workbench.runner.workers import (
    ProcessExecutor,
    WorkerConfig,
    WorkerPool,
    auto_workers,
    scoring_context,
    writer_scorer,
)
from workbench.runner.writer import OutputRecord, ResultWriter, ScoreRecord
from workbench.scoring.judge import judge_model, judge_request, parse_judgement, rubrics_for
from workbench.scoring.registry import build_scorers, split_judge_entries
from workbench.store.db import Store, retry_transient
from workbench.store.models import Output, Run, RunStatus, Score, Variant
from workbench.store.repository import (
    cached_responses,
    existing_outputs,
    get_or_create_experiment,
    latest_run_for,
    sync_cases,
)
from workbench.store.runlock import Heartbeat, RunLock
from workbench.store.versions import run_variant_ids, sync_variant_versions

STARTED_BY_ENV = "WORKBENCH_STARTED_BY"  # set by the UI for the runs its users start


def current_user() -> str:
    """Who starts a run from this process: the UI's logged-in user, else the local OS account."""
    given = os.environ.get(STARTED_BY_ENV, "").strip()
    if given:
        return given[:200]
    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"local:uid{os.getuid()}"


@dataclass
class RunOptions:
    resume: bool = False
    concurrency: int | None = None
    use_cache: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    client_options: dict[str, Any] = field(default_factory=dict)  # e.g. timeout for real providers
    batch: bool = False  # openai/anthropic calls through their Batch APIs (workbench.runner.batch)
    # Processes making provider calls: 1 = this process; None = auto (worker processes only for large,
    # highly concurrent runs; see workbench.runner.workers).
    workers: int | None = None
    # Ask openai_compatible servers for their model list first (models with `check_model: false` are skipped).
    check_models: bool = True


@dataclass
class RunResult:
    run_id: int
    total: int
    skipped: int = 0  # already done before this invocation (resume)
    ok: int = 0
    errors: int = 0
    cached: int = 0
    retries: int = 0
    cost_usd: float = 0.0
    judged: int = 0
    elapsed_s: float = 0.0
    interrupted: bool = False
    simulated: bool = False
    unpriced: int = 0  # calls made whose price is unknown (their cost is not in cost_usd)
    error_samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "variant p2 changed: stored as version 2"
    status: str = RunStatus.RUNNING  # how the run ended (a RunStatus)
    spent_usd: float = 0.0  # all calls made for the run so far, all invocations (see Run.spent_usd)
    lost_calls: int = 0  # calls lost in flight to interruptions so far (made again on resume)

    def count(self, outcome: Outcome, progress: ProgressSink) -> None:
        """Add one finished call to the totals and the progress display."""
        cost: float | None = 0.0
        if outcome.completion is not None:
            self.ok += 1
            self.cached += outcome.cached
            cost = 0.0 if outcome.cached else outcome.completion.cost_usd
            if cost is None:
                self.unpriced += 1
            else:
                self.cost_usd += cost
        else:
            self.errors += 1
            if len(self.error_samples) < 5 and outcome.error:
                self.error_samples.append(outcome.error)
        progress.advance(ok=outcome.completion is not None, cost=cost, cached=outcome.cached)


def _cache_hits(store: Store, keys: list[str]) -> dict[str, Completion]:
    with store.session() as session:
        rows = cached_responses(session, keys)
    return {
        key: Completion(
            text=body,
            input_tokens=row.input_tokens,
            output_tokens=row.output_tokens,
            latency_s=row.latency_ms / 1000,
            cost_usd=row.cost_usd,
            finish_reason=row.finish_reason,
            simulated=row.simulated,
        )
        for key, (row, body) in rows.items()
    }


class Runner:
    """One invocation of `workbench run` (new run or resume)."""

    def __init__(
        self,
        plan: Plan,
        store: Store,
        options: RunOptions | None = None,
        progress: ProgressSink | None = None,
    ) -> None:
        self.plan = plan
        self.store = store
        self.options = options or RunOptions()
        self.progress = progress or NullProgress()
        self.sync_entries, self.judge_rubric_names = split_judge_entries(list(plan.spec.scorers))
        self.rubrics = rubrics_for(self.judge_rubric_names, plan.spec.judge)
        self.scorers = build_scorers(self.sync_entries)
        for scorer in self.scorers:  # one-off loads (lemma data) now, not on the first scored output
            getattr(scorer, "prepare", lambda: None)()
        self._pool: WorkerPool | None = None
        self.version_notes: list[str] = []  # prompts that changed since they were last run
        self._executor: Executor | ProcessExecutor | None = None  # the one making calls right now

    # -- setup -------------------------------------------------------------------------------------
    def _open_run(self) -> tuple[Run, dict[str, int], dict[str, int], RunLock]:
        """The run to work on, locked: a resume that finds another process on the run stops here,
        before any call is made or anything about the run is changed (RunBusyError)."""
        spec = self.plan.spec
        with self.store.session() as session:
            experiment = get_or_create_experiment(
                session, spec.name, str(self.plan.spec_path), spec.fingerprint(), spec.model_dump(mode="json")
            )
            variant_ids, self.version_notes = sync_variant_versions(session, experiment, self.plan.variants.values())
            case_ids = sync_cases(session, experiment, self.plan.cases)
            if self.options.resume:
                run = latest_run_for(session, spec.name)
                if run is None:
                    raise WorkbenchError(
                        f"no earlier run of {spec.name!r} to resume; run without --resume",
                        file=self.plan.spec_path,
                    )
                if run.experiment_id != experiment.id:
                    raise WorkbenchError(
                        f"the spec changed since run {run.id}; resuming would mix two designs — "
                        "run without --resume to start a new run",
                        file=self.plan.spec_path,
                    )
                changed = sorted(k for k, v in run_variant_ids(session, run).items() if variant_ids.get(k) != v)
                if changed:  # before anything is committed: the store stays as it was
                    variant = self.plan.variants.get(changed[0])
                    raise WorkbenchError(
                        f"variant {changed[0]!r} changed since run {run.id}; resuming would mix two prompt "
                        "versions in one run — run without --resume to start a new run",
                        file=variant.path if variant else self.plan.spec_path,
                    )
                self.version_notes = []
                session.commit()  # experiment, variants and cases (idempotent)
                lock = RunLock(self.store, run.id)
                lock.acquire()
                try:
                    session.refresh(run)
                    run.status = RunStatus.RUNNING
                    run.finished_at = None
                    # A batch run resumes in batch mode: its batches may still be in flight at the provider.
                    run.batch = run.batch or self.options.batch
                    self.options = replace(self.options, batch=run.batch)
                    session.commit()
                except BaseException:
                    lock.release()
                    raise
                return run, variant_ids, case_ids, lock
            run = Run(
                experiment_id=experiment.id,
                status=RunStatus.RUNNING,
                total_calls=len(self.plan.calls),
                simulated=any(m.simulated for m in self.plan.models.values()),
                settings={"concurrency": self._concurrency(), "repeats": spec.repeats,
                          "variant_ids": variant_ids},
                batch=self.options.batch,
                started_by=current_user(),
            )
            session.add(run)
            session.commit()
        lock = RunLock(self.store, run.id)
        lock.acquire()
        return run, variant_ids, case_ids, lock

    def _concurrency(self) -> int:
        return self.options.concurrency or self.plan.spec.concurrency

    # -- generation --------------------------------------------------------------------------------
    def _jobs(
        self, run_id: int, variant_ids: dict[str, int], case_ids: dict[str, int]
    ) -> tuple[list[Job], int]:
        with self.store.session() as session:
            existing = existing_outputs(session, run_id)
        jobs: list[Job] = []
        done = 0
        for call in self.plan.calls:
            cell = call.cell
            ids = (variant_ids[cell.variant], case_ids[cell.case])
            found = existing.get((*ids, cell.model, cell.repeat, cell.swap_name))
            if found is not None and found[1] == "ok":
                done += 1
                continue
            model = self.plan.models[cell.model]
            payload = (call, ids, found[0] if found else None)
            jobs.append(
                Job(call.request, connection_key(model), payload, call.request.cache_key(), model.max_attempts)
            )
        return jobs, done

    def _record(self, outcome: Outcome, run_id: int) -> OutputRecord:
        call: PlannedCall
        call, (variant_id, case_id), existing_id = outcome.job.payload
        cell = call.cell
        completion = outcome.completion
        row: dict[str, Any] = {
            "run_id": run_id,
            "variant_id": variant_id,
            "case_id": case_id,
            "model": cell.model,
            "repeat": cell.repeat,
            "swap_name": cell.swap_name,
            "swap_group": cell.swap_group,
            "request_hash": outcome.job.cache_key,
            "attempts": outcome.attempts,
            "cached": outcome.cached,
            "created_at": datetime.now(UTC),
        }
        if completion is None:
            row |= {
                "status": "error",
                "text": None,
                "error": outcome.error,
                "input_tokens": 0,
                "output_tokens": 0,
                "latency_ms": 0.0,
                "cost_usd": 0.0,
                "simulated": False,
                "finish_reason": None,
            }
            return OutputRecord(row=row, existing_id=existing_id)
        row |= {
            "status": "ok",
            "text": completion.text,
            "error": None,
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
            "latency_ms": completion.latency_s * 1000,
            "cost_usd": 0.0 if outcome.cached else completion.cost_usd,
            "simulated": completion.simulated,
            "finish_reason": stored_reason(completion.finish_reason),
        }
        spent = 0.0 if outcome.cached else (completion.cost_usd or 0.0)
        # Pre-scored when a worker process scored the text (see workbench.runner.workers).
        scoring = scoring_context(call.request.metadata, outcome.scores)
        # The cached text lives in the output row; the writer sets the entry's output_id.
        cache_entry = self._cache_entry(outcome, text=None)
        return OutputRecord(
            row=row, existing_id=existing_id, cache_entry=cache_entry, scoring=scoring, spent_usd=spent
        )

    def _cache_entry(self, outcome: Outcome, *, text: str | None) -> dict[str, Any] | None:
        """The response cache row for a fresh completion (generation or judge), None for hits and failures.

        `text` is None for generations (the entry refers to the output row that holds it) and the reply
        itself for judge calls, which have no output row of their own.
        """
        completion, request = outcome.completion, outcome.job.request
        if completion is None or outcome.cached or not self.options.use_cache:
            return None
        return {
            "key": outcome.job.cache_key,
            "provider": request.provider,
            "model": request.model,
            "text": text,
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
            "latency_ms": completion.latency_s * 1000,
            "cost_usd": completion.cost_usd,
            "finish_reason": stored_reason(completion.finish_reason),
            "simulated": completion.simulated,
            "created_at": datetime.now(UTC),
        }

    # -- judge -------------------------------------------------------------------------------------
    def _judge_jobs(self, run_id: int, model: ModelSpec) -> list[Job]:
        metrics = [f"judge.{r.name}" for r in self.rubrics]
        with self.store.session() as session:
            judged = {
                (oid, metric)
                for oid, metric in session.execute(
                    select(Score.output_id, Score.metric)
                    .join(Output, Output.id == Score.output_id)
                    .where(Output.run_id == run_id, Score.metric.in_(metrics), Score.value.is_not(None))
                )
            }
            outputs = session.execute(
                select(Output.id, Output.text, Variant.key, Variant.task, Variant.language)
                .join(Variant, Variant.id == Output.variant_id)
                .where(Output.run_id == run_id, Output.status == "ok")
                .order_by(Output.id)
            ).all()
        jobs = []
        for output_id, text, variant, task, language in outputs:
            for rubric in self.rubrics:
                if (output_id, f"judge.{rubric.name}") in judged:
                    continue
                request = judge_request(rubric, text or "", task, language, model, variant, self.plan.spec.seed)
                jobs.append(
                    Job(request, connection_key(model), (output_id, rubric), request.cache_key(), model.max_attempts)
                )
        return jobs

    # -- main --------------------------------------------------------------------------------------
    def run(self) -> RunResult:
        models = list(self.plan.models.values())
        judge = judge_model(self.plan.spec.judge) if self.rubrics else None
        if self.options.check_models:
            # A server that lists its models and lacks ours stops the run here, store untouched.
            check_served_models(self.plan.spec, self.plan.spec_path, with_judge=judge is not None)
        # Provider construction fails fast (missing key) before anything is written to the store.
        providers = build_providers(
            models + ([judge] if judge else []), self.options.client_options, self._concurrency()
        )
        run, variant_ids, case_ids, lock = self._open_run()
        result = RunResult(run_id=run.id, total=len(self.plan.calls), simulated=run.simulated,
                           notes=list(self.version_notes))
        started = time.perf_counter()
        heartbeat: Heartbeat | None = None
        status = RunStatus.COMPLETED
        try:
            jobs, result.skipped = self._jobs(run.id, variant_ids, case_ids)
            self._start_workers(jobs, models + ([judge] if judge else []))
            # After the fork: worker processes are only used when no other thread is running yet.
            heartbeat = Heartbeat(lock, self._inflight).start()
            asyncio.run(self._main(run.id, jobs, providers, models, judge, result))
        except (KeyboardInterrupt, asyncio.CancelledError):
            result.interrupted = True
            status = RunStatus.INTERRUPTED
        except BaseException:
            # A writer or database failure (disk full, file deleted, server gone): never "completed".
            status = RunStatus.FAILED
            raise
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            lost = self._inflight() if status != RunStatus.COMPLETED else 0
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            self.progress.stop()
            result.elapsed_s = time.perf_counter() - started
            if status == RunStatus.COMPLETED and result.errors:
                # Every call failed (provider down, bad key): nothing to analyse, the run failed.
                nothing = result.ok == 0 and result.skipped == 0
                status = RunStatus.FAILED if nothing else RunStatus.INCOMPLETE
            result.status = status
            self._finish(run.id, status, lost, lock, result, quiet=status == RunStatus.FAILED)
        return result

    def _inflight(self) -> int:
        executor = self._executor
        return int(getattr(executor, "inflight", 0)) if executor is not None else 0

    async def _main(
        self,
        run_id: int,
        jobs: list[Job],
        providers: dict[object, Provider],
        models: list[ModelSpec],
        judge: ModelSpec | None,
        result: RunResult,
    ) -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        with suppress(NotImplementedError, RuntimeError, ValueError):
            # `kill` (SIGTERM) stops a run as cleanly as Ctrl-C: flush, mark interrupted, resumable.
            loop.add_signal_handler(signal.SIGTERM, task.cancel)  # type: ignore[union-attr]
        try:
            await self._generate(run_id, jobs, providers, models, result)
            if judge is not None and self.plan.spec.judge is not None and self.plan.spec.judge.mode == "pairwise":
                from workbench.runner.pairwise import judge_pairs

                await judge_pairs(self, run_id, judge, providers, result)
            elif judge is not None:
                await self._judge(run_id, judge, providers, result)
        finally:
            with suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGTERM)
            await _close_all(providers)

    async def _execute(
        self,
        jobs: list[Job],
        providers: dict[object, Provider],
        models: list[ModelSpec],
        writer: ResultWriter,
        make_record: Any,
        result: RunResult,
        score_in_workers: bool = False,
    ) -> None:
        cache = _cache_hits(self.store, [j.cache_key for j in jobs]) if self.options.use_cache else {}

        def on_retry(error: ProviderError, wait: float) -> None:
            result.retries += 1
            self.progress.note(f"retrying after {wait:.1f}s: {str(error)[:120]}")

        executor: Executor | ProcessExecutor
        if self._pool is not None:
            executor = ProcessExecutor(self._pool, cache=cache, on_retry=on_retry, score=score_in_workers)
        else:
            limits = build_limits(models, self._concurrency())
            limits.on_change = lambda: self.progress.pacing(*limits.status())
            executor = Executor(
                providers,
                limits,
                self.options.retry,
                self._concurrency(),
                cache=cache,
                seed=self.plan.spec.seed,
                on_retry=on_retry,
            )
        self._executor = executor

        def on_outcome(outcome: Outcome) -> None:
            writer.put(make_record(outcome))
            result.count(outcome, self.progress)

        try:
            await executor.run(jobs, on_outcome, total=len(jobs))
        finally:
            writer.close()

    async def _generate(
        self,
        run_id: int,
        jobs: list[Job],
        providers: dict[object, Provider],
        models: list[ModelSpec],
        result: RunResult,
    ) -> None:
        self.progress.start("generate", result.total, result.skipped)
        await self._generate_jobs(run_id, jobs, providers, models, result)

    async def _generate_jobs(
        self,
        run_id: int,
        jobs: list[Job],
        providers: dict[object, Provider],
        models: list[ModelSpec],
        result: RunResult,
    ) -> None:
        """Make, record and score these generation calls (batched with --batch); no progress bar of its own."""
        if not jobs:
            return
        if self.options.batch:  # --batch: openai/anthropic cells go through the providers' Batch APIs
            from workbench.runner.batch import generate_batched

            await generate_batched(self, run_id, jobs, providers, models, result)
            return
        writer = ResultWriter(self.store, score=writer_scorer(self.scorers), run_id=run_id, on_retry=self._db_retry)
        record = lambda o: self._record(o, run_id)  # noqa: E731
        await self._execute(jobs, providers, models, writer, record, result, score_in_workers=True)

    async def _judge(
        self, run_id: int, judge: ModelSpec, providers: dict[object, Provider], result: RunResult
    ) -> None:
        jobs = self._judge_jobs(run_id, judge)
        if not jobs:
            return
        self.progress.start("judge", len(jobs), 0)
        writer = ResultWriter(self.store, run_id=run_id, on_retry=self._db_retry)
        ok_before, cached_before = result.ok, result.cached

        def record(outcome: Outcome) -> ScoreRecord:
            output_id, rubric = outcome.job.payload
            if outcome.completion is None:
                score = parse_judgement(rubric, "", judge.id, judge.simulated)
                score.detail["error"] = outcome.error
            else:
                score = parse_judgement(
                    rubric, outcome.completion.text, judge.id, outcome.completion.simulated
                )
            spent = 0.0 if outcome.cached or outcome.completion is None else (outcome.completion.cost_usd or 0.0)
            # Judge replies are cached like generations: rerunning an experiment pays for no call twice.
            reply = outcome.completion.text if outcome.completion is not None else None
            entry = self._cache_entry(outcome, text=reply)
            return ScoreRecord(output_id, [score], spent_usd=spent, cache_entry=entry)

        await self._execute(jobs, providers, [judge], writer, record, result)
        # Judge calls are counted apart from generation calls (and their cache hits apart from the outputs').
        result.judged = result.ok - ok_before
        result.ok, result.cached = ok_before, cached_before

    def _start_workers(self, jobs: list[Job], models: list[ModelSpec]) -> None:
        """Fork worker processes for a large run (before the event loop and writer thread exist)."""
        count = self.options.workers
        if count is None:
            count = auto_workers(len(jobs), self._concurrency(), models)
        if count <= 1 or self.options.batch or not jobs:
            return
        options, seed = self.options, self.plan.spec.seed
        config = WorkerConfig(models, options.client_options, self._concurrency(), options.retry, seed, self.scorers)
        self._pool = WorkerPool.start(min(count, self._concurrency()), config, jobs)

    def _db_retry(self, error: BaseException, wait: float) -> None:
        first = str(getattr(error, "orig", None) or error).strip().splitlines()
        self.progress.note(f"database: retrying in {wait:.1f}s after: {first[0][:100] if first else error}")

    def _finish(
        self, run_id: int, status: str, lost: int, lock: RunLock, result: RunResult, *, quiet: bool
    ) -> None:
        """Record how the run ended and let go of it. `quiet`: the run is already failing with an error
        of its own, which a second failure here must not replace."""
        try:
            self.store.check_file()  # the file must still be the one the results went to

            def write() -> None:
                with self.store.session() as session:
                    run = session.get(Run, run_id)
                    if run is not None:
                        run.status = status
                        run.finished_at = datetime.now(UTC)
                        run.lost_calls = (run.lost_calls or 0) + lost
                        session.commit()
                        result.spent_usd, result.lost_calls = run.spent_usd or 0.0, run.lost_calls

            retry_transient(write)
        except Exception:
            if not quiet:
                raise
        finally:
            lock.release()


async def _close_all(providers: dict[object, Provider]) -> None:
    for provider in providers.values():
        with suppress(Exception):  # closing must never mask the run's own outcome
            await provider.aclose()


def run_experiment(
    plan: Plan, store: Store, options: RunOptions | None = None, progress: ProgressSink | None = None
) -> RunResult:
    return Runner(plan, store, options, progress).run()
