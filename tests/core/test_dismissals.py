"""Dismissing a false wording flag: stored with who/why/when, left out of rates, counted in the report,
carried by the export, and back in the rates when restored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.analysis.run_results import analyse_run
from workbench.errors import WorkbenchError
from workbench.experiment.plan import build_plan
from workbench.export import run_table
from workbench.report.render import write_report
from workbench.runner.run import run_experiment
from workbench.scoring.dismissal import recount
from workbench.store.db import Store
from workbench.store.dismissals import dismiss_flag, restore_flag, run_dismissals, stored_matches
from workbench.store.models import Output, Score, Variant

ROOT = Path(__file__).resolve().parents[2]


def _rate(store: Store, run_id: int, model: str, variant: str, metric: str) -> float:
    rates = analyse_run(store, run_id, metrics=[metric]).lint_rates
    row = rates[(rates["model"] == model) & (rates["variant"] == variant) & (rates["metric"] == metric)]
    return float(row["rate"].iloc[0])


def test_dismiss_and_restore_change_the_rates_report_and_export(store: Store, tmp_path: Path) -> None:
    run = run_experiment(build_plan(ROOT / "experiments/vacancy_tone_nl.yaml"), store)
    metric = "age_coded.flagged"
    with store.session() as session:
        output_id, model, variant = session.execute(
            select(Output.id, Output.model, Variant.key).join(Score, Score.output_id == Output.id)
            .join(Variant, Variant.id == Output.variant_id)
            .where(Output.run_id == run.run_id, Score.metric == metric, Score.value == 1.0)
            .order_by(Output.id).limit(1)
        ).one()
        age = [m for m in stored_matches(session, output_id) if m["category"] == "age"]
    assert age, "the simulated demo plants age-coded wording"
    before = _rate(store, run.run_id, model, variant, metric)

    with store.session() as session:
        for m in age:
            dismiss_flag(session, output_id, m["start"], m["end"], m["rule"], who="Sanne", why="a job title")
        session.commit()
        with pytest.raises(WorkbenchError, match="already dismissed"):
            dismiss_flag(session, output_id, age[0]["start"], age[0]["end"], age[0]["rule"], who="x", why="y")
        with pytest.raises(WorkbenchError, match="no flag"):
            dismiss_flag(session, output_id, 0, 1, "nope", who="x", why="y")
        with pytest.raises(WorkbenchError, match="why"):
            dismiss_flag(session, output_id, age[0]["start"], age[0]["end"], age[0]["rule"], who="x", why=" ")
        dismissed = run_dismissals(session, run.run_id)
    assert len(dismissed) == len(age) and set(dismissed["who"]) == {"Sanne"}
    assert dismissed["created_at"].notna().all()

    result = analyse_run(store, run.run_id, metrics=[metric])
    n_outputs = int(result.lint_rates.query("model == @model and variant == @variant")["n_outputs"].iloc[0])
    after = _rate(store, run.run_id, model, variant, metric)
    assert after == pytest.approx(before - 1 / n_outputs)  # this output no longer counts as flagged

    html = write_report(store, result, tmp_path / "r.html").read_text("utf-8")
    assert f"Flags dismissed as false: {len(age)}" in html and "a job title" in html
    md = write_report(store, result, tmp_path / "r.md").read_text("utf-8")
    assert f"Flags dismissed as false: {len(age)}" in md

    table = run_table(store, run.run_id).set_index("output_id")
    spans = json.loads(table.loc[output_id, "flag_details"])
    assert {s["dismissed"]["who"] for s in spans if s["category"] == "age"} == {"Sanne"}
    assert all(s["reason_en"] and s["reason_nl"] for s in spans)
    assert "age:" not in table.loc[output_id, "flags"]

    with store.session() as session:
        for dismissal_id in dismissed["id"]:
            restore_flag(session, int(dismissal_id), who="Sanne")
        session.commit()
        assert run_dismissals(session, run.run_id).empty
        assert len(run_dismissals(session, run.run_id, include_restored=True)) == len(age)
        with pytest.raises(WorkbenchError, match="already restored"):
            restore_flag(session, int(dismissed["id"].iloc[0]), who="Sanne")
    assert _rate(store, run.run_id, model, variant, metric) == pytest.approx(before)


def test_recount_gender_and_rule_lints() -> None:
    ambitious = {"start": 0, "end": 9, "text": "ambitieus", "category": "masculine", "rule": "r1", "severity": "low"}
    kind = {"start": 10, "end": 14, "text": "zorg", "category": "feminine", "rule": "r2", "severity": "low"}
    young = {"start": 20, "end": 30, "text": "jong team", "category": "age", "rule": "nl_jong_team",
             "severity": "medium"}
    details = {
        "gender_coded_nl_provisional.score": {"matches": [ambitious, kind], "words": 50},
        "age_coded.flagged": {"matches": [young], "flag_severity": "medium"},
    }
    assert recount(details, []) == {}
    out = recount(details, [(0, 9, "r1"), (20, 30, "nl_jong_team")])
    assert out == {
        "gender_coded_nl_provisional.masculine": 0.0, "gender_coded_nl_provisional.feminine": 1.0,
        "gender_coded_nl_provisional.score": pytest.approx(-2.0), "age_coded.flagged": 0.0, "age_coded.count": 0.0,
    }
