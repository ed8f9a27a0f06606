"""`validate` and the start of a run ask an OpenAI-compatible server which models it serves: a model it
does not list stops both with one line naming the models it does serve (llama.cpp answers for any name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.support.fake_llm_server import FakeLLMServer
from tests.support.no_network import closed_port
from workbench.cli import app
from workbench.errors import ProviderConfigError
from workbench.experiment.plan import build_plan
from workbench.providers.base import RetryableError
from workbench.providers.model_check import check_served_models, is_served
from workbench.providers.openai_compatible import OpenAICompatibleProvider
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.models import Run

ROOT = Path(__file__).resolve().parents[2]


def write_spec(tmp_path: Path, base_url: str, model: str = "smollm2", extra: str = "", judge: str = "") -> Path:
    spec = tmp_path / "local.yaml"
    spec.write_text(f"""name: local
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 2
models:
  - id: openai_compatible:{model}
    base_url: {base_url}
{extra}scorers: [length{', "judge:clarity"' if judge else ''}]
{judge}""")
    return spec


@pytest.fixture
def llama_like(fake_llm_server: FakeLLMServer) -> FakeLLMServer:
    """Like llama.cpp's server: lists one model, answers chat requests for any model name."""
    fake_llm_server.configure(models=["smollm2"], serve_any_model=True)
    return fake_llm_server


async def test_served_models_reads_the_list(llama_like: FakeLLMServer) -> None:
    provider = OpenAICompatibleProvider(base_url=llama_like.openai_base_url)
    assert await provider.served_models() == ["smollm2"]
    llama_like.configure(list_models=False)
    assert await provider.served_models() is None  # not offered: nothing to check
    await provider.aclose()
    gone = OpenAICompatibleProvider(base_url=f"http://127.0.0.1:{closed_port()}/v1")
    with pytest.raises(RetryableError, match="connection refused"):
        await gone.served_models()
    await gone.aclose()


def test_ollama_tags_match_with_or_without_latest() -> None:
    assert is_served("llama3.2", ["llama3.2:latest"]) and is_served("llama3.2:latest", ["llama3.2"])
    assert is_served("qwen2.5:7b", ["qwen2.5:7b"]) and not is_served("qwen2.5", ["qwen2.5:7b"])


def test_validate_names_the_served_models(tmp_path: Path, llama_like: FakeLLMServer) -> None:
    spec = write_spec(tmp_path, llama_like.openai_base_url, model="smollm3")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message and message.startswith("error:")
    assert f"{spec} [models[0].id]" in message
    assert "does not serve model 'smollm3'; it serves: smollm2" in message and "check_model: false" in message
    assert llama_like.stats.requests["POST /v1/chat/completions"] == 0  # validate makes no model calls


def test_a_served_model_validates(tmp_path: Path, llama_like: FakeLLMServer) -> None:
    result = CliRunner().invoke(app, ["validate", str(write_spec(tmp_path, llama_like.openai_base_url))])
    assert result.exit_code == 0, result.output
    assert llama_like.stats.requests["GET /v1/models"] == 1


def test_check_model_false_skips_the_check(tmp_path: Path, llama_like: FakeLLMServer) -> None:
    spec = write_spec(tmp_path, llama_like.openai_base_url, model="smollm3", extra="    check_model: false\n")
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    assert llama_like.stats.requests["GET /v1/models"] == 0


def test_servers_without_a_list_or_out_of_reach_are_not_an_error(tmp_path: Path, llama_like: FakeLLMServer) -> None:
    llama_like.configure(list_models=False)
    spec = write_spec(tmp_path, llama_like.openai_base_url, model="anything")
    assert CliRunner().invoke(app, ["validate", str(spec)]).exit_code == 0
    down = write_spec(tmp_path, f"http://127.0.0.1:{closed_port()}/v1")
    result = CliRunner().invoke(app, ["validate", str(down)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "could not ask" in result.stdout and "connection refused" in result.stdout


def test_the_judge_model_is_checked_too(tmp_path: Path, llama_like: FakeLLMServer) -> None:
    judge = f"judge: {{model: 'openai_compatible:judge-x', base_url: '{llama_like.openai_base_url}'}}\n"
    spec = write_spec(tmp_path, llama_like.openai_base_url, judge=judge)
    with pytest.raises(ProviderConfigError, match=r"\[judge.model\].*does not serve model 'judge-x'"):
        check_served_models(build_plan(spec).spec, spec, with_judge=True)


def test_a_run_stops_before_the_store_is_touched(tmp_path: Path, llama_like: FakeLLMServer, store: Store) -> None:
    spec = write_spec(tmp_path, llama_like.openai_base_url, model="smollm3")
    with pytest.raises(ProviderConfigError, match="it serves: smollm2"):
        run_experiment(build_plan(spec), store)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
    assert llama_like.stats.requests["POST /v1/chat/completions"] == 0
    # With the right name the same server runs it.
    good = run_experiment(build_plan(write_spec(tmp_path, llama_like.openai_base_url)), store)
    assert good.ok == 2 and good.errors == 0
