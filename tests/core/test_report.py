"""Reports include blind recruiter preferences once ratings exist."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from workbench.analysis.run_results import analyse_run
from workbench.experiment.plan import build_plan
from workbench.report.render import write_report
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.models import Output, Rating, Variant

ROOT = Path(__file__).resolve().parents[2]


def test_ratings_feed_the_preference_section(store: Store, tmp_path: Path) -> None:
    run = run_experiment(build_plan(ROOT / "experiments/vacancy_tone_nl.yaml"), store)
    rng = random.Random(3)
    with store.session() as session:
        rows = session.execute(
            select(Output.id, Output.case_id, Variant.key).join(Variant, Variant.id == Output.variant_id)
            .where(Output.run_id == run.run_id, Output.repeat == 0)
        ).all()
        by_case: dict[int, dict[str, int]] = {}
        for output_id, case_id, key in rows:
            by_case.setdefault(case_id, {})[key] = output_id
        for case_id, outputs in by_case.items():
            for other in ("vacancy_nl_inclusive", "vacancy_nl_informal"):
                # Raters prefer the inclusive text most of the time, the informal one rarely.
                p_other = 0.8 if other == "vacancy_nl_inclusive" else 0.3
                winner = "b" if rng.random() < p_other else "a"
                session.add(Rating(run_id=run.run_id, case_id=case_id, output_a_id=outputs["vacancy_nl_formal"],
                                   output_b_id=outputs[other], left=rng.choice("ab"), winner=winner, rater="test"))
        session.commit()
    result = analyse_run(store, run.run_id)
    assert result.preferences is not None
    pairs = {(p.variant_x, p.variant_y) for p in result.preferences.pairs}
    assert any("vacancy_nl_inclusive" in pair for pair in pairs)
    html = write_report(store, result, tmp_path / "report.html").read_text()
    assert "Blind recruiter preferences" in html and "Bradley–Terry" in html and "Position check" in html
    md = write_report(store, result, tmp_path / "report.md").read_text()
    assert "## Blind recruiter preferences" in md


def test_the_provisional_dutch_legend_only_appears_with_dutch_metrics(store: Store, tmp_path: Path) -> None:
    """The verdict table's footnote explains only what the table shows."""
    from rich.console import Console

    from workbench.report.console import print_verdicts

    def footnotes(spec: Path) -> str:
        run = run_experiment(build_plan(spec), store)
        console = Console(width=200, record=True)
        print_verdicts(console, analyse_run(store, run.run_id))
        return console.export_text()

    english = footnotes(ROOT / "experiments/vacancy_tone_en.yaml")
    assert "gender masculine" in english and "gender*" not in english and "provisional Dutch" not in english
    dutch = footnotes(ROOT / "experiments/vacancy_tone_nl.yaml")
    assert "gender* masculine" in dutch and "gender* = provisional Dutch list" in dutch
