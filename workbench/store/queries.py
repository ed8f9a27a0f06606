"""The read model's row queries, shared by the runner, CLI, reports and UI: runs, cases, outputs, ratings.

With workbench.store.frames (whole-run frames for analysis and export) and workbench.store.run_summary
(the per-variant summary) this is everything that reads the store. A run can hold 100,000 outputs with
1.6 million scores: these queries select only what a command or page shows (aggregates and single cases
in SQL, never a whole run's texts), and bulk numeric loads go through the raw DB-API cursor (`raw_rows`:
plain tuples convert to NumPy ~10x faster than SQLAlchemy `Row` objects). pandas is imported by the
functions that build frames only, so `workbench list` starts without it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from workbench.errors import WorkbenchError
from workbench.providers.finish import TRUNCATED_REASONS, is_truncated
from workbench.scoring.catalogue import is_filter_metric, metric_info
from workbench.scoring.flag_spans import matches_from_details
from workbench.scoring.matches import Match
from workbench.store.models import CachedResponse, Case, Experiment, Output, Rating, Run, Score, Variant
from workbench.store.records import CacheEntry, JudgeInput, RunListing
from workbench.store.statuses import OutputStatus

if TYPE_CHECKING:
    import pandas as pd

# -- plain rows and aggregates ----------------------------------------------------------------------


def raw_rows(session: Session, stmt: Select[Any] | Any) -> list[tuple[Any, ...]]:
    """Rows as plain tuples from the DB-API cursor (only for ints, floats and strings)."""
    result = session.connection().execute(stmt)
    cursor = getattr(result, "cursor", None)
    if cursor is None:  # pragma: no cover - buffered results on exotic dialects
        return [tuple(row) for row in result]
    return list(cursor.fetchall())


def run_keys(session: Session, run_id: int) -> tuple[dict[int, str], dict[int, tuple[str, str | None]]]:
    experiment_id = select(Run.experiment_id).where(Run.id == run_id).scalar_subquery()
    variants = {vid: key for vid, key in
                session.execute(select(Variant.id, Variant.key).where(Variant.experiment_id == experiment_id))}
    cases = {cid: (key, cluster) for cid, key, cluster in
             session.execute(select(Case.id, Case.key, Case.cluster).where(Case.experiment_id == experiment_id))}
    return variants, cases


def unpriced_count() -> Any:
    """SQL aggregate: outputs made at a price nobody knows (cost NULL). Their cost is not in any sum, so a
    total with unpriced outputs is shown as "$x + unknown", never as a too-low exact amount."""
    unpriced = and_(Output.status == OutputStatus.OK, Output.cost_usd.is_(None))
    return func.coalesce(func.sum(when((unpriced, 1), else_=0)), 0)


def spent_estimate(spent_usd: float, lost_calls: int, kept_usd: float, paid_outputs: int) -> float:
    """USD spent on a run: every recorded call (`spent_usd`) plus the calls lost in flight to kills and
    interruptions (made again on resume), each at the run's mean cost per paid output."""
    mean = kept_usd / paid_outputs if paid_outputs else 0.0
    return spent_usd + lost_calls * mean


def resolve_run_id(session: Session, ref: str | int | None) -> int:
    """The id of a run given by id ("3", "#3", "run-3"), or of the newest run for `latest`/None."""
    if ref in (None, "latest", "last"):
        newest = session.scalar(select(func.max(Run.id)))
        if newest is None:
            raise WorkbenchError("no runs in this database yet; start one with `workbench run SPEC`")
        return int(newest)
    try:
        run_id = int(str(ref).removeprefix("#").removeprefix("run-"))
    except ValueError:
        raise WorkbenchError(f"run {ref!r} is not a run id (see `workbench list`)", field="RUN") from None
    if session.scalar(select(Run.id).where(Run.id == run_id)) is None:
        raise WorkbenchError(f"run {run_id} does not exist (see `workbench list`)", field="RUN")
    return run_id


def run_spec(session: Session, run_id: int) -> dict[str, Any]:
    """The experiment spec a run was made with, as stored (JSON)."""
    spec = session.scalar(select(Experiment.spec).join(Run, Run.experiment_id == Experiment.id)
                          .where(Run.id == run_id))
    return dict(spec or {})


def latest_run_for(session: Session, experiment_name: str) -> Run | None:
    stmt = (
        select(Run)
        .join(Experiment)
        .where(Experiment.name == experiment_name)
        .order_by(Run.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def list_runs(session: Session) -> list[RunListing]:
    """Every run, newest first. `outputs` counts successful results only (failed calls are `errors`);
    `status` is the effective one (a `running` run whose process is gone is `stale`)."""
    from workbench.store.runlock import effective_status

    paid = when((Output.cached.is_(False), 1), else_=0)
    counts = (
        select(
            Output.run_id,
            func.sum(when((Output.status == OutputStatus.OK, 1), else_=0)).label("outputs"),
            func.sum(func.coalesce(Output.cost_usd, 0.0)).label("cost"),
            func.sum(when((Output.status == OutputStatus.ERROR, 1), else_=0)).label("errors"),
            func.sum(when((Output.status == OutputStatus.OK, paid), else_=0)).label("paid"),
            unpriced_count().label("unpriced"),
        )
        .group_by(Output.run_id)
        .subquery()
    )
    stmt = (
        select(Run, Experiment.name, Experiment.spec_path, counts.c.outputs, counts.c.cost, counts.c.errors,
               counts.c.paid, counts.c.unpriced)
        .join(Experiment)
        .outerjoin(counts, counts.c.run_id == Run.id)
        .order_by(Run.id.desc())
    )
    result: list[RunListing] = []
    for run, name, spec_path, outputs, cost, errors, paid_outputs, unpriced in session.execute(stmt):
        kept = float(cost or 0.0)
        result.append(
            {
                "id": run.id,
                "experiment": name,
                "status": effective_status(run.status, run.holder, run.heartbeat_at),
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "total": run.total_calls,
                "outputs": int(outputs or 0),
                "errors": int(errors or 0),
                "cost_usd": kept,
                "unpriced": int(unpriced or 0),
                "spent_usd": spent_estimate(run.spent_usd or 0.0, run.lost_calls or 0, kept, int(paid_outputs or 0)),
                "lost_calls": run.lost_calls or 0,
                "simulated": run.simulated,
                "started_by": run.started_by,
                "spec_path": spec_path,
            }
        )
    return result


def experiment_runs(session: Session, name: str) -> list[dict[str, Any]]:
    """Every run of the experiment(s) called `name` (any spec version), oldest first: id, started_at,
    status, simulated, spec_hash."""
    rows = session.execute(
        select(Run.id, Run.started_at, Run.status, Run.simulated, Experiment.spec_hash)
        .join(Experiment, Experiment.id == Run.experiment_id)
        .where(Experiment.name == name)
        .order_by(Run.id)
    ).mappings().all()
    return [dict(r) for r in rows]


def variant_hashes(session: Session, run_id: int) -> dict[str, str]:
    """variant key -> content hash of the prompt templates this run's outputs were made with."""
    used = select(Output.variant_id).where(Output.run_id == run_id).distinct()
    rows = session.execute(select(Variant.key, Variant.template_hash).where(Variant.id.in_(used)))
    return {key: digest for key, digest in rows}


def existing_outputs(session: Session, run_id: int
                     ) -> dict[tuple[int, int, str, int, str], tuple[int, OutputStatus]]:
    """(variant_id, case_id, model, repeat, swap_name) -> (output id, status) for one run."""
    rows = session.execute(
        select(
            Output.variant_id,
            Output.case_id,
            Output.model,
            Output.repeat,
            Output.swap_name,
            Output.id,
            Output.status,
        ).where(Output.run_id == run_id)
    )
    return {(r[0], r[1], r[2], r[3], r[4]): (r[5], OutputStatus(r[6])) for r in rows}


def cached_responses(session: Session, keys: Sequence[str]) -> dict[str, CacheEntry]:
    """Cache entries by key with their text (kept in the output row the entry refers to). Plain columns,
    no ORM objects: a rerun reads one entry per call."""
    found: dict[str, CacheEntry] = {}
    c = CachedResponse
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stmt = (
            select(c.key, c.provider, c.model, func.coalesce(c.text, Output.text), c.input_tokens, c.output_tokens,
                   c.latency_ms, c.cost_usd, c.finish_reason, c.simulated, c.created_at)
            .outerjoin(Output, Output.id == c.output_id)
            .where(c.key.in_(chunk))
        )
        for key, provider, model, body, inp, out, latency, cost, finish, simulated, created in session.execute(stmt):
            if body is not None:  # an entry whose output was deleted is a miss
                found[key] = {"key": key, "provider": provider, "model": model, "text": body, "input_tokens": inp,
                              "output_tokens": out, "latency_ms": latency, "cost_usd": cost,
                              "finish_reason": finish, "simulated": bool(simulated), "created_at": created}
    return found


def rating_keys(session: Session, run_id: int, rater_prefix: str) -> set[tuple[int, int, str, str]]:
    """(output a, output b, rater, left) of the run's ratings by raters whose name starts with the prefix."""
    rows = session.execute(
        select(Rating.output_a_id, Rating.output_b_id, Rating.rater, Rating.left)
        .where(Rating.run_id == run_id, Rating.rater.startswith(rater_prefix, autoescape=True))
    )
    return {(a, b, rater, left) for a, b, rater, left in rows}


# -- cases and outputs (UI pages) -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseOutput:
    output_id: int
    variant: str
    model: str
    repeat: int
    swap_name: str
    status: str
    text: str
    error: str | None
    simulated: bool
    matches: list[Match] = field(default_factory=list)
    flags: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)  # every score of the output, by metric
    finish_reason: str | None = None

    @property
    def truncated(self) -> bool:
        return is_truncated(self.finish_reason)


@dataclass(frozen=True)
class Pair:
    """Two outputs for the same case and model from different variants (`a` is the baseline)."""

    case_id: int
    case: str
    model: str
    output_a: int
    output_b: int
    variant_a: str
    variant_b: str

    def left_is_a(self, run_id: int) -> bool:
        """Seeded per pair: the same pair always shows the same way round, pairs differ at random."""
        return random.Random(f"{run_id}:{self.output_a}:{self.output_b}").random() < 0.5


def case_means(session: Session, run_id: int, metric: str, *, exclude_truncated: bool = False) -> pd.DataFrame:
    """One mean per model × variant × case for one metric, averaged in SQL (repeats and names).

    `exclude_truncated` leaves out outputs cut off at max_tokens (as the verdicts do for text metrics).
    """
    import pandas as pd

    stmt = (
        select(Output.model, Variant.key, Case.key, func.avg(Score.value))
        .select_from(Output)
        .join(Score, and_(Score.output_id == Output.id, Score.metric == metric))
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id, Score.value.is_not(None))
        .group_by(Output.model, Variant.key, Case.key)
    )
    if exclude_truncated:
        stmt = stmt.where(or_(Output.finish_reason.is_(None), Output.finish_reason.not_in(sorted(TRUNCATED_REASONS))))
    frame = pd.DataFrame(raw_rows(session, stmt), columns=["model", "variant", "case", "value"])
    frame["metric"] = metric
    return frame


def flag_metric_names(metrics: Sequence[str]) -> dict[str, str]:
    """Flag filter options present in a run (the catalogue's `filter` metrics): scorer name -> metric
    (gender-coded uses the masculine count)."""
    return {metric_info(m).scorer: m for m in metrics if is_filter_metric(m)}


def run_cases(session: Session, run_id: int, *, model: str | None = None, flag_metric: str | None = None,
              search: str = "") -> pd.DataFrame:
    """Cases of a run (id, key, title), optionally only those with a flagged output — filtered in SQL."""
    import pandas as pd

    experiment_id = select(Run.experiment_id).where(Run.id == run_id).scalar_subquery()
    stmt = select(Case.id, Case.key, Case.data).where(Case.experiment_id == experiment_id).order_by(Case.id)
    if flag_metric:
        flagged = (
            select(Output.case_id)
            .join(Score, and_(Score.output_id == Output.id, Score.metric == flag_metric))
            .where(Output.run_id == run_id, Score.value > 0)
        )
        if model:
            flagged = flagged.where(Output.model == model)
        stmt = stmt.where(Case.id.in_(flagged.distinct()))
    if search:
        stmt = stmt.where(Case.key.contains(search))
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        [(cid, key, case_title(data)) for cid, key, data in rows], columns=["case_id", "case", "title"]
    )


def case_title(data: dict[str, Any] | None) -> str:
    """A short human label for a test case: its job title (and company) when the dataset has them."""
    data = data or {}
    parts = [str(data[k]) for k in ("job_title", "company") if data.get(k)]
    return " · ".join(parts)


def case_data(session: Session, case_id: int) -> dict[str, Any]:
    case = session.get(Case, case_id)
    return dict(case.data) if case is not None else {}


def swap_names(session: Session, run_id: int, case_id: int) -> list[str]:
    stmt = select(Output.swap_name).where(Output.run_id == run_id, Output.case_id == case_id).distinct()
    return sorted(session.scalars(stmt))


def case_outputs(session: Session, run_id: int, case_id: int, *, model: str | None = None, repeat: int = 0,
                 swap_name: str | None = None) -> list[CaseOutput]:
    """The outputs of one case (every variant), with their highlight matches and lint flags."""
    stmt = (
        select(Output.id, Variant.key, Output.model, Output.repeat, Output.swap_name, Output.status, Output.text,
               Output.error, Output.simulated, Output.finish_reason)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.case_id == case_id, Output.repeat == repeat)
        .order_by(Variant.id, Output.model)
    )
    if model:
        stmt = stmt.where(Output.model == model)
    if swap_name is not None:
        stmt = stmt.where(Output.swap_name == swap_name)
    rows = session.execute(stmt).all()
    details: dict[int, list[dict[str, Any] | None]] = {}
    flags: dict[int, dict[str, float]] = {}
    scores: dict[int, dict[str, float]] = {}
    if rows:
        for output_id, metric, value, detail in session.execute(
            select(Score.output_id, Score.metric, Score.value, Score.detail)
            .where(Score.output_id.in_([r[0] for r in rows]))
        ):
            details.setdefault(output_id, []).append(detail)
            if value is not None:
                scores.setdefault(output_id, {})[metric] = float(value)
            if is_filter_metric(metric):
                flags.setdefault(output_id, {})[metric] = value or 0.0
    result = []
    for oid, variant, model_, rep, name, status, body, error, simulated, finish in rows:
        text = body or ""
        matches = [m for m in matches_from_details(details.get(oid, []))
                   if 0 <= m["start"] < m["end"] <= len(text) and text[m["start"]:m["end"]] == m["text"]]
        result.append(CaseOutput(oid, variant, model_, rep, name, status, text, error, bool(simulated), matches,
                                 flags.get(oid, {}), scores.get(oid, {}), finish))
    return result


# -- review ------------------------------------------------------------------------------------------


def review_pairs(session: Session, run_id: int, baseline: str, seed: int = 0) -> list[Pair]:
    """Baseline vs every other variant, per case and model: repeat 0, the same swapped-in name.

    The queue order is shuffled with a RNG seeded by the run, so every rater sees the same sequence
    (and a half-finished session continues where it stopped).
    """
    variants, cases = run_keys(session, run_id)
    rows = raw_rows(session, select(Output.id, Output.case_id, Output.variant_id, Output.model, Output.swap_name)
                    .where(Output.run_id == run_id, Output.repeat == 0, Output.status == OutputStatus.OK)
                    .order_by(Output.id))
    cells: dict[tuple[int, str], dict[str, dict[int, int]]] = {}
    for oid, case_id, variant_id, model, name in rows:
        cells.setdefault((case_id, model), {}).setdefault(name, {})[variant_id] = oid
    baseline_id = next((vid for vid, key in variants.items() if key == baseline), None)
    pairs: list[Pair] = []
    for (case_id, model), by_name in cells.items():
        for name in sorted(by_name):
            outs = by_name[name]
            if baseline_id not in outs or len(outs) < 2:
                continue
            for variant_id, oid in sorted(outs.items()):
                if variant_id != baseline_id:
                    pairs.append(Pair(case_id, cases[case_id][0], model, outs[baseline_id], oid, baseline,
                                      variants[variant_id]))
            break  # one name per case: the comparison is between prompts, not names
    random.Random(f"review:{run_id}:{seed}").shuffle(pairs)
    return pairs


def rated_pairs(session: Session, run_id: int, rater: str) -> set[tuple[int, int]]:
    stmt = select(Rating.output_a_id, Rating.output_b_id).where(Rating.run_id == run_id, Rating.rater == rater)
    return {(a, b) for a, b in session.execute(stmt)}


def output_texts(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, bool, bool]]:
    """id -> (text, simulated, cut off at max_tokens)."""
    stmt = select(Output.id, Output.text, Output.simulated, Output.finish_reason).where(Output.id.in_(list(ids)))
    return {oid: (text or "", bool(sim), is_truncated(finish)) for oid, text, sim, finish in session.execute(stmt)}


def ratings_count(session: Session, run_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Rating).where(Rating.run_id == run_id)) or 0)


# -- run progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    run_id: int
    status: str
    done: int
    total: int
    errors: int


def run_progress(session: Session, experiment: str, *, after_run_id: int = 0, run_id: int | None = None
                 ) -> Progress | None:
    """Progress of a run started from the UI: its outputs so far vs the planned calls."""
    run = session.get(Run, run_id) if run_id else latest_run_for(session, experiment)
    if run is None or (run_id is None and run.id <= after_run_id):
        return None  # the new run has not been created yet
    session.refresh(run)
    done, errors = session.execute(
        select(func.count(), func.coalesce(func.sum(when((Output.status == OutputStatus.ERROR, 1), else_=0)), 0))
        .where(Output.run_id == run.id)
    ).one()
    return Progress(run.id, run.status, int(done), int(run.total_calls), int(errors))


def latest_run_id(session: Session, experiment: str) -> int:
    run = latest_run_for(session, experiment)
    return run.id if run is not None else 0


# -- runner ------------------------------------------------------------------------------------------


def judge_inputs(session: Session, run_id: int, metrics: Sequence[str]
                 ) -> tuple[set[tuple[int, str]], list[JudgeInput]]:
    """What a run's rubric judge still has to do: the (output id, metric) pairs already scored for `metrics`,
    and every successful output of the run with what its judge prompt needs, in output order."""
    judged = {
        (oid, metric)
        for oid, metric in session.execute(
            select(Score.output_id, Score.metric)
            .join(Output, Output.id == Score.output_id)
            .where(Output.run_id == run_id, Score.metric.in_(list(metrics)), Score.value.is_not(None))
        )
    }
    outputs = session.execute(
        select(Output.id, Output.text, Variant.key, Variant.task, Variant.language)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.status == OutputStatus.OK)
        .order_by(Output.id)
    ).all()
    return judged, [JudgeInput(*row) for row in outputs]
