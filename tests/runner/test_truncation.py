"""Outputs cut off at max_tokens: the finish reason is stored for every output (OpenAI `finish_reason`,
Anthropic `stop_reason`), cut-off outputs are marked in every surface and left out of the text metrics by
default, with a count and a warning; `truncated_outputs: include` keeps them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from sqlalchemy import select
from typer.testing import CliRunner

from tests.support.fake_llm_server import FakeLLMServer
from workbench.analysis.run_results import analyse_run
from workbench.cli import app
from workbench.experiment.plan import build_plan
from workbench.export import export_run, run_table
from workbench.report.console import print_verdicts
from workbench.report.render import write_report
from workbench.runner.run import RunOptions, run_experiment
from workbench.scoring.catalogue import is_text_metric
from workbench.store.db import Store
from workbench.store.frames import numeric_scores
from workbench.store.models import Output
from workbench.store.run_summary import summarise_run

ROOT = Path(__file__).resolve().parents[2]


def simulated_spec(tmp_path: Path, *, max_tokens: int = 300, extra: str = "") -> Path:
    """English job ads on the simulated provider: at 300 tokens about half of them are cut off."""
    spec = tmp_path / "cut.yaml"
    spec.write_text(f"""name: cut-{max_tokens}{'-include' if extra else ''}
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_energetic.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 8
models:
  - id: simulated:default
    params: {{max_tokens: {max_tokens}}}
repeats: 1
scorers: [length, readability, gender_coded, age_coded, "judge:clarity"]
{extra}""")
    return spec


def finish_reasons(store: Store) -> dict[int, str | None]:
    with store.session() as session:
        return dict(session.execute(select(Output.id, Output.finish_reason)).all())


def test_every_output_stores_why_the_model_stopped(store: Store, tmp_path: Path,
                                                   fake_llm_server: FakeLLMServer) -> None:
    spec = tmp_path / "both.yaml"
    spec.write_text(f"""name: both-providers
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 3
models:
  - id: openai:gpt-4o-mini
    base_url: {fake_llm_server.openai_base_url}
    params: {{max_tokens: 8}}
  - id: anthropic:claude-haiku-4-5
    base_url: {fake_llm_server.anthropic_base_url}
    params: {{max_tokens: 500}}
scorers: [length]
""")
    result = run_experiment(build_plan(spec), store)
    assert result.ok == 6
    with store.session() as session:
        rows = session.execute(select(Output.model, Output.finish_reason, Output.output_tokens)).all()
    by_model = {model: {reason for m, reason, _ in rows if m == model} for model, _, _ in rows}
    assert by_model == {"openai:gpt-4o-mini": {"length"}, "anthropic:claude-haiku-4-5": {"end_turn"}}
    assert all(tokens <= 8 for model, _, tokens in rows if model == "openai:gpt-4o-mini")

    fake_llm_server.configure(output_words=400)  # now Anthropic's answers hit their max_tokens too
    spec.write_text(spec.read_text().replace("name: both-providers", "name: both-providers-long"))
    run_experiment(build_plan(spec), store, RunOptions(use_cache=False))
    with store.session() as session:
        reasons = set(session.scalars(select(Output.finish_reason).where(Output.run_id == 2,
                                                                         Output.model.like("anthropic%"))))
    assert reasons == {"max_tokens"}


def test_cut_off_outputs_are_left_out_of_text_metrics_with_a_warning(store: Store, tmp_path: Path) -> None:
    run = run_experiment(build_plan(simulated_spec(tmp_path)), store)
    reasons = finish_reasons(store)
    cut = {oid for oid, reason in reasons.items() if reason == "length"}
    assert set(reasons.values()) == {"stop", "length"} and 0 < len(cut) < len(reasons)

    result = analyse_run(store, run.run_id)
    assert result.truncation is not None and result.truncation.count == len(cut) and result.truncation.excluded
    warning = f"{len(cut)} of {len(reasons)} outputs"
    assert any(w.startswith(warning) and "cut off at max_tokens — raise max_tokens" in w for w in result.warnings)
    # What the verdicts were computed from: no text metric of a cut-off output, its other metrics intact.
    with store.session() as session:
        every = numeric_scores(session, run.run_id, ["words", "readability", "judge.clarity"])
    kept = result.truncation.apply(every)
    assert set(kept["output_id"]) == set(reasons) - cut
    assert all(is_text_metric(m) for m in every["metric"].unique())
    words = result.analysis.to_frame() if result.analysis else pd.DataFrame()
    n_words = words[words["metric"] == "words"]["n_cases"].iloc[0]
    both_complete = {oid for oid in reasons if oid not in cut}
    assert n_words <= len(both_complete)  # paired cases need both variants' texts complete

    # Terminal report, HTML/Markdown reports, export and the end-of-run summary all say so.
    console = Console(width=120, record=True)
    print_verdicts(console, result)
    assert warning in console.export_text()
    html = write_report(store, result, tmp_path / "r.html").read_text()
    md = write_report(store, result, tmp_path / "r.md").read_text()
    assert warning in html and warning in md
    table = run_table(store, run.run_id)
    assert set(table.loc[table["truncated"], "output_id"]) == cut
    assert set(table["finish_reason"]) == {"stop", "length"}
    parquet = pd.read_parquet(export_run(store, run.run_id, "parquet", tmp_path / "e.parquet"))
    assert parquet["truncated"].dtype == bool and set(parquet.loc[parquet["truncated"], "output_id"]) == cut
    summary = summarise_run(store, run.run_id)
    assert summary["truncated"].sum() == len(cut)


def test_include_keeps_cut_off_outputs_in_the_metrics(store: Store, tmp_path: Path) -> None:
    run = run_experiment(build_plan(simulated_spec(tmp_path, extra="truncated_outputs: include\n")), store)
    result = analyse_run(store, run.run_id)
    assert result.truncation is not None and not result.truncation.excluded
    assert any("they are scored as they are" in w for w in result.warnings)
    excluded = summarise_run(store, run.run_id, exclude_truncated=True)
    included = summarise_run(store, run.run_id, exclude_truncated=False)
    # Only the variant with cut-off texts changes (they were its longest texts, cut at 300 tokens).
    cut_variants = set(result.truncation.by_variant)
    changed = set(included.loc[included["words"] != excluded["words"], "variant"])
    assert changed == cut_variants


def test_no_warning_when_nothing_was_cut(store: Store, tmp_path: Path) -> None:
    run = run_experiment(build_plan(simulated_spec(tmp_path, max_tokens=4000)), store)
    assert set(finish_reasons(store).values()) == {"stop"}
    result = analyse_run(store, run.run_id)
    assert result.truncation is None and not any("max_tokens" in w for w in result.warnings)


def test_finish_reason_survives_the_cache(store: Store, tmp_path: Path) -> None:
    plan = build_plan(simulated_spec(tmp_path))
    run_experiment(plan, store)
    again = run_experiment(plan, store)
    assert again.cached == again.total
    with store.session() as session:
        first = dict(session.execute(select(Output.request_hash, Output.finish_reason).where(Output.run_id == 1)).all())
        second = dict(session.execute(select(Output.request_hash, Output.finish_reason)
                                      .where(Output.run_id == 2)).all())
    assert first == second and "length" in first.values()


def test_cli_summary_names_the_cut_off_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["run", str(simulated_spec(tmp_path)), "--db", str(tmp_path / "wb.db")])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "were cut off at max_tokens — raise max_tokens" in flat
    assert "outputs (vacancy_en_formal " in flat  # counted per variant (only the formal ads run that long)
