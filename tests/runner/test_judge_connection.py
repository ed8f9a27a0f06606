"""The judge is a model like any other (local and self-hosted ones included), its provenance is shown next
to every judge verdict, and a simulated judge is labelled SIMULATED wherever its scores appear."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.support.fake_llm_server import FakeLLMServer
from workbench.analysis.run_results import analyse_run
from workbench.cli import app
from workbench.errors import SpecError
from workbench.experiment.plan import build_plan
from workbench.export import export_run
from workbench.report.console import print_verdicts
from workbench.report.render import write_report
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.frames import scores_frame

ROOT = Path(__file__).resolve().parents[2]


def spec_text(server: FakeLLMServer, judge: str, *, name: str = "judged") -> str:
    return f"""name: {name}
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 4
models:
  - id: openai_compatible:writer
    base_url: {server.openai_base_url}
scorers: [length, "judge:clarity"]
{judge}"""


def test_a_local_judge_gets_the_connection_fields(store: Store, tmp_path: Path, fake_llm_server: FakeLLMServer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_JUDGE_KEY", "judge-secret")
    judge = f"""judge:
  model: openai_compatible:judge-model
  base_url: {fake_llm_server.openai_base_url}
  api_key_env: LOCAL_JUDGE_KEY
  params: {{temperature: 0, max_tokens: 64, seed: 5}}
  timeout: 30
  max_attempts: 2
  concurrency: 2
  rpm: 6000
"""
    spec = tmp_path / "judged.yaml"
    spec.write_text(spec_text(fake_llm_server, judge))
    # The fake answers with the prompt echoed; the judge's JSON is what the parser finds in it.
    fake_llm_server.configure(output_words=4)
    run = run_experiment(build_plan(spec), store)
    assert run.ok == 8 and run.judged == 8
    judge_calls = [r for r in fake_llm_server.stats.recent if (r["json"] or {}).get("model") == "judge-model"]
    assert len(judge_calls) == 8
    assert all(c["json"]["max_tokens"] == 64 and c["json"]["seed"] == 5 for c in judge_calls)
    assert all(c["headers"]["authorization"] == "Bearer judge-secret" for c in judge_calls)
    with store.session() as session:
        details = scores_frame(session, run.run_id, with_detail=True, metric_prefix="judge.")["detail"]
    assert all(d["judge"] == "openai_compatible:judge-model" and d["simulated"] is False for d in details)


def judged_run(store: Store, tmp_path: Path, server: FakeLLMServer, judge: str, name: str) -> int:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(spec_text(server, judge, name=name))
    return run_experiment(build_plan(spec), store).run_id


def test_a_real_judge_is_named_next_to_its_verdicts_and_nothing_says_simulated(
    store: Store, tmp_path: Path, fake_llm_server: FakeLLMServer
) -> None:
    judge = f"judge: {{model: 'openai:gpt-4o-mini', base_url: '{fake_llm_server.openai_base_url}'}}\n"
    run_id = judged_run(store, tmp_path, fake_llm_server, judge, "real-judge")
    result = analyse_run(store, run_id)
    assert result.info.judge is not None and result.info.judge.model == "openai:gpt-4o-mini"
    console = Console(width=160, record=True)
    print_verdicts(console, result, all_metrics=True)
    text = console.export_text()
    assert "judge clarity (gpt-4o-mini)" in text and "judged by openai:gpt-4o-mini" in text
    assert "SIMULATED" not in text
    for suffix in ("html", "md"):
        report = write_report(store, result, tmp_path / f"r.{suffix}").read_text()
        assert "judge.clarity (judged by openai:gpt-4o-mini)" in report
        assert "SIMULATED" not in report
    table = pd.read_csv(export_run(store, run_id, "csv", tmp_path / "e.csv"))
    assert set(table["judge"]) == {"openai:gpt-4o-mini"} and not table["simulated"].any()
    assert set(table["provenance"]) == {"model output"}


def test_a_simulated_judge_of_real_outputs_says_simulated_everywhere(
    store: Store, tmp_path: Path, fake_llm_server: FakeLLMServer
) -> None:
    run_id = judged_run(store, tmp_path, fake_llm_server, "judge: {model: 'simulated:judge'}\n", "sim-judge")
    result = analyse_run(store, run_id)
    assert not result.info.simulated  # the outputs are real (the fake server's), only the judge is simulated
    console = Console(width=160, record=True)
    print_verdicts(console, result, all_metrics=True)
    text = console.export_text()
    assert "SIMULATED judge" in text and "judge clarity (SIMULATED judge)" in text
    for suffix in ("html", "md"):
        report = write_report(store, result, tmp_path / f"r.{suffix}").read_text()
        assert "SIMULATED judge" in report and "judged by simulated:judge (SIMULATED)" in report
    table = pd.read_csv(export_run(store, run_id, "csv", tmp_path / "e.csv"))
    assert table["simulated"].all() and table["judge_simulated"].all() and not table["output_simulated"].any()
    assert set(table["provenance"]) == {"model output, SIMULATED judge"}


def test_a_judge_scorer_without_a_judge_block_is_a_spec_error(tmp_path: Path, fake_llm_server: FakeLLMServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "nojudge.yaml"
    spec.write_text(spec_text(fake_llm_server, ""))
    with pytest.raises(SpecError, match=r"needs a `judge:` block"):
        build_plan(spec)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message and message.startswith("error:") and "[judge]" in message and "judge:clarity" in message


def test_all_simulated_runs_may_leave_the_judge_out(tmp_path: Path) -> None:
    spec = tmp_path / "sim.yaml"
    spec.write_text(f"""name: sim
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
models: [simulated:default]
scorers: ["judge:clarity"]
""")
    assert build_plan(spec).spec.judge is None


@pytest.mark.parametrize(
    ("judge", "message"),
    [
        ("judge: {model: 'openai_compatible:x'}", "need base_url"),
        ("judge: {model: 'simulated:judge', timeout: 0}", "greater than 0"),
        ("judge: {model: 'simulated:judge', api_key_env: 'sk-abc'}", "NAME of an environment variable"),
        ("judge: {model: 'simulated:judge', base_url: 'http://x', typo: 1}", "unknown field"),
    ],
)
def test_judge_connection_fields_are_validated(tmp_path: Path, fake_llm_server: FakeLLMServer, judge: str,
                                               message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(spec_text(fake_llm_server, judge + "\n"))
    with pytest.raises(SpecError, match=message) as info:
        build_plan(spec)
    assert "judge" in str(info.value)


def test_a_rerun_calls_neither_the_model_nor_the_judge_again(store: Store, tmp_path: Path,
                                                              fake_llm_server: FakeLLMServer) -> None:
    judge = f"judge: {{model: 'openai_compatible:judge-model', base_url: '{fake_llm_server.openai_base_url}'}}\n"
    spec = tmp_path / "cached.yaml"
    spec.write_text(spec_text(fake_llm_server, judge, name="cached"))
    first = run_experiment(build_plan(spec), store)
    calls = fake_llm_server.stats.requests["POST /v1/chat/completions"]
    assert calls == 16 and first.judged == 8
    again = run_experiment(build_plan(spec), store)
    assert fake_llm_server.stats.requests["POST /v1/chat/completions"] == calls
    assert again.cached == 8 and again.judged == 8 and again.ok == 8  # judge hits are not counted as outputs
    with store.session() as session:
        judged = scores_frame(session, again.run_id, with_detail=True, metric_prefix="judge.")
    assert len(judged) == 8 and all(d["judge"] == "openai_compatible:judge-model" for d in judged["detail"])
