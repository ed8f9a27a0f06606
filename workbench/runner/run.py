"""Run an experiment plan: create or resume a run, call providers, store and score every result.

Orchestration only: the store opens, writes and closes the run (workbench.store.runs, .results), outcomes
become rows in workbench.runner.records, the judge phase's calls and scores come from
workbench.runner.judging, and batch mode reaches the Runner through its RecordSink side (record, writer,
execute).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any

from workbench.errors import WorkbenchError
from workbench.experiment.plan import Plan
from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Provider, ProviderError
from workbench.providers.model_check import check_served_models
from workbench.runner.cache import cache_hits
from workbench.runner.connections import build_limits, build_providers
from workbench.runner.executor import Executor, Job, Outcome
from workbench.runner.gc_threshold import rare_collections
from workbench.runner.generation import Generation
from workbench.runner.judging import judge_jobs, judge_record
from workbench.runner.options import RunOptions
from workbench.runner.progress import NullProgress, ProgressSink
from workbench.runner.records import output_record
from workbench.runner.run_result import RunResult
from workbench.runner.signals import sigterm_cancels_current_task
from workbench.runner.started_by import current_user
from workbench.runner.worker_start import EarlyStart, RunScoring, call_job, concurrency, fork_workers
from workbench.runner.workers import ProcessExecutor, writer_scorer
from workbench.runner.writer import OutputRecord, ResultWriter, ScoreRecord
from workbench.store.db import Store
from workbench.store.queries import existing_outputs
from workbench.store.runlock import Heartbeat, RunLock
from workbench.store.runs import ExperimentDesign, NewRun, OpenedRun, ResumeRefused, finish_run, open_run
from workbench.store.statuses import OutputStatus, RunStatus

__all__ = ["RunOptions", "RunResult", "Runner", "run_experiment"]


class Runner:
    """One invocation of `workbench run` (new run or resume)."""

    def __init__(
        self,
        plan: Plan,
        store: Store,
        options: RunOptions | None = None,
        progress: ProgressSink | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        """`early`: the scoring and workers made before the store was opened (runner.worker_start)."""
        self.plan = plan
        self.store = store
        self.options = options or RunOptions()
        self.progress = progress or NullProgress()
        self.scoring = early.scoring if early else RunScoring.of(plan.spec)
        self.rubrics, self.scorers = self.scoring.rubrics, self.scoring.scorers
        self._pool = early.pool if early else None
        self.version_notes: list[str] = []  # prompts that changed since they were last run
        self._executor: Executor | ProcessExecutor | None = None  # the one making calls right now

    # -- setup -------------------------------------------------------------------------------------
    def _open_run(self) -> OpenedRun:
        """The run to work on, locked: a resume that finds another process on the run stops here,
        before any call is made or anything about the run is changed (RunBusyError)."""
        spec, plan = self.plan.spec, self.plan
        design = ExperimentDesign(spec.name, str(plan.spec_path), spec.fingerprint(), spec.model_dump(mode="json"),
                                  plan.variants.values(), plan.cases)
        new = NewRun(
            total_calls=len(plan.calls),
            simulated=any(m.simulated for m in plan.models.values()),
            settings={"concurrency": self._concurrency(), "repeats": spec.repeats},
            batch=self.options.batch,
            started_by=current_user(),
        )
        try:
            opened = open_run(self.store, design, resume=self.options.resume, new=new)
        except ResumeRefused as refused:
            raise self._resume_error(refused) from None
        self.version_notes = opened.version_notes
        self.options = replace(self.options, batch=opened.batch)
        return opened

    def _resume_error(self, refused: ResumeRefused) -> WorkbenchError:
        name, spec_path = self.plan.spec.name, self.plan.spec_path
        if refused.run_id is None:
            return WorkbenchError(f"no earlier run of {name!r} to resume; run without --resume", file=spec_path)
        if refused.variant is None:
            return WorkbenchError(
                f"the spec changed since run {refused.run_id}; resuming would mix two designs — "
                "run without --resume to start a new run",
                file=spec_path,
            )
        variant = self.plan.variants.get(refused.variant)
        return WorkbenchError(
            f"variant {refused.variant!r} changed since run {refused.run_id}; resuming would mix two prompt "
            "versions in one run — run without --resume to start a new run",
            file=variant.path if variant else spec_path,
        )

    def _concurrency(self) -> int:
        return concurrency(self.plan, self.options)

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
            if found is not None and found[1] == OutputStatus.OK:
                done += 1
                continue
            payload = (call, ids, found[0] if found else None)
            jobs.append(call_job(self.plan, call, payload, call.request.cache_key()))
        return jobs, done

    # -- main --------------------------------------------------------------------------------------
    def run(self) -> RunResult:
        models = list(self.plan.models.values())
        judge = self.scoring.judge(self.plan.spec)
        try:
            if self.options.check_models:
                # A server that lists its models and lacks ours stops the run here, store untouched.
                check_served_models(self.plan.spec, self.plan.spec_path, with_judge=judge is not None)
            providers: dict[object, Provider] = {}
            if self._pool is None:
                # Provider construction fails fast (missing key) before anything is written to the store.
                # (Workers forked before the store was opened build their own; the CLI checked the keys.)
                providers = build_providers(
                    self.scoring.called_models(self.plan), self.options.client_options, self._concurrency()
                )
            run = self._open_run()
        except BaseException:
            self._close_pool()
            raise
        result = RunResult(run_id=run.run_id, total=len(self.plan.calls), simulated=run.simulated,
                           notes=list(self.version_notes))
        started = time.perf_counter()
        heartbeat: Heartbeat | None = None
        status = RunStatus.COMPLETED
        try:
            jobs, result.skipped = self._jobs(run.run_id, run.variant_ids, run.case_ids)
            if self._pool is None:
                self._pool = fork_workers(self.plan, self.options, self.scoring, jobs)
            # After the fork: worker processes are only used when no other thread is running yet.
            heartbeat = Heartbeat(run.lock, self._inflight).start()
            with rare_collections():
                asyncio.run(self._main(Generation(run.run_id, jobs, providers, models, result), judge))
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
            self._close_pool()
            self.progress.stop()
            result.elapsed_s = time.perf_counter() - started
            if status == RunStatus.COMPLETED and result.errors:
                # Every call failed (provider down, bad key): nothing to analyse, the run failed.
                nothing = result.ok == 0 and result.skipped == 0
                status = RunStatus.FAILED if nothing else RunStatus.INCOMPLETE
            result.status = status
            self._finish(run.run_id, status, lost, run.lock, result, quiet=status == RunStatus.FAILED)
        return result

    def _inflight(self) -> int:
        executor = self._executor
        return int(getattr(executor, "inflight", 0)) if executor is not None else 0

    async def _main(self, generation: Generation, judge: ModelSpec | None) -> None:
        run_id, providers, result = generation.run_id, generation.providers, generation.result
        try:
            with sigterm_cancels_current_task():
                await self._generate(generation)
                if judge is not None and self.plan.spec.judge is not None and self.plan.spec.judge.mode == "pairwise":
                    from workbench.runner.pairwise import judge_pairs

                    await judge_pairs(self, run_id, judge, providers, result, baseline=self.plan.baseline,
                                      rubrics=self.rubrics, seed=self.plan.spec.seed)
                elif judge is not None:
                    await self._judge(run_id, judge, providers, result)
        finally:
            await _close_all(providers)

    # -- the RecordSink side (batch mode and the pairwise judge hand their work back through these) ---
    def record(self, outcome: Outcome, run_id: int) -> OutputRecord:
        return output_record(outcome, run_id, use_cache=self.options.use_cache)

    def writer(self, run_id: int) -> ResultWriter:
        return ResultWriter(self.store, score=writer_scorer(self.scorers), run_id=run_id, on_retry=self._db_retry)

    async def execute(self, calls: Generation, writer: ResultWriter,
                      make_record: Callable[[Outcome], OutputRecord | ScoreRecord | Any], *,
                      score_in_workers: bool = False) -> None:
        jobs, providers, models, result = calls.jobs, calls.providers, calls.models, calls.result
        cache = cache_hits(self.store, [j.cache_key for j in jobs]) if self.options.use_cache else {}

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

    async def _generate(self, generation: Generation) -> None:
        self.progress.start("generate", generation.result.total, generation.result.skipped)
        await self._generate_jobs(generation)

    async def _generate_jobs(self, generation: Generation) -> None:
        """Make, record and score these generation calls (batched with --batch); no progress bar of its own."""
        run_id, jobs, providers, models, result = (generation.run_id, generation.jobs, generation.providers,
                                                   generation.models, generation.result)
        if not jobs:
            return
        if self.options.batch:  # --batch: openai/anthropic cells go through the providers' Batch APIs
            from workbench.runner.batch import BatchContext, generate_batched

            context = BatchContext(self.plan.models, self.options.retry, self.plan.spec.seed, self.options.use_cache)
            await generate_batched(self, context, run_id, jobs, providers, models, result)
            return
        record = lambda o: self.record(o, run_id)  # noqa: E731
        await self.execute(generation, self.writer(run_id), record, score_in_workers=True)

    async def _judge(
        self, run_id: int, judge: ModelSpec, providers: dict[object, Provider], result: RunResult
    ) -> None:
        jobs = judge_jobs(self.store, run_id, judge, self.rubrics, self.plan.spec.seed)
        if not jobs:
            return
        self.progress.start("judge", len(jobs), 0)
        writer = ResultWriter(self.store, run_id=run_id, on_retry=self._db_retry)
        ok_before, cached_before = result.ok, result.cached
        use_cache = self.options.use_cache
        await self.execute(Generation(run_id, jobs, providers, [judge], result), writer,
                           lambda o: judge_record(o, judge, use_cache=use_cache))
        # Judge calls are counted apart from generation calls (and their cache hits apart from the outputs').
        result.judged = result.ok - ok_before
        result.ok, result.cached = ok_before, cached_before

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _db_retry(self, error: BaseException, wait: float) -> None:
        first = str(getattr(error, "orig", None) or error).strip().splitlines()
        self.progress.note(f"database: retrying in {wait:.1f}s after: {first[0][:100] if first else error}")

    def _finish(
        self, run_id: int, status: RunStatus, lost: int, lock: RunLock, result: RunResult, *, quiet: bool
    ) -> None:
        """Record how the run ended and let go of it. `quiet`: the run is already failing with an error
        of its own, which a second failure here must not replace."""
        try:
            result.spent_usd, result.lost_calls = finish_run(self.store, run_id, status, lost)
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
    plan: Plan,
    store: Store,
    options: RunOptions | None = None,
    progress: ProgressSink | None = None,
    early: EarlyStart | None = None,
) -> RunResult:
    return Runner(plan, store, options, progress, early).run()
