"""Writing runs: open one (new, or the latest of an experiment for a resume), locked; record how it ended.

What a resume may not do (mix two spec or prompt versions) is decided here from the stored rows and
reported as a `ResumeRefused`, before anything is committed: the runner words it for the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from workbench.store.db import Store, retry_transient
from workbench.store.models import Run
from workbench.store.queries import latest_run_for
from workbench.store.repository import get_or_create_experiment, sync_cases
from workbench.store.runlock import RunLock
from workbench.store.statuses import RunStatus
from workbench.store.versions import run_variant_ids, sync_variant_versions


@dataclass(frozen=True)
class ExperimentDesign:
    """What a run is a run of: the spec (name, file, fingerprint, JSON) and its prompt variants and cases
    (workbench.experiment objects: variants with key/task/language/templates, cases with id/cluster/variables)."""

    name: str
    spec_path: str
    fingerprint: str
    spec: dict[str, Any]
    variants: Iterable[Any]
    cases: Iterable[Any]


@dataclass(frozen=True)
class NewRun:
    """The columns of a new run row."""

    total_calls: int
    simulated: bool
    settings: dict[str, Any]  # the variant ids are added
    batch: bool
    started_by: str


@dataclass
class OpenedRun:
    """A run this process holds the lock of, and the ids of its variants (current versions) and cases."""

    run_id: int
    simulated: bool
    batch: bool  # a resumed batch run stays a batch run
    variant_ids: dict[str, int]
    case_ids: dict[str, int]
    lock: RunLock
    version_notes: list[str] = field(default_factory=list)  # prompts that changed since they were last run


class ResumeRefused(Exception):
    """A resume that would mix two designs: no earlier run (`run_id` None), another spec version
    (`variant` None) or another version of prompt `variant`. Nothing was committed."""

    def __init__(self, run_id: int | None, variant: str | None = None) -> None:
        super().__init__(run_id, variant)
        self.run_id = run_id
        self.variant = variant


def open_run(store: Store, design: ExperimentDesign, *, resume: bool, new: NewRun) -> OpenedRun:
    """The run to work on, locked: a resume that finds another process on the run stops here (RunBusyError),
    before anything about the run is changed. A resumed run is `running` again and keeps its settings."""
    with store.session() as session:
        experiment = get_or_create_experiment(session, design.name, design.spec_path, design.fingerprint,
                                              design.spec)
        variant_ids, notes = sync_variant_versions(session, experiment, design.variants)
        case_ids = sync_cases(session, experiment, design.cases)
        if resume:
            run = latest_run_for(session, design.name)
            if run is None:
                raise ResumeRefused(None)
            if run.experiment_id != experiment.id:
                raise ResumeRefused(run.id)
            changed = sorted(k for k, v in run_variant_ids(session, run).items() if variant_ids.get(k) != v)
            if changed:  # before anything is committed: the store stays as it was
                raise ResumeRefused(run.id, changed[0])
            session.commit()  # experiment, variants and cases (idempotent)
            lock = RunLock(store, run.id)
            lock.acquire()
            try:
                session.refresh(run)
                run.status = RunStatus.RUNNING
                run.finished_at = None
                # A batch run resumes in batch mode: its batches may still be in flight at the provider.
                run.batch = run.batch or new.batch
                session.commit()
            except BaseException:
                lock.release()
                raise
            return OpenedRun(run.id, run.simulated, run.batch, variant_ids, case_ids, lock)
        run = Run(
            experiment_id=experiment.id,
            status=RunStatus.RUNNING,
            total_calls=new.total_calls,
            simulated=new.simulated,
            settings={**new.settings, "variant_ids": variant_ids},
            batch=new.batch,
            started_by=new.started_by,
        )
        session.add(run)
        session.commit()
    lock = RunLock(store, run.id)
    lock.acquire()
    return OpenedRun(run.id, run.simulated, run.batch, variant_ids, case_ids, lock, notes)


def finish_run(store: Store, run_id: int, status: RunStatus, lost_calls: int) -> tuple[float, int]:
    """Record how a run ended (status, end time, calls lost in flight); returns its (spent USD, lost calls).

    Checks first that a SQLite file is still the one the results went to; retried on transient errors."""
    store.check_file()
    spent: tuple[float, int] = (0.0, 0)

    def write() -> None:
        nonlocal spent
        with store.session() as session:
            run = session.get(Run, run_id)
            if run is not None:
                run.status = status
                run.finished_at = datetime.now(UTC)
                run.lost_calls = (run.lost_calls or 0) + lost_calls
                session.commit()
                spent = (run.spent_usd or 0.0, run.lost_calls)

    retry_transient(write)
    return spent
