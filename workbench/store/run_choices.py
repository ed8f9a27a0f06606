"""The run picker's list: id, experiment, effective status and SIMULATED per run, without the per-run
aggregates over every output that `queries.list_runs` computes for the Overview (on a 100,000-output
run those cost ~0.3 s, and the sidebar is drawn on every rerun, e.g. after each blind rating).
Only this module speaks SQL about the picker's list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.store.models import Experiment, Run
from workbench.store.runlock import effective_status


def run_choices(session: Session) -> list[dict[str, Any]]:
    """Every run, newest first: {"id", "experiment", "status", "simulated"}."""
    stmt = (select(Run.id, Experiment.name, Run.status, Run.holder, Run.heartbeat_at, Run.simulated)
            .join(Experiment, Experiment.id == Run.experiment_id).order_by(Run.id.desc()))
    return [{"id": run_id, "experiment": name, "status": effective_status(status, holder, heartbeat),
             "simulated": simulated}
            for run_id, name, status, holder, heartbeat, simulated in session.execute(stmt)]
