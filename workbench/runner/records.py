"""The rows a call's outcome becomes: an output row (generation) or a judge score, plus its cache entry."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.experiment.plan import PlannedCall
from workbench.providers.finish import stored_reason
from workbench.runner.executor import Outcome
from workbench.runner.workers import scoring_context
from workbench.runner.writer import OutputRecord
from workbench.store.records import CacheEntry, OutputRow
from workbench.store.statuses import OutputStatus


def output_record(outcome: Outcome, run_id: int, *, use_cache: bool) -> OutputRecord:
    """The output row of a generation call (a text, or the error after its retries), to be scored and cached
    by the writer. The job's payload is (planned call, (variant id, case id), id of an earlier failed try)."""
    call: PlannedCall
    call, (variant_id, case_id), existing_id = outcome.job.payload
    cell = call.cell
    completion = outcome.completion
    row: OutputRow = {  # a literal, not OutputRow(...): built once per call, on the run's hot path
        "run_id": run_id, "variant_id": variant_id, "case_id": case_id, "model": cell.model, "repeat": cell.repeat,
        "swap_name": cell.swap_name, "swap_group": cell.swap_group, "request_hash": outcome.job.cache_key,
        "attempts": outcome.attempts, "cached": outcome.cached, "created_at": datetime.now(UTC),
        "status": OutputStatus.ERROR, "text": None, "error": outcome.error, "input_tokens": 0, "output_tokens": 0,
        "latency_ms": 0.0, "cost_usd": 0.0, "simulated": False, "finish_reason": None,
    }
    if completion is None:
        return OutputRecord(row=row, existing_id=existing_id)
    row.update({
        "status": OutputStatus.OK, "text": completion.text, "error": None, "input_tokens": completion.input_tokens,
        "output_tokens": completion.output_tokens, "latency_ms": completion.latency_s * 1000,
        "cost_usd": 0.0 if outcome.cached else completion.cost_usd, "simulated": completion.simulated,
        "finish_reason": stored_reason(completion.finish_reason),
    })
    spent = 0.0 if outcome.cached else (completion.cost_usd or 0.0)
    # Pre-scored when a worker process scored the text (see workbench.runner.workers).
    scoring = scoring_context(call.request.metadata, outcome.scores)
    # The cached text lives in the output row; the writer sets the entry's output_id.
    entry = cache_entry(outcome, text=None) if use_cache else None
    return OutputRecord(row=row, existing_id=existing_id, cache_entry=entry, scoring=scoring, spent_usd=spent)


def cache_entry(outcome: Outcome, *, text: str | None) -> CacheEntry | None:
    """The response cache row for a fresh completion (generation or judge), None for hits and failures.

    `text` is None for generations (the entry refers to the output row that holds it) and the reply
    itself for judge calls, which have no output row of their own.
    """
    completion, request = outcome.completion, outcome.job.request
    if completion is None or outcome.cached:
        return None
    return CacheEntry(
        key=outcome.job.cache_key,
        provider=request.provider,
        model=request.model,
        text=text,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        latency_ms=completion.latency_s * 1000,
        cost_usd=completion.cost_usd,
        finish_reason=stored_reason(completion.finish_reason),
        simulated=completion.simulated,
        created_at=datetime.now(UTC),
    )
