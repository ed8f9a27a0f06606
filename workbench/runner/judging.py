"""The rubric judge phase of a run: one judge call per successful output × rubric not scored yet, and the
score each reply becomes (workbench.scoring.judge builds the prompts and reads the replies)."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.experiment.spec import ModelSpec
from workbench.providers.registry import connection_key
from workbench.runner.executor import Job, Outcome
from workbench.runner.records import cache_entry
from workbench.runner.writer import ScoreRecord
from workbench.scoring.judge import Rubric, judge_request, parse_judgement
from workbench.store.db import Store
from workbench.store.queries import judge_inputs


def judge_jobs(store: Store, run_id: int, model: ModelSpec, rubrics: Sequence[Rubric], seed: int) -> list[Job]:
    """The judge calls a run still needs (a resumed run judges only what has no score yet)."""
    with store.session() as session:
        judged, outputs = judge_inputs(session, run_id, [f"judge.{r.name}" for r in rubrics])
    jobs = []
    for output in outputs:
        for rubric in rubrics:
            if (output.output_id, f"judge.{rubric.name}") in judged:
                continue
            request = judge_request(rubric, output.text or "", output.task, output.language, model, output.variant,
                                    seed)
            jobs.append(
                Job(request, connection_key(model), (output.output_id, rubric), request.cache_key(), model.max_attempts)
            )
    return jobs


def judge_record(outcome: Outcome, judge: ModelSpec, *, use_cache: bool) -> ScoreRecord:
    """The judge score of one output (a failed call scores as unreadable, with its error in the detail)."""
    output_id, rubric = outcome.job.payload
    if outcome.completion is None:
        score = parse_judgement(rubric, "", judge.id, judge.simulated)
        score.detail["error"] = outcome.error
    else:
        score = parse_judgement(rubric, outcome.completion.text, judge.id, outcome.completion.simulated)
    spent = 0.0 if outcome.cached or outcome.completion is None else (outcome.completion.cost_usd or 0.0)
    # Judge replies are cached like generations: rerunning an experiment pays for no call twice.
    reply = outcome.completion.text if outcome.completion is not None else None
    entry = cache_entry(outcome, text=reply) if use_cache else None
    return ScoreRecord(output_id, [score], spent_usd=spent, cache_entry=entry)
