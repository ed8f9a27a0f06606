"""A run's scorers and worker processes, made as soon as the plan is known.

Both are made before the run's store is opened: `workbench run` forks a large run's worker processes
right after planning (`start_early`), so the workers import the provider SDK (~0.6 s on an idle
2-core machine) while the parent imports SQLAlchemy and the store and opens the run (~0.5 s), instead
of one after the other (bench/bench_run_overhead.py). Nothing here touches the store: the workers are
forked before this process has a database connection they could inherit. A resumed run, a batch run and
a sequential run fork later, from the Runner, once the store has said which calls are left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.experiment.plan import Plan, PlannedCall
from workbench.experiment.spec import ExperimentSpec, ModelSpec
from workbench.providers.registry import connection_key
from workbench.runner.executor import Job
from workbench.runner.options import RunOptions
from workbench.runner.workers import WorkerConfig, WorkerPool, auto_workers
from workbench.scoring.base import Scorer
from workbench.scoring.judge import Rubric, judge_model, rubrics_for
from workbench.scoring.registry import build_scorers, split_judge_entries


@dataclass(frozen=True)
class RunScoring:
    """What a run scores with: its text scorers (built and prepared once) and its judge rubrics."""

    scorers: list[Scorer]
    rubrics: list[Rubric]

    @classmethod
    def of(cls, spec: ExperimentSpec) -> RunScoring:
        entries, rubric_names = split_judge_entries(list(spec.scorers))
        scorers = build_scorers(entries)
        for scorer in scorers:  # one-off loads (lemma data) now, not on the first scored output
            getattr(scorer, "prepare", lambda: None)()
        return cls(scorers, rubrics_for(rubric_names, spec.judge))

    def judge(self, spec: ExperimentSpec) -> ModelSpec | None:
        """The judge model, when the run has judge rubrics."""
        return judge_model(spec.judge) if self.rubrics else None

    def called_models(self, plan: Plan) -> list[ModelSpec]:
        """Every model the run calls: the plan's, then the judge (when it has one)."""
        judge = self.judge(plan.spec)
        return list(plan.models.values()) + ([judge] if judge else [])


def call_job(plan: Plan, call: PlannedCall, payload: Any = None, cache_key: str = "") -> Job:
    """The executor's job for one planned call (workers need only its request, connection and attempts)."""
    model = plan.models[call.cell.model]
    return Job(call.request, connection_key(model), payload, cache_key, model.max_attempts)


def concurrency(plan: Plan, options: RunOptions) -> int:
    return options.concurrency or plan.spec.concurrency


def fork_workers(plan: Plan, options: RunOptions, scoring: RunScoring,
                 jobs: Sequence[Job] | None = None) -> WorkerPool | None:
    """Worker processes for these jobs (None: every planned call, its jobs made only when workers are
    forked), or None when the run makes its calls in this process (small or little concurrent runs,
    --workers 1, --batch). Call before any event loop or thread is started."""
    models = scoring.called_models(plan)
    total = concurrency(plan, options)
    calls = len(plan.calls) if jobs is None else len(jobs)
    count = options.workers if options.workers is not None else auto_workers(calls, total, models)
    if count <= 1 or options.batch or not calls:
        return None
    if jobs is None:
        jobs = [call_job(plan, call) for call in plan.calls]
    config = WorkerConfig(models, options.client_options, total, options.retry, plan.spec.seed, scoring.scorers)
    return WorkerPool.start(min(count, total), config, jobs)


@dataclass(frozen=True)
class EarlyStart:
    """What `workbench run` makes before it opens the store: the run's scoring and, for a new run made
    by worker processes, the workers (the Runner then owns them and closes them however the run ends)."""

    scoring: RunScoring
    pool: WorkerPool | None = None


def start_early(plan: Plan, options: RunOptions) -> EarlyStart | None:
    """A new run's scoring, and its worker processes when it uses them: forked now, they hold every
    planned call and are sent which to make. None for a resume: the store decides what is left, and
    whether the run goes on as a sequential one; the Runner then makes both itself."""
    if options.resume:
        return None
    scoring = RunScoring.of(plan.spec)
    return EarlyStart(scoring, fork_workers(plan, options, scoring))
