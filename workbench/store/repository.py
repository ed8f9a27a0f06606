"""Queries the runner, CLI, reports and UI share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy import case as when
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workbench.errors import WorkbenchError
from workbench.store.models import (
    CachedResponse,
    Case,
    Experiment,
    Output,
    Rating,
    Run,
    Score,
    Variant,
    utcnow,
)
from workbench.store.records import CacheEntry
from workbench.store.statuses import OutputStatus

if TYPE_CHECKING:  # pandas is imported by the frame queries only: `workbench list` and friends start faster
    import pandas as pd


def unpriced_count() -> Any:
    """SQL aggregate: outputs made at a price nobody knows (cost NULL). Their cost is not in any sum, so a
    total with unpriced outputs is shown as "$x + unknown", never as a too-low exact amount."""
    unpriced = and_(Output.status == OutputStatus.OK, Output.cost_usd.is_(None))
    return func.coalesce(func.sum(when((unpriced, 1), else_=0)), 0)


def insert_ignore(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    elif dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    else:
        stmt = insert(table).prefix_with("IGNORE")
    session.execute(stmt, list(rows))


def get_or_create_experiment(
    session: Session, name: str, spec_path: str, spec_hash: str, spec: dict[str, Any]
) -> Experiment:
    found = session.scalar(
        select(Experiment).where(Experiment.name == name, Experiment.spec_hash == spec_hash)
    )
    if found is not None:
        return found
    experiment = Experiment(name=name, spec_path=spec_path, spec_hash=spec_hash, spec=spec)
    session.add(experiment)
    session.flush()
    return experiment


def sync_cases(session: Session, experiment: Experiment, cases: Iterable[Any]) -> dict[str, int]:
    existing = {c.key: c.id for c in session.scalars(select(Case).where(Case.experiment_id == experiment.id))}
    new = [
        {"experiment_id": experiment.id, "key": case.id, "cluster": case.cluster, "data": case.variables}
        for case in cases
        if case.id not in existing
    ]
    if new:
        session.execute(insert(Case), new)
        existing = {
            c.key: c.id for c in session.scalars(select(Case).where(Case.experiment_id == experiment.id))
        }
    return existing


def resolve_run(session: Session, ref: str | int | None) -> Run:
    """A run by id, or the newest run for `latest`/None."""
    if ref in (None, "latest", "last"):
        run = session.scalar(select(Run).order_by(Run.id.desc()).limit(1))
        if run is None:
            raise WorkbenchError("no runs in this database yet; start one with `workbench run SPEC`")
        return run
    try:
        run_id = int(str(ref).removeprefix("#").removeprefix("run-"))
    except ValueError:
        raise WorkbenchError(f"run {ref!r} is not a run id (see `workbench list`)", field="RUN") from None
    run = session.get(Run, run_id)
    if run is None:
        raise WorkbenchError(f"run {run_id} does not exist (see `workbench list`)", field="RUN")
    return run


def latest_run_for(session: Session, experiment_name: str) -> Run | None:
    stmt = (
        select(Run)
        .join(Experiment)
        .where(Experiment.name == experiment_name)
        .order_by(Run.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


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
    """Cache entries by key with their text (kept in the output row the entry refers to)."""
    found: dict[str, CacheEntry] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stmt = (
            select(CachedResponse, Output.text)
            .outerjoin(Output, Output.id == CachedResponse.output_id)
            .where(CachedResponse.key.in_(chunk))
        )
        for row, output_text in session.execute(stmt):
            body = row.text if row.text is not None else output_text
            if body is not None:  # an entry whose output was deleted is a miss
                found[row.key] = CacheEntry(
                    key=row.key, provider=row.provider, model=row.model, text=body, input_tokens=row.input_tokens,
                    output_tokens=row.output_tokens, latency_ms=row.latency_ms, cost_usd=row.cost_usd,
                    finish_reason=row.finish_reason, simulated=row.simulated, created_at=row.created_at)
    return found


def spent_estimate(spent_usd: float, lost_calls: int, kept_usd: float, paid_outputs: int) -> float:
    """USD spent on a run: every recorded call (`spent_usd`) plus the calls lost in flight to kills and
    interruptions (made again on resume), each at the run's mean cost per paid output."""
    mean = kept_usd / paid_outputs if paid_outputs else 0.0
    return spent_usd + lost_calls * mean


def list_runs(session: Session) -> list[dict[str, Any]]:
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
    result = []
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


def output_id_bounds(session: Session, run_id: int, chunk: int) -> list[tuple[int, int]]:
    """Inclusive (first, last) output ids of consecutive chunks of about `chunk` outputs of a run."""
    ids = list(session.scalars(select(Output.id).where(Output.run_id == run_id).order_by(Output.id)))
    return [(ids[i], ids[min(i + chunk, len(ids)) - 1]) for i in range(0, len(ids), chunk)]


def outputs_frame(session: Session, run_id: int, id_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per output with variant/case keys (text included); `id_range` limits it to one chunk."""
    import pandas as pd

    stmt = (
        select(
            Output.id.label("output_id"),
            Variant.key.label("variant"),
            Case.key.label("case"),
            Case.cluster.label("cluster"),
            Output.model,
            Output.repeat,
            Output.swap_name,
            Output.swap_group,
            Output.status,
            Output.text,
            Output.error,
            Output.attempts,
            Output.input_tokens,
            Output.output_tokens,
            Output.latency_ms,
            Output.cost_usd,
            Output.cached,
            Output.simulated,
            Output.finish_reason,
            Variant.language,
            Variant.task,
        )
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id)
        .order_by(Output.id)
    )
    if id_range is not None:
        stmt = stmt.where(Output.id.between(*id_range))
    return pd.DataFrame(session.execute(stmt).mappings().all())


def scores_frame(
    session: Session,
    run_id: int,
    *,
    with_detail: bool = False,
    metric_prefix: str | None = None,
    id_range: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Long format for the statistics engine: case, variant, model, repeat, metric, value (+ swap, cluster).

    `metric_prefix` keeps only the metrics that start with it (e.g. "ranking.top1."); `id_range` only the
    scores of outputs with ids in that inclusive range.
    """
    import pandas as pd

    columns: list[Any] = [
        Output.id.label("output_id"),
        Case.key.label("case"),
        Case.cluster.label("cluster"),
        Variant.key.label("variant"),
        Output.model,
        Output.repeat,
        Output.swap_name,
        Output.swap_group,
        Score.metric,
        Score.value,
        Score.kind,
    ]
    if with_detail:
        columns.append(Score.detail)
    stmt = (
        select(*columns)
        .join(Output, Output.id == Score.output_id)
        .join(Variant, Variant.id == Output.variant_id)
        .join(Case, Case.id == Output.case_id)
        .where(Output.run_id == run_id)
    )
    if metric_prefix:
        stmt = stmt.where(Score.metric.startswith(metric_prefix, autoescape=True))
    if id_range is not None:
        stmt = stmt.where(Output.id.between(*id_range))
    frame = pd.DataFrame(session.execute(stmt).mappings().all())
    if frame.empty:
        frame = pd.DataFrame(columns=[c.key for c in columns])
    return frame


def ratings_frame(session: Session, run_id: int) -> pd.DataFrame:
    """Blind A/B ratings in the shape the preference statistics expect."""
    import pandas as pd

    columns = ["case", "variant_a", "variant_b", "winner", "left", "rater", "comment", "model"]
    frame = pair_ratings(session, run_id)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    # The stats engine wants `left` as the variant shown on the left, not "a"/"b".
    frame["left"] = frame["variant_a"].where(frame["left"] == "a", frame["variant_b"])
    return frame[columns]


def pair_ratings(session: Session, run_id: int) -> pd.DataFrame:
    """Every A/B rating of a run by output ids: output_a_id, output_b_id, winner (a | b | tie), left (a | b),
    rater, comment, case (key), the two variants and the model, in the order they were given."""
    import pandas as pd

    a = Output.__table__.alias("a")
    b = Output.__table__.alias("b")
    va = Variant.__table__.alias("va")
    vb = Variant.__table__.alias("vb")
    stmt = (
        select(Rating.output_a_id, Rating.output_b_id, Rating.winner, Rating.left, Rating.rater, Rating.comment,
               Case.key.label("case"), va.c.key.label("variant_a"), vb.c.key.label("variant_b"),
               a.c.model.label("model"))
        .join(Case, Case.id == Rating.case_id)
        .join(a, a.c.id == Rating.output_a_id)
        .join(b, b.c.id == Rating.output_b_id)
        .join(va, va.c.id == a.c.variant_id)
        .join(vb, vb.c.id == b.c.variant_id)
        .where(Rating.run_id == run_id)
        .order_by(Rating.id)
    )
    columns = ["output_a_id", "output_b_id", "winner", "left", "rater", "comment", "case", "variant_a", "variant_b",
               "model"]
    frame = pd.DataFrame(session.execute(stmt).mappings().all())
    return frame if not frame.empty else pd.DataFrame(columns=columns)


def pairable_outputs(session: Session, run_id: int) -> pd.DataFrame:
    """The successful outputs of a run with what pairing them needs: output_id, variant, case_id, model,
    repeat, swap_name, text, task, language."""
    import pandas as pd

    stmt = (
        select(Output.id.label("output_id"), Variant.key.label("variant"), Output.case_id, Output.model,
               Output.repeat, Output.swap_name, Output.text, Variant.task, Variant.language)
        .join(Variant, Variant.id == Output.variant_id)
        .where(Output.run_id == run_id, Output.status == OutputStatus.OK)
        .order_by(Output.id)
    )
    columns = ["output_id", "variant", "case_id", "model", "repeat", "swap_name", "text", "task", "language"]
    frame = pd.DataFrame(session.execute(stmt).mappings().all())
    return frame if not frame.empty else pd.DataFrame(columns=columns)


def rating_keys(session: Session, run_id: int, rater_prefix: str) -> set[tuple[int, int, str, str]]:
    """(output a, output b, rater, left) of the run's ratings by raters whose name starts with the prefix."""
    rows = session.execute(
        select(Rating.output_a_id, Rating.output_b_id, Rating.rater, Rating.left)
        .where(Rating.run_id == run_id, Rating.rater.startswith(rater_prefix, autoescape=True))
    )
    return {(a, b, rater, left) for a, b, rater, left in rows}


def add_ratings(session: Session, run_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Store A/B ratings (case_id, output_a_id, output_b_id, left, winner, rater, comment)."""
    session.add_all([Rating(run_id=run_id, **row) for row in rows])
    session.commit()


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


def add_rating(session: Session, *, run_id: int, case_id: int, output_a: int, output_b: int, left: str, winner: str,
               rater: str, comment: str | None = None, verified: bool = False) -> tuple[int, bool]:
    """Store a blind A/B judgement unless this rater already judged this pair: (rating id, newly stored).

    `verified`: `rater` is a signed-in identity (UI auth on), not a typed-in name.

    Idempotent by the unique constraint on (run, rater, pair): a repeated key press, a stale button or a
    second browser tab returns the stored rating instead of adding another.
    """
    if left not in ("a", "b") or winner not in ("a", "b", "tie"):
        raise ValueError("left must be 'a'/'b' and winner 'a'/'b'/'tie'")
    rater = rater.strip()[:100] or "anonymous"
    values = {"run_id": run_id, "case_id": case_id, "output_a_id": output_a, "output_b_id": output_b, "left": left,
              "winner": winner, "rater": rater, "comment": comment or None, "rater_verified": verified,
              "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    stmt: Any = (sqlite.insert(Rating) if dialect == "sqlite" else postgresql.insert(Rating)).values(**values)
    inserted = session.execute(stmt.on_conflict_do_nothing().returning(Rating.id)).scalar()
    if inserted is None:
        session.rollback()
        existing = session.scalar(select(Rating.id).where(
            Rating.run_id == run_id, Rating.rater == rater, Rating.output_a_id == output_a,
            Rating.output_b_id == output_b))
        assert existing is not None  # the conflict was with this row
        return int(existing), False
    session.commit()
    return int(inserted), True


def delete_rating(session: Session, rating_id: int, *, run_id: int, rater: str) -> bool:
    """Undo: remove one of this rater's ratings of this run (False if it was already gone)."""
    result = session.execute(delete(Rating).where(Rating.id == rating_id, Rating.run_id == run_id,
                                                  Rating.rater == (rater.strip()[:100] or "anonymous")))
    session.commit()
    return bool(getattr(result, "rowcount", 0))
