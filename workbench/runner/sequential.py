"""`workbench run --until-decided`: draw cases in a seeded random order, look every `look_every` cases,
stop once every candidate is decided (issue #19).

The plan is cut to the first `max_cases` cases of the seeded order, so the run's planned total, the
fingerprint check and `--resume` work as for any run. Generation then goes look by look: each look
completes its cases for every variant, model and repeat together (and judges them), so the analysis
stays paired; then the anytime-valid tests are updated (workbench.analysis.sequential_looks) and the look is
stored. A look is stored once (unique per run): a resume continues after the last stored look, with
the order stored at the start. With --batch each look is one batch per model.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from workbench.analysis.sequential_looks import (
    case_order,
    compute_look,
    look_sentence,
    new_design,
    not_spent,
    stop_sentence,
)
from workbench.errors import SpecError, WorkbenchError
from workbench.experiment.plan import Plan
from workbench.experiment.spec import SequentialSpec
from workbench.runner.executor import Job
from workbench.runner.generation import Generation
from workbench.runner.progress import ProgressSink
from workbench.runner.run import Runner, RunOptions, RunResult
from workbench.scoring.judge import judge_model
from workbench.stats.sequential import LookResult, TestState
from workbench.store.db import Store
from workbench.store.queries import latest_run_id
from workbench.store.sequential import looks, save_design, save_look, stored_design


@dataclass
class SequentialEnd:
    """How the sequential part of a run ended (None on the runner while it has not)."""

    look: LookResult
    sentence: str


def sequential_block(plan: Plan) -> SequentialSpec:
    """The spec's `sequential:` block, or the defaults for `--until-decided` without one: every case may
    be drawn, a look every 10 cases, the spec's alpha."""
    block = plan.spec.sequential
    if block is not None:
        return block
    cases = len(plan.cases)
    return SequentialSpec(max_cases=max(cases, 2), look_every=min(10, max(cases, 2)))


def sequential_plan(plan: Plan, block: SequentialSpec) -> tuple[Plan, list[str]]:
    """The plan cut to the first `max_cases` cases of the seeded order (calls in that order), and the order."""
    order = case_order([case.id for case in plan.cases], plan.spec.seed)
    if block.max_cases > len(order):
        raise SpecError(
            f"sequential.max_cases is {block.max_cases} but the dataset has {len(order)} cases",
            file=plan.spec_path, field="sequential.max_cases",
        )
    rank = {case: i for i, case in enumerate(order[: block.max_cases])}
    cases = sorted((c for c in plan.cases if c.id in rank), key=lambda c: rank[c.id])
    calls = sorted((c for c in plan.calls if c.cell.case in rank), key=lambda c: rank[c.cell.case])
    return replace(plan, cases=cases, calls=calls), order


def resumes_sequential(store: Store, plan: Plan, *, until_decided: bool) -> bool:
    """Whether `--resume` continues a run started with --until-decided (it then resumes as one, flag or
    not); a run started without it is not turned sequential halfway (one clear error)."""
    with store.session() as session:
        run_id = latest_run_id(session, plan.spec.name)
        if not run_id:
            return until_decided
        sequential = stored_design(session, run_id) is not None
    if until_decided and not sequential:
        raise WorkbenchError(
            f"run {run_id} was started without --until-decided; resume it without the flag "
            "(or start a new sequential run without --resume)", file=plan.spec_path,
        )
    return sequential or until_decided


class SequentialRunner(Runner):
    """A Runner whose generation goes look by look and stops once every candidate is decided."""

    def __init__(
        self, plan: Plan, store: Store, options: RunOptions | None = None, progress: ProgressSink | None = None
    ) -> None:
        self.block = sequential_block(plan)
        cut, self.order = sequential_plan(plan, self.block)
        super().__init__(cut, store, options, progress)
        self.end: SequentialEnd | None = None

    def _design(self, run_id: int) -> dict[str, Any]:
        with self.store.session() as session:
            stored = stored_design(session, run_id)
            done = looks(session, run_id)
        expected = self.order[: self.block.max_cases]
        if stored is not None:
            if list(stored["order"]) != expected:
                raise WorkbenchError(
                    f"run {run_id} drew its cases in another order (the dataset changed since); "
                    "run without --resume to start a new run", file=self.plan.spec_path,
                )
            return stored
        if done:
            raise WorkbenchError(f"run {run_id} has looks but no stored design", file=self.plan.spec_path)
        plan = self.plan
        candidates = [v for v in plan.variants if v != plan.baseline]
        design = new_design(
            plan.spec, self.block, expected, baseline=plan.baseline, candidates=candidates,
            models=list(plan.models), calls_per_case=len(plan.calls) // max(len(plan.cases), 1),
            judge_rubrics=len(self.rubrics),
        )
        save_design(self.store, run_id, design)
        return design

    async def _generate(self, generation: Generation) -> None:
        run_id, jobs, providers, result = generation.run_id, generation.jobs, generation.providers, generation.result
        stored = self._design(run_id)
        with self.store.session() as session:
            done = [(row.look, row.stop, [TestState.from_dict(t) for t in row.tests]) for row in looks(session, run_id)]
        previous = done[-1][2] if done else []
        if done and done[-1][1]:
            return  # the run had stopped: nothing left to draw
        by_case: dict[str, list[Job]] = {}
        for job in jobs:
            by_case.setdefault(job.payload[0].cell.case, []).append(job)
        # Rubric scores are judged per look (a look may need them); a pairwise judge (`judge: {mode: pairwise}`)
        # compares the drawn outputs once, after the last look, as in any run.
        pairwise = self.plan.spec.judge is not None and self.plan.spec.judge.mode == "pairwise"
        judge = judge_model(self.plan.spec.judge) if self.rubrics and not pairwise else None
        order: list[str] = list(stored["order"])
        points = self._points(stored)
        for look in range(len(done) + 1, len(points) + 1):
            n = points[look - 1]
            look_jobs = [job for case in order[:n] for job in by_case.pop(case, [])]
            self.progress.start(f"look {look} ({n}/{len(order)} cases)", len(look_jobs), 0)
            await self._generate_jobs(replace(generation, jobs=look_jobs))
            if judge is not None:
                judged = result.judged
                await self._judge(run_id, judge, providers, result)
                result.judged += judged
            outcome = await asyncio.to_thread(compute_look, self.store, run_id, self.plan.spec, stored, look,
                                              previous)
            await asyncio.to_thread(self._store_look, run_id, stored, outcome)
            previous = outcome.tests
            if outcome.stop:
                drawn = set(order[: outcome.cases])
                result.total = sum(1 for call in self.plan.calls if call.cell.case in drawn)  # what was planned
                return

    def _points(self, stored: dict[str, Any]) -> list[int]:
        from workbench.analysis.sequential_looks import design_of

        return design_of(stored).looks()

    def _store_look(self, run_id: int, stored: dict[str, Any], outcome: LookResult) -> None:
        if outcome.stop:
            spared = not_spent(self.store, run_id, stored, outcome.cases)
            sentence = stop_sentence(outcome.tests, outcome.cases, outcome.max_cases, float(stored["alpha"]), spared,
                                     several_models=len(self.plan.models) > 1)
            self.end = SequentialEnd(outcome, sentence)
            drawn = set(self.order[: outcome.cases])
            drawn_calls = sum(1 for call in self.plan.calls if call.cell.case in drawn)
            save_look(self.store, run_id, outcome.look, outcome.cases, outcome.max_cases, True, sentence,
                      [t.to_dict() for t in outcome.tests], total_calls=drawn_calls,
                      spared=(spared.calls, spared.cost_usd))
        else:
            save_look(self.store, run_id, outcome.look, outcome.cases, outcome.max_cases, False,
                      look_sentence(outcome), [t.to_dict() for t in outcome.tests])


def run_until_decided(
    plan: Plan, store: Store, options: RunOptions | None = None, progress: ProgressSink | None = None
) -> tuple[RunResult, SequentialRunner]:
    runner = SequentialRunner(plan, store, options, progress)
    return runner.run(), runner
