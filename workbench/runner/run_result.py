"""What one `workbench run` invocation did: counts, cost, time and how the run ended."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.runner.executor import Outcome
from workbench.runner.progress import ProgressSink
from workbench.store.statuses import RunStatus


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
    status: RunStatus = RunStatus.RUNNING  # how the run ended
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
