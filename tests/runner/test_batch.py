"""`workbench run --batch` against the fake server through the real SDKs: submit, poll, join, resume."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.providers.mock_api import SECRET_KEY
from tests.support.fake_llm_server import FakeLLMServer
from workbench.experiment.plan import Plan, build_plan
from workbench.providers import pricing
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, PermanentError, RetryableError
from workbench.providers.openai_chat import OpenAIProvider
from workbench.runner.batch import POLL_ENV, cell_custom_id, split
from workbench.runner.batch_anthropic import AnthropicBatches
from workbench.runner.batch_openai import OpenAIBatches
from workbench.runner.progress import NullProgress
from workbench.runner.run import RunOptions, RunResult, run_experiment
from workbench.store.db import Store
from workbench.store.models import BatchJob, Case, Output, Run, Score, Variant

ROOT = Path(__file__).resolve().parents[2]
OPENAI_CREATE = "POST /v1/batches"
ANTHROPIC_CREATE = "POST /v1/messages/batches"
BATCHED = ("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5")
CellKey = tuple[str, str, str, int]


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch: pytest.MonkeyPatch, fake_llm_server: FakeLLMServer) -> None:
    monkeypatch.setenv(POLL_ENV, "0.02")
    fake_llm_server.configure(batch_delay_s=0.05)


def write_spec(
    tmp_path: Path, server: FakeLLMServer, *, cases: int = 3, repeats: int = 2, simulated: bool = True
) -> Path:
    spec = tmp_path / "batch.yaml"
    spec.write_text(
        f"""name: batch-demo
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
max_cases: {cases}
models:
  - id: openai:gpt-4o-mini
    base_url: {server.openai_base_url}
    params: {{temperature: 0.2, max_tokens: 400}}
  - id: anthropic:claude-haiku-4-5
    base_url: {server.anthropic_base_url}
{"  - simulated:default" if simulated else ""}
repeats: {repeats}
scorers: [length]
concurrency: 4
""",
        encoding="utf-8",
    )
    return spec


def outputs(store: Store, run_id: int) -> dict[CellKey, Output]:
    """(variant, case, model, repeat) -> output row; asserts there is exactly one per cell."""
    with store.session() as session:
        rows = session.execute(
            select(Output, Variant.key, Case.key)
            .join(Variant, Variant.id == Output.variant_id)
            .join(Case, Case.id == Output.case_id)
            .where(Output.run_id == run_id)
        ).all()
    found = {(variant, case, out.model, out.repeat): out for out, variant, case in rows}
    assert len(found) == len(rows), "a cell was stored twice"
    return found


def batch_rows(store: Store) -> list[BatchJob]:
    with store.session() as session:
        return list(session.scalars(select(BatchJob).order_by(BatchJob.id)))


def creates(server: FakeLLMServer) -> tuple[int, int]:
    requests = server.stats.requests
    return requests[OPENAI_CREATE], requests[ANTHROPIC_CREATE]


def custom_id_of(
    plan: Plan, model: str, variant: str = "vacancy_nl_formal", case: str = "nl-01", repeat: int = 0
) -> str:
    wanted = (model, variant, case, repeat)
    call = next(c for c in plan.calls if (c.cell.model, c.cell.variant, c.cell.case, c.cell.repeat) == wanted)
    return cell_custom_id(call.cell, call.request.cache_key())


def assert_complete(store: Store, plan: Plan, run_id: int) -> None:
    found = outputs(store, run_id)
    assert len(found) == len(plan.calls)
    assert {out.status for out in found.values()} == {"ok"}


# -- end to end ----------------------------------------------------------------------------------------
def test_batch_run_joins_by_custom_id_and_prices_at_half(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server))
    result = run_experiment(plan, store, RunOptions(batch=True))
    assert (result.ok, result.errors, result.interrupted) == (len(plan.calls), 0, False)
    stats = fake_llm_server.stats.requests
    assert creates(fake_llm_server) == (1, 1)
    assert stats["POST /v1/files"] == 1 and stats["GET /v1/files/{id}/content"] == 1
    assert stats["POST /v1/chat/completions"] == stats["POST /v1/messages"] == 0  # nothing called directly

    # The same plan through the normal path is the reference: same text per cell, twice the price.
    reference_store = Store(f"sqlite:///{tmp_path / 'reference.db'}")
    reference = run_experiment(plan, reference_store, RunOptions(use_cache=False))
    expected = outputs(reference_store, reference.run_id)
    reference_store.dispose()
    got = outputs(store, result.run_id)
    assert got.keys() == expected.keys()
    titles = {case.id: case.variables["job_title"] for case in plan.cases}
    for key, out in got.items():
        _, case, model, _ = key
        assert out.status == "ok" and out.text == expected[key].text
        if model not in BATCHED:
            continue
        assert titles[case].split()[0] in out.text  # the fake echoes the prompt: the cell's own job title
        provider, name = model.split(":")
        full_price = pricing.price(provider, name, out.input_tokens, out.output_tokens)
        assert full_price and out.cost_usd == pytest.approx(full_price * pricing.BATCH_DISCOUNT)
        assert out.cost_usd == pytest.approx(expected[key].cost_usd / 2)
    assert result.cost_usd == pytest.approx(reference.cost_usd / 2)

    with store.session() as session:
        run = session.get(Run, result.run_id)
        assert run is not None and run.batch and run.status == "completed"
        scored = session.scalar(select(func.count(func.distinct(Score.output_id))))
    assert scored == len(plan.calls)  # batch results are scored like any other
    rows = batch_rows(store)
    assert sorted(r.provider for r in rows) == ["anthropic", "openai"]
    assert all(r.finished_at is not None and len(r.custom_ids) == 12 for r in rows)
    assert {r.status for r in rows} == {"completed", "ended"}


def test_cached_requests_are_never_submitted(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server, simulated=False))
    first = run_experiment(plan, store, RunOptions(batch=True))
    second = run_experiment(plan, store, RunOptions(batch=True))  # a new run of the same spec
    assert second.run_id != first.run_id
    assert second.cached == second.ok == len(plan.calls) and second.cost_usd == 0
    assert creates(fake_llm_server) == (1, 1)


def test_large_workloads_are_split_into_several_batches(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server, simulated=False))
    monkeypatch.setattr(OpenAIBatches, "max_requests", 5)  # 12 requests -> 5 + 5 + 2
    monkeypatch.setattr(AnthropicBatches, "max_bytes", 6_000)  # a few ~1.3 kB requests per batch
    result = run_experiment(plan, store, RunOptions(batch=True))
    assert result.ok == len(plan.calls) and result.errors == 0
    n_openai, n_anthropic = creates(fake_llm_server)
    assert n_openai == 3 and n_anthropic >= 3
    rows = batch_rows(store)
    ids = [cid for row in rows for cid in row.custom_ids]
    assert len(ids) == len(set(ids)) == len(plan.calls)
    assert_complete(store, plan, result.run_id)


# -- failures and resume -------------------------------------------------------------------------------
def test_errored_requests_are_stored_failed_and_resume_resubmits_only_them(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server, simulated=False))
    broken = {
        custom_id_of(plan, BATCHED[0]): "500",
        custom_id_of(plan, BATCHED[1], case="nl-02"): "529",
        custom_id_of(plan, BATCHED[1], repeat=1): "400",
    }
    fake_llm_server.configure(batch_faults=broken)
    first = run_experiment(plan, store, RunOptions(batch=True))
    assert (first.ok, first.errors) == (len(plan.calls) - 3, 3)
    failed = {k: o for k, o in outputs(store, first.run_id).items() if o.status == "error"}
    assert set(failed) == {
        ("vacancy_nl_formal", "nl-01", BATCHED[0], 0),
        ("vacancy_nl_formal", "nl-02", BATCHED[1], 0),
        ("vacancy_nl_formal", "nl-01", BATCHED[1], 1),
    }
    assert all("fake batch error" in (o.error or "") for o in failed.values())
    with store.session() as session:
        assert session.get(Run, first.run_id).status == "incomplete"  # type: ignore[union-attr]

    fake_llm_server.configure(batch_faults={})
    resumed = run_experiment(plan, store, RunOptions(resume=True, batch=True))
    assert (resumed.run_id, resumed.ok, resumed.errors) == (first.run_id, 3, 0)
    assert resumed.skipped == len(plan.calls) - 3
    assert creates(fake_llm_server) == (2, 2)
    second_round = {row.provider: sorted(row.custom_ids) for row in batch_rows(store)[2:]}
    assert second_round == {"openai": sorted(list(broken)[:1]), "anthropic": sorted(list(broken)[1:])}
    assert_complete(store, plan, first.run_id)


@pytest.mark.parametrize("outcome", ["expired", "failed"])
def test_a_batch_that_ends_without_results_fails_its_cells_until_resumed(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store, outcome: str
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server, cases=1, repeats=1, simulated=False))
    fake_llm_server.configure(batch_outcome=outcome)
    first = run_experiment(plan, store, RunOptions(batch=True))
    assert (first.ok, first.errors) == (0, len(plan.calls))
    errors = [o.error or "" for o in outputs(store, first.run_id).values()]
    assert any("openai: batch batch_" in e and outcome in e for e in errors)
    assert any("anthropic: batch request expired" in e for e in errors)  # Anthropic expires per request
    fake_llm_server.configure(batch_outcome="completed")
    resumed = run_experiment(plan, store, RunOptions(resume=True))  # batch mode is inherited
    assert resumed.ok == len(plan.calls) and creates(fake_llm_server) == (2, 2)
    assert_complete(store, plan, first.run_id)


class InterruptAfterFirstSubmission(NullProgress):
    """Ctrl-C right after the first batch is stored (KeyboardInterrupt, as Python raises on SIGINT)."""

    def note(self, text: str) -> None:
        if "submitted" in text:
            raise KeyboardInterrupt


def test_ctrl_c_leaves_the_batch_running_and_resume_collects_it(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server))
    first = run_experiment(plan, store, RunOptions(batch=True), InterruptAfterFirstSubmission())
    assert first.interrupted
    rows = batch_rows(store)
    assert [(r.provider, r.finished_at) for r in rows] == [("openai", None)]  # stored, still in flight
    assert creates(fake_llm_server) == (1, 0)
    with store.session() as session:
        assert session.get(Run, first.run_id).status == "interrupted"  # type: ignore[union-attr]

    resumed = run_experiment(plan, store, RunOptions(resume=True, batch=True))
    assert creates(fake_llm_server) == (1, 1)  # the openai batch was polled, not submitted again
    assert resumed.errors == 0
    assert_complete(store, plan, first.run_id)
    assert all(r.finished_at is not None for r in batch_rows(store))


def wait_for_batches(db_file: Path, count: int, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Until `count` batches are stored. The bound only stops a broken run from hanging the suite: nothing
    here races the child (its batches are held by the server), so a slow machine only makes it wait longer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.stderr.read().decode() if proc.stderr else ''}")
        if db_file.exists():
            store = Store(str(db_file), migrate_schema=False)
            try:
                with store.session() as session:
                    if (session.scalar(select(func.count()).select_from(BatchJob)) or 0) >= count:
                        return
            except Exception:  # the schema may not exist yet
                pass
            finally:
                store.dispose()
        time.sleep(0.05)
    pytest.fail("no batch was submitted")


def test_sigkill_while_batches_are_pending_then_resume_submits_nothing_twice(
    tmp_path: Path, fake_llm_server: FakeLLMServer
) -> None:
    spec = write_spec(tmp_path, fake_llm_server)
    db_file = tmp_path / "killed.db"
    # The server keeps every batch in progress until released: however slow the machine, the child is
    # killed with both batches pending (it polls them, and they never end while held).
    fake_llm_server.configure(hold_batches=True)
    command = [sys.executable, "-m", "workbench", "run", str(spec), "--db", str(db_file), "--batch"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ), cwd=ROOT)
    try:
        wait_for_batches(db_file, 2, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=600)  # SIGKILL cannot be ignored: this only waits for the exit
    assert creates(fake_llm_server) == (1, 1)
    fake_llm_server.configure(hold_batches=False)

    plan = build_plan(spec)
    store = Store(str(db_file))
    try:
        with store.session() as session:
            before = session.scalar(select(func.count()).select_from(Output).where(Output.model.in_(BATCHED)))
        assert before == 0  # killed before any batch result arrived
        resumed: RunResult = run_experiment(plan, store, RunOptions(resume=True))  # batch mode inherited
        assert resumed.errors == 0 and not resumed.interrupted
        assert creates(fake_llm_server) == (1, 1)
        assert_complete(store, plan, resumed.run_id)
        assert all(r.finished_at is not None for r in batch_rows(store))
    finally:
        store.dispose()


def test_a_batch_the_provider_no_longer_knows_is_resubmitted_on_the_next_resume(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store
) -> None:
    plan = build_plan(write_spec(tmp_path, fake_llm_server, cases=1, repeats=1, simulated=False))
    first = run_experiment(plan, store, RunOptions(batch=True), InterruptAfterFirstSubmission())
    fake_llm_server.reset()  # the provider forgets the openai batch
    fake_llm_server.configure(batch_delay_s=0.05)
    second = run_experiment(plan, store, RunOptions(resume=True))
    assert second.errors == 2 and second.ok == 2  # the lost batch's cells fail, anthropic's complete
    assert any("not found (404)" in sample for sample in second.error_samples)
    assert batch_rows(store)[0].status == "not_found"
    third = run_experiment(plan, store, RunOptions(resume=True))
    assert (third.run_id, third.ok, third.errors) == (first.run_id, 2, 0)
    assert_complete(store, plan, first.run_id)


# -- pieces ----------------------------------------------------------------------------------------------
def test_custom_ids_are_stable_short_and_unique(tmp_path: Path, fake_llm_server: FakeLLMServer) -> None:
    spec = write_spec(tmp_path, fake_llm_server)
    ids = [cell_custom_id(c.cell, c.request.cache_key()) for c in build_plan(spec).calls]
    again = [cell_custom_id(c.cell, c.request.cache_key()) for c in build_plan(spec).calls]
    assert ids == again and len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", cid) for cid in ids)


def test_split_respects_count_and_size_limits() -> None:
    assert split(list(range(7)), [1] * 7, 3, 100) == [[0, 1, 2], [3, 4, 5], [6]]
    assert split(list("abcd"), [40, 40, 30, 90], 10, 100) == [["a", "b"], ["c"], ["d"]]
    assert split(["huge"], [500], 10, 100) == [["huge"]]  # alone; the provider decides
    assert split([], [], 3, 100) == []


MESSAGES = (Message("system", "You are a recruiter."), Message("user", "Vacancy: nurse"))
PARAMS = {"temperature": 0.3, "max_tokens": 120, "top_k": 5, "seed": 7}  # top_k travels in extra_body


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_batch_body_is_exactly_what_complete_sends(fake_llm_server: FakeLLMServer, kind: str) -> None:
    provider: Any
    if kind == "openai":
        provider = OpenAIProvider(api_key=SECRET_KEY, base_url=fake_llm_server.openai_base_url)
        request = CompletionRequest("openai", "gpt-4o-mini", MESSAGES, PARAMS)
    else:
        provider = AnthropicProvider(api_key=SECRET_KEY, base_url=fake_llm_server.anthropic_base_url)
        request = CompletionRequest("anthropic", "claude-haiku-4-5", MESSAGES, PARAMS)
    await provider.complete(request)
    assert provider.batch_body(request) == fake_llm_server.stats.last_json
    await provider.aclose()


def test_parse_batch_result_failures_are_provider_errors() -> None:
    openai_p = OpenAIProvider(api_key=SECRET_KEY, base_url="http://127.0.0.1:9/v1")
    expired = {"code": "batch_expired", "message": "too late"}
    with pytest.raises(RetryableError, match="batch_expired"):
        openai_p.parse_batch_result({"custom_id": "a", "response": None, "error": expired}, "gpt-4o-mini")
    bad = {"status_code": 400, "body": {"error": {"message": f"bad key {SECRET_KEY}"}}}
    with pytest.raises(PermanentError) as info:
        openai_p.parse_batch_result({"custom_id": "a", "response": bad, "error": None}, "gpt-4o-mini")
    assert SECRET_KEY not in str(info.value)
    claude = AnthropicProvider(api_key=SECRET_KEY, base_url="http://127.0.0.1:9")
    invalid = {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too big"}}
    with pytest.raises(PermanentError, match="invalid_request_error"):
        claude.parse_batch_result({"custom_id": "a", "result": {"type": "errored", "error": invalid}}, "m")
    with pytest.raises(RetryableError, match="canceled"):
        claude.parse_batch_result({"custom_id": "a", "result": {"type": "canceled"}}, "m")
