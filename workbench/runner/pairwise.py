"""The pairwise judge phase of a run (`judge: {mode: pairwise}`): see workbench.scoring.pairwise_judge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Provider
from workbench.providers.registry import connection_key
from workbench.runner.executor import Job, Outcome
from workbench.runner.generation import Generation
from workbench.runner.run_result import RunResult
from workbench.runner.sink import RecordSink
from workbench.scoring.judge import Rubric
from workbench.scoring.pairwise_judge import judge_rater, pairwise_request, parse_choice, rating_row
from workbench.store.db import Store
from workbench.store.frames import pairable_outputs
from workbench.store.queries import rating_keys
from workbench.store.repository import add_ratings

KEYS = ["case_id", "model", "repeat", "swap_name"]


class _Collect:
    """Writer stand-in for Runner.execute: keeps the ratings, stored in one transaction at the end."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def put(self, row: dict[str, Any] | None) -> None:
        if row is not None:
            self.rows.append(row)

    def close(self) -> None:
        return None


def pairwise_jobs(store: Store, run_id: int, judge: ModelSpec, baseline: str, rubrics: Sequence[Rubric],
                  seed: int) -> list[Job]:
    """Two jobs (candidate first, then baseline first) per candidate output × rubric not yet judged; the text
    shown first becomes the rating's output a."""
    with store.session() as session:
        outputs = pairable_outputs(session, run_id)
        done = rating_keys(session, run_id, "llm-judge:")
    if outputs.empty:
        return []
    base = outputs[outputs["variant"] == baseline].set_index(KEYS)
    jobs = []
    for row in outputs[outputs["variant"] != baseline].itertuples(index=False):
        key = (row.case_id, row.model, row.repeat, row.swap_name)
        if key not in base.index:
            continue
        other = base.loc[key]
        for rubric in rubrics:
            for candidate_first in (True, False):
                shown = (row.output_id, int(other["output_id"]))
                shown = shown if candidate_first else shown[::-1]
                if (*shown, judge_rater(rubric.name), "a") in done:
                    continue
                texts = (row.text or "", str(other["text"] or ""))
                variants = (row.variant, baseline)
                if not candidate_first:
                    texts, variants = texts[::-1], variants[::-1]
                request = pairwise_request(rubric, texts[0], texts[1], row.task, row.language, judge,
                                           seed, variants[0], variants[1])
                payload = (row.case_id, shown[0], shown[1], rubric.name)
                jobs.append(Job(request, connection_key(judge), payload, request.cache_key(), judge.max_attempts))
    return jobs


async def judge_pairs(sink: RecordSink, run_id: int, judge: ModelSpec, providers: dict[object, Provider],
                      result: RunResult, *, baseline: str, rubrics: Sequence[Rubric], seed: int) -> None:
    """Judge every candidate output against its baseline twice (both orders); the ratings are stored at the end."""
    jobs = pairwise_jobs(sink.store, run_id, judge, baseline, rubrics, seed)
    if not jobs:
        return
    sink.progress.start("judge (pairwise)", len(jobs), 0)
    collector = _Collect()
    ok_before, cached_before = result.ok, result.cached

    def record(outcome: Outcome) -> dict[str, Any] | None:
        case_id, first, second, rubric = outcome.job.payload
        choice = parse_choice(outcome.completion.text) if outcome.completion is not None else None
        if choice is None:
            return None  # unreadable or failed: a missing answer makes the pair a tie (see consolidate)
        simulated = outcome.completion is not None and outcome.completion.simulated
        comment = outcome.completion.text[:500] if outcome.completion is not None else None
        return {"case_id": case_id, "output_a_id": first, "output_b_id": second, **rating_row(choice),
                "rater": judge_rater(rubric),
                "comment": ("SIMULATED judge: " if simulated else "") + (comment or "")}

    try:
        await sink.execute(Generation(run_id, jobs, providers, [judge], result), collector, record)  # type: ignore[arg-type]
    finally:
        if collector.rows:
            with sink.store.session() as session:
                add_ratings(session, run_id, collector.rows)
        result.judged = result.ok - ok_before
        result.ok, result.cached = ok_before, cached_before
