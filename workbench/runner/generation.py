"""One batch of calls of a run and what making them needs (the generation calls of a run or of one look of a
sequential run, or the judge's calls)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Provider
from workbench.runner.executor import Job
from workbench.runner.run_result import RunResult


@dataclass(frozen=True)
class Generation:
    run_id: int
    jobs: list[Job]
    providers: dict[object, Provider]
    models: list[ModelSpec]  # the models these calls go to (for their rate limits)
    result: RunResult  # where the outcomes are counted
