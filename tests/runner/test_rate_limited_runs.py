"""Rate limits end to end: the fake server enforces them like the providers; the runner keeps under them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.fake_llm_server import FakeLLMServer
from workbench.cli import app
from workbench.experiment.plan import build_plan
from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import CompletionRequest, Message, RetryableError
from workbench.providers.openai_chat import OpenAIProvider
from workbench.runner.budget import WINDOW_ENV
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store

ROOT = Path(__file__).resolve().parents[2]


def call_until_refused(provider: OpenAIProvider | AnthropicProvider, kind: str) -> tuple[list, RetryableError]:
    async def main() -> tuple[list, RetryableError]:
        request = CompletionRequest(kind, "m", (Message("user", "hello " * 40),), {"max_tokens": 50})
        answers = []
        try:
            for _ in range(5):
                answers.append(await provider.complete(request))
        except RetryableError as exc:
            return answers, exc
        finally:
            await provider.aclose()
        raise AssertionError("never refused")

    return asyncio.run(main())


def test_openai_rpm_429_looks_like_openai(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(rate_limits={"requests": 2, "tokens": 100_000})
    provider = OpenAIProvider(api_key="sk-test", base_url=fake_llm_server.openai_base_url)
    answers, refused = call_until_refused(provider, "openai")
    assert len(answers) == 2
    first = answers[0].rate_limits
    assert first["requests"].limit == 2 and first["requests"].remaining == 1
    assert first["tokens"].limit == 100_000 and first["tokens"].remaining < 100_000
    assert refused.status == 429 and refused.retry_after is not None and refused.retry_after >= 1
    assert "Rate limit reached for m in organization" in str(refused)
    assert "on requests per min (RPM): Limit 2, Used 2, Requested 1" in str(refused)
    assert refused.rate_limits["requests"].remaining == 0
    body = fake_llm_server.stats.recent[-1]  # the SDK sent a normal chat completion
    assert body["path"] == "/v1/chat/completions"


def test_openai_tpm_counts_the_prompt_and_max_tokens(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(rate_limits={"requests": 100, "tokens": 250})  # a request: ~65 + 50 reserved
    provider = OpenAIProvider(api_key="sk-test", base_url=fake_llm_server.openai_base_url)
    answers, refused = call_until_refused(provider, "openai")
    assert len(answers) == 2  # the unused part of max_tokens came back after each answer
    assert "on tokens per min (TPM): Limit 250" in str(refused)
    used = [entry[1] + entry[2] for entry in fake_llm_server.stats.admitted]
    assert len(used) == 2 and all(tokens < 120 for tokens in used)


def test_anthropic_output_token_429_looks_like_anthropic(fake_llm_server: FakeLLMServer) -> None:
    fake_llm_server.configure(rate_limits={"requests": 50, "input_tokens": 10_000, "output_tokens": 120})
    provider = AnthropicProvider(api_key="sk-ant-test", base_url=fake_llm_server.anthropic_base_url)
    answers, refused = call_until_refused(provider, "anthropic")
    assert answers and answers[0].rate_limits is not None
    assert set(answers[0].rate_limits) == {"requests", "input_tokens", "output_tokens"}
    assert "rate limit for your organization (fake-org) of 120 output tokens per minute" in str(refused)
    assert refused.status == 429 and refused.retry_after is not None


def spec_file(tmp_path: Path, server: FakeLLMServer, limits: str) -> Path:
    spec = tmp_path / "limited.yaml"
    spec.write_text(f"""name: limited
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 10
repeats: 3
concurrency: 4
models:
  - id: openai:gpt-4o-mini
    base_url: {server.openai_base_url}
    params: {{max_tokens: 60}}
{limits}scorers: [length]
""")
    return spec


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "headers-only"])
def test_runs_stay_under_the_server_limit(
    tmp_path: Path, store: Store, fake_llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, declared: bool
) -> None:
    # A scaled time base (limits per half second) that the server and the runner agree on: 30 calls in ~1 s.
    monkeypatch.setenv(WINDOW_ENV, "0.5")
    fake_llm_server.configure(rate_limits={"requests": 20, "tokens": 1_000_000}, rate_window_s=0.5,
                              rate_headers=not declared, retry_after="5")
    limits = "    rpm: 20\n" if declared else ""
    result = run_experiment(build_plan(spec_file(tmp_path, fake_llm_server, limits)), store, RunOptions())
    assert result.ok == 30 and result.errors == 0
    # Unpaced, 30 instant answers at concurrency 4 would outrun a 20-request bucket; paced, nothing is refused.
    assert fake_llm_server.stats.statuses[429] == 0
    assert result.retries == 0


def test_dry_run_estimates_the_duration_under_the_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    spec = tmp_path / "limited.yaml"
    spec.write_text(f"""name: limited
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
repeats: 50
models:
  - id: openai:gpt-4o-mini
    tpm: 2000
    rpm: 500
  - id: anthropic:claude-haiku-4-5
    rpm: 50
  - id: openai:gpt-4o
scorers: [length]
""")
    result = CliRunner().invoke(app, ["run", str(spec), "--dry-run", "--db", str(tmp_path / "never.db")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Duration under the declared rate limits" in out
    # 2,000 calls per model: 40 min of requests at 50 RPM (paced at 98%: 41 min).
    assert "anthropic:claude-haiku-4-5: ≈ 41 min at 50 RPM" in out
    assert "openai:gpt-4o-mini: ≈" in out and "at 2k TPM" in out
    assert "openai:gpt-4o: no rate limits declared" in out


def test_token_limits_are_execution_settings_resume_continues(tmp_path: Path, fake_llm_server: FakeLLMServer) -> None:
    plain = build_plan(spec_file(tmp_path, fake_llm_server, "")).spec
    limited = build_plan(spec_file(tmp_path, fake_llm_server, "    tpm: 90000\n    itpm: 1000\n    otpm: 500\n")).spec
    assert limited.models[0].rate_limits == {"tokens": 90000, "input_tokens": 1000, "output_tokens": 500}
    assert limited.fingerprint() == plain.fingerprint()


def test_progress_bar_shows_concurrency_and_limiter_state() -> None:
    from rich.console import Console

    from workbench.cli.progress import RichProgress

    console = Console(record=True, width=200, force_terminal=False)
    progress = RichProgress(console)
    progress.start("generate", 10, 0)
    progress.pacing(8, 32, "waiting for token budget")
    progress.advance(ok=True, cost=0.0, cached=False)
    progress.stop()
    assert "concurrency 8/32 · waiting for token budget" in console.export_text()
