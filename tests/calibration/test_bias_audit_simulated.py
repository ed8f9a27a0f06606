"""Name-swap audits of the demo experiments, run end to end through the store: the planted name effects
are found (red) where they were planted and nowhere else. (Null error rates: test_name_swap_calibration.)"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from tests.calibration.simulate import ROOT
from workbench.analysis.run_results import analyse_run
from workbench.experiment.plan import build_plan
from workbench.report.console import print_bias
from workbench.report.render import write_report
from workbench.runner.run import run_experiment
from workbench.store.db import Store


def test_demo_audit_finds_the_planted_name_effect(store: Store, tmp_path: Path) -> None:
    plan = build_plan(ROOT / "experiments/screening_name_swap_nl.yaml")
    run_experiment(plan, store)
    result = analyse_run(store, "latest")
    assert result.bias is not None
    frame = result.bias.to_frame()
    assert (frame["label"] == "indicative, not a legal audit").all()
    planted = frame[(frame["variant"] == "screening_nl_structured") & (frame["group"] == "moroccan_dutch")]
    assert list(planted["flag"]) == ["red"], planted[["group", "impact_ratio", "p_adjusted", "flag"]]
    assert float(planted["impact_ratio"].iloc[0]) < 0.8
    # No effect was planted for the blind-criteria prompt or for the other group.
    assert "red" not in set(frame[frame["variant"] == "screening_nl_blind_criteria"]["flag"])
    assert "red" not in set(frame[frame["group"] == "turkish_dutch"]["flag"])
    # Every surface names the family of the audit's adjusted p-values: terminal, HTML and Markdown report.
    m = len(frame)
    assert set(frame["family_size"]) == {m}
    console = Console(width=160, record=True)
    print_bias(console, result)
    assert f"adj. p: Holm over the audit's {m} group comparisons, names as a random factor" in console.export_text()
    html = write_report(store, result, tmp_path / "r.html").read_text("utf-8")
    md = write_report(store, result, tmp_path / "r.md").read_text("utf-8")
    for text in (html, md):
        assert f"Holm over the audit's {m} group comparisons" in text and "reference group" in text
    assert "highest group" not in html


def test_ranking_audit_with_several_candidates_per_prompt(store: Store) -> None:
    plan = build_plan(ROOT / "experiments/ranking_name_swap_nl.yaml")
    run_experiment(plan, store)
    result = analyse_run(store, "latest")
    assert result.bias is not None
    frame = result.bias.to_frame().set_index("group")
    assert frame.loc["moroccan_dutch", "flag"] == "red"
    assert frame.loc["turkish_dutch", "flag"] != "red"
    assert frame.loc["moroccan_dutch", "impact_ratio"] < 0.8
    # names of one name set are ranked against each other: compared within their set, a block design with
    # (3 sets − 1) × (3 groups − 1) = 4 residual df (as 9 independent names it would be 3 × (3 − 1) = 6)
    assert set(frame["df"]) == {4}


def test_rejection_email_audit_on_a_numeric_outcome(store: Store) -> None:
    """Shorter, less careful rejections for one group (planted under the formal prompt only)."""
    run_experiment(build_plan(ROOT / "experiments/rejection_name_swap_nl.yaml"), store)
    result = analyse_run(store, "latest")
    assert result.bias is not None
    frame = result.bias.to_frame()
    flagged = frame[frame["flag"] == "red"]
    assert list(zip(flagged["variant"], flagged["group"], strict=True)) == [("rejection_nl_formal", "turkish_dutch")]
    assert set(frame["outcome"]) == {"score"}  # word counts: a numeric outcome (scoring rate)
