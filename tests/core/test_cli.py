"""The CLI end to end on the offline demo: validate, dry-run, run, list, report, export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(ROOT)
    return CliRunner()


def test_validate_counts_calls(cli: CliRunner) -> None:
    result = cli.invoke(app, ["validate", "experiments/vacancy_tone_nl.yaml"])
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "3 variants × 20 cases × 1 model × 3 repeats = 180 generation calls + 360 judge calls" in words


def test_dry_run_estimates_cost_without_calling(cli: CliRunner, tmp_path: Path) -> None:
    spec = tmp_path / "priced.yaml"
    spec.write_text(
        (ROOT / "experiments/vacancy_tone_en.yaml").read_text().replace(
            "models:\n", "models:\n  - openai:gpt-4o-mini\n  - id: openai_compatible:llama3\n"
            "    base_url: http://127.0.0.1:9/v1\n", 1
        ).replace("prompts/", f"{ROOT}/prompts/").replace("experiments/data", f"{ROOT}/experiments/data")
    )
    db = tmp_path / "never.db"
    result = cli.invoke(app, ["run", str(spec), "--dry-run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "openai:gpt-4o-mini" in out and "180" in out
    assert "unknown" in out and "$0.0000 " not in out.split("llama3")[1].split("\n")[0]  # no price: never $0
    assert "SIMULATED" in out
    assert "$0.0" in out
    assert not db.exists(), "a dry run touches nothing"


def test_run_list_report_export(cli: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "wb.db")
    run = cli.invoke(app, ["run", "experiments/vacancy_tone_nl.yaml", "--db", db])
    assert run.exit_code == 0, run.output
    assert "Run 1: 180/180 outputs · 0 errors" in run.stdout
    assert "SIMULATED" in run.stdout
    assert "360 judge scores" in run.stdout
    said = " ".join(run.stdout.split())
    # the decision per variant comes first, naming its family and the smallest detectable difference
    assert said.index("Decision per variant against the baseline vacancy_nl_formal") < said.index("variants:")
    assert "Corrected over the primary family: Holm over" in said and "Smallest difference this run" in said

    listed = cli.invoke(app, ["list", "--db", db])
    assert listed.exit_code == 0 and "vacancy-tone-nl" in listed.stdout and "completed" in listed.stdout
    assert "vacancy-tone-nl (SIMULATED)" in listed.stdout

    report = cli.invoke(app, ["report", "1", "--db", db, "--out", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output
    words = " ".join(report.stdout.split())  # rich wraps to the terminal width
    assert "Verdicts vs formal" in words and "variants: vacancy_nl_…" in words
    assert "beats vacancy_nl_formal on readability" in words
    assert words.index("Decision per variant") < words.index("Verdicts vs formal")
    assert "adj. p families: P = primary (Holm over" in words and "E = exploratory (Benjamini–Hochberg" in words
    html = (tmp_path / "r.html").read_text()
    assert "SIMULATED" in html and "<svg" in html and "<mark" in html
    assert html.index("<h2>Decision</h2>") < html.index("<h2>Verdicts</h2>") and ">secondary</td>" in html
    assert "http://" not in html.replace("http://www.w3.org", ""), "self-contained: no external resources"
    md = cli.invoke(app, ["report", "latest", "--db", db, "--out", str(tmp_path / "r.md")])
    assert md.exit_code == 0 and "| metric |" in (tmp_path / "r.md").read_text()
    assert "**SIMULATED**" in (tmp_path / "r.md").read_text() and "SIMULATED outputs" in md.stdout

    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"run.{fmt}"
        exported = cli.invoke(app, ["export", "1", "--format", fmt, "--out", str(out), "--db", db])
        assert exported.exit_code == 0, exported.output
    table = pd.read_parquet(tmp_path / "run.parquet")
    assert len(table) == 180
    assert set(table["provenance"]) == {"SIMULATED"}
    assert {"score.readability", "score.judge.clarity", "flags", "text"} <= set(table.columns)
    assert table["flags"].str.contains("age:").any()
    first = json.loads((tmp_path / "run.jsonl").read_text().splitlines()[0])
    assert first["simulated"] is True and first["run_id"] == 1
    assert len(pd.read_csv(tmp_path / "run.csv")) == 180
    verdicts = cli.invoke(app, ["export", "1", "--verdicts", "--out", str(tmp_path / "v.csv"), "--db", db])
    assert verdicts.exit_code == 0, verdicts.output
    table = pd.read_csv(tmp_path / "v.csv")
    assert {"family", "family_size", "correction", "p_adjusted", "outcome", "mde"} <= set(table.columns)
    assert set(table.loc[table["family"] == "primary", "correction"]) == {"holm"}
    assert set(table.loc[table["family"] == "secondary", "correction"]) == {"bh"}


def test_rerun_costs_nothing_and_resume_is_a_no_op(cli: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "wb.db")
    assert cli.invoke(app, ["run", "experiments/vacancy_tone_en.yaml", "--db", db]).exit_code == 0
    again = cli.invoke(app, ["run", "experiments/vacancy_tone_en.yaml", "--db", db])
    assert again.exit_code == 0 and "180 from cache" in again.stdout
    resumed = cli.invoke(app, ["run", "experiments/vacancy_tone_en.yaml", "--db", db, "--resume"])
    assert resumed.exit_code == 0 and "180/180 outputs" in resumed.stdout


def test_power_from_effect_and_from_pilot(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["power", "--effect", "0.5"])
    assert result.exit_code == 0 and "34 test cases" in " ".join(result.stdout.split())
    db = str(tmp_path / "wb.db")
    assert cli.invoke(app, ["run", "experiments/vacancy_tone_en.yaml", "--db", db]).exit_code == 0
    pilot = cli.invoke(app, ["power", "1", "--metric", "words", "--variant", "vacancy_en_inclusive",
                             "--budget", "600", "--max-cases", "20", "--db", db])
    words = " ".join(pilot.stdout.split())
    assert pilot.exit_code == 0, pilot.output
    assert "Designs within 600 calls" in words and "use 20 cases ×" in words
    assert "secondary family of 14" in words and "tested at α = 0.00357" in words  # BH over 14: α/14
    # a pilot's observed effect is uncertain: the plan on it says so, next to the safeguard plan
    assert "if the true effect is that large" in words
    assert re.search(r"Safeguard plan \(the lower bound of its 60% interval, d_z = \d+\.\d\d\): \d+ test cases",
                     words), words
    judged = " ".join(cli.invoke(app, ["power", "1", "--db", db]).stdout.split())  # primary: judge.clarity
    assert "20 pilot cases cannot tell that effect from none" in judged and "--effect" in judged
    missing = cli.invoke(app, ["power", "1", "--metric", "nope", "--db", db])
    assert missing.exit_code == 2 and "no comparison matches" in missing.stderr


def test_power_accounts_for_the_family_clusters_and_names(cli: CliRunner) -> None:
    from workbench.stats import paired_t_sample_size

    family = cli.invoke(app, ["power", "--effect", "0.5", "--tests", "6"])
    said = " ".join(family.stdout.split())
    assert family.exit_code == 0 and f"{paired_t_sample_size(0.5, n_tests=6)} test cases" in said
    assert "HOLM over 6 tests (α/6 = 0.00833)" in said
    clustered = cli.invoke(app, ["power", "--effect", "0.5", "--design-effect", "2", "--cluster-size", "5"])
    n = paired_t_sample_size(0.5, design_effect=2, cluster_size=5)
    assert f"{n} test cases" in " ".join(clustered.stdout.split()) and n > 2 * 34
    swap = cli.invoke(app, ["power", "--swap", "--effect", "0.5", "--name-sd", "0.3", "--sd", "0.6",
                            "--groups", "3", "--tests", "4", "--cases", "40"])
    said = " ".join(swap.stdout.split())
    assert swap.exit_code == 0 and "names per group" in said and "With 40 cases an audit needs" in said
    assert "no number of cases is enough" in said  # 3 names cannot reach 80% at name SD 0.3
    bad = cli.invoke(app, ["power", "--effect", "0.5", "--correction", "fdr"])
    assert bad.exit_code == 2 and "--correction" in bad.stderr


def test_ctrl_c_during_the_decision_summary_only_skips_it(cli: CliRunner, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.analysis.run_results as run_analysis
    import workbench.ui.run_stats as run_stats

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_analysis, "analyse_run", interrupted)
    monkeypatch.setattr(run_stats, "analyse_for_pages", interrupted)  # the analysis stored at the run's end
    result = cli.invoke(app, ["run", "experiments/vacancy_tone_en.yaml", "--db", str(tmp_path / "wb.db")])
    said = " ".join(result.stdout.split())
    assert result.exit_code == 0 and "Decision summary skipped (interrupted): workbench report 1 shows it." in said
    assert "Full verdicts: workbench report 1" in said
