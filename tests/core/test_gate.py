"""`workbench gate`: each exit code, the one-line-per-variant output, JUnit XML valid against the
schema CI test reporters read (tests/data/junit/junit-ci.xsd), and the Markdown summary."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import xmlschema
import yaml
from typer.testing import CliRunner

from workbench import api
from workbench.analysis.gate import gate_run, junit_xml, markdown
from workbench.analysis.run_results import analyse_run
from workbench.cli.app import app
from workbench.errors import WorkbenchError

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "junit" / "junit-ci.xsd"


def _spec_file(folder: Path, **changes: object) -> Path:
    """The gate example with a third variant whose judge quality is planted 2 points lower."""
    data = yaml.safe_load((ROOT / "examples" / "gate_vacancy_en.yaml").read_text())
    data["variants"] = [str(ROOT / "prompts" / f"vacancy_en_{v}.yaml") for v in ("formal", "inclusive", "energetic")]
    data["dataset"] = str(ROOT / "experiments" / "data" / "vacancies_en.csv")
    # The simulated judge reads planted effects from its own params (SIMULATED; never sent to a real judge).
    effects = [{"variant": "vacancy_en_energetic", "quality": -2.0}]
    data["judge"] = {"model": "simulated:judge", "params": {"temperature": 0, "simulate": {"effects": effects}}}
    data.update(changes)
    path = folder / "gate.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def gate_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("gate")
    pg = os.environ.get("WORKBENCH_TEST_PG_URL")
    if pg:
        from tests.support.postgres import drop_database, fresh_database

        url = fresh_database(pg)
    else:
        url = f"sqlite:///{folder / 'gate.db'}"
    spec = _spec_file(folder)
    store = api.open_store(url)
    api.run(spec, store=store)
    store.dispose()
    yield url, folder
    if pg:
        drop_database(url)


def test_gate_fails_the_worse_candidate_and_passes_the_other(gate_db: tuple[str, Path]) -> None:
    url, folder = gate_db
    junit, md = folder / "gate.xml", folder / "gate.md"
    result = CliRunner().invoke(app, ["gate", "latest", "--baseline", "vacancy_en_formal", "--db", url,
                                      "--junit", str(junit), "--markdown", str(md)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(lines) == 2  # one line per candidate variant
    passed = next(line for line in lines if "inclusive" in line)
    failed = next(line for line in lines if "energetic" in line)
    assert passed.startswith("PASS vacancy_en_inclusive")
    assert failed.startswith("FAIL vacancy_en_energetic") and "judge.clarity significantly WORSE" in failed
    assert "SIMULATED" in result.output

    # JUnit: valid against the CI reporters' JUnit schema; one testcase per variant × metric; the failing one says why.
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(junit))
    doc = xmlschema.XMLSchema(str(SCHEMA)).to_dict(str(junit))
    suites = doc["testsuite"]
    assert sorted(s["@name"] for s in suites) == ["vacancy_en_energetic vs vacancy_en_formal",
                                                   "vacancy_en_inclusive vs vacancy_en_formal"]
    cases = [(s["@name"].split()[0], c["@name"], "failure" in c) for s in suites for c in s["testcase"]]
    assert sorted(cases) == sorted([
        ("vacancy_en_inclusive", "judge.clarity", False), ("vacancy_en_inclusive", "readability", False),
        ("vacancy_en_energetic", "judge.clarity", True), ("vacancy_en_energetic", "readability", False),
    ])
    failure = next(c["failure"] for s in suites for c in s["testcase"] if "failure" in c)
    assert failure["@type"] == "worse"
    assert re.search(r"Δ -\d.*95% CI .* to .*non-inferiority p .*, p [<\d]", failure["@message"])
    assert [(s["@tests"], s["@failures"]) for s in suites if "energetic" in s["@name"]] == [(2, 1)]

    text = md.read_text()
    assert text.startswith("### Prompt gate failed")
    assert "❌ fail (worse)" in text and text.count("✅ pass") == 3 and "SIMULATED" in text


def test_gate_numbers_are_the_reports(gate_db: tuple[str, Path]) -> None:
    """The gate reuses the run's analysis: its estimates and p-values are those of the full analysis."""
    url, _ = gate_db
    store = api.open_store(url)
    full = analyse_run(store, "latest")
    gate = gate_run(analyse_run(store, "latest", metrics=["judge.clarity", "readability"]))
    assert full.analysis is not None
    for check in gate.checks:
        v = full.analysis.get(check.variant, check.metric)
        assert (check.estimate, check.ci_low, check.p_adjusted, check.ni_p_adjusted) == (
            v.estimate, v.ci_low, v.p_adjusted, v.ni_p_adjusted)
    energetic = [c for c in gate.checks if c.variant == "vacancy_en_energetic" and c.metric == "judge.clarity"]
    assert energetic[0].reason == "worse" and energetic[0].estimate < -1.0
    store.dispose()


def test_gate_against_another_baseline_passes(gate_db: tuple[str, Path]) -> None:
    """With the inclusive prompt as the baseline, the formal one is judged against it (exit 1 or 0 is data:
    the energetic variant stays planted 2 points worse, so that candidate must fail)."""
    url, _ = gate_db
    result = CliRunner().invoke(app, ["gate", "latest", "--baseline", "vacancy_en_inclusive", "--db", url])
    assert result.exit_code == 1
    assert "FAIL vacancy_en_energetic vs vacancy_en_inclusive" in result.output
    assert re.search(r"^(PASS|FAIL) vacancy_en_formal", result.output, re.M)


def test_gate_bad_input_exits_2(gate_db: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = gate_db
    cli = CliRunner()
    for args, message in (
        (["gate", "latest", "--baseline", "nope", "--db", url], "baseline 'nope' is not a variant"),
        (["gate", "999", "--baseline", "vacancy_en_formal", "--db", url], "run 999 does not exist"),
        (["gate", str(tmp_path / "missing.yaml"), "--baseline", "x", "--db", url], "missing.yaml"),
        (["gate", str(_spec_file(tmp_path)), "--baseline", "nope", "--db", url], "baseline 'nope'"),
    ):
        result = cli.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_gate_needs_a_margin_and_a_direction_for_every_primary_metric(gate_db: tuple[str, Path]) -> None:
    url, _ = gate_db
    store = api.open_store(url)
    result = analyse_run(store, "latest", metrics=["judge.clarity", "readability"])
    store.dispose()
    no_margin = dataclasses.replace(result, info=dataclasses.replace(
        result.info, spec=result.info.spec.model_copy(update={"non_inferiority": {"readability": 5.0}})))
    with pytest.raises(WorkbenchError, match=r"'judge\.clarity' has no non-inferiority margin"):
        gate_run(no_margin)
    assert result.analysis is not None
    for v in result.analysis.verdicts:
        if v.metric == "readability":
            v.higher_is_better = None
    with pytest.raises(WorkbenchError, match="no better/worse direction"):
        gate_run(result)


def test_junit_of_a_passing_gate_is_valid_too(gate_db: tuple[str, Path]) -> None:
    url, _ = gate_db
    store = api.open_store(url)
    result = analyse_run(store, "latest", metrics=["judge.clarity", "readability"])
    store.dispose()
    gate = gate_run(result)
    passing = dataclasses.replace(gate, checks=tuple(c for c in gate.checks if c.passed))
    assert passing.exit_code == 0
    xml = junit_xml(passing, hostname="ci")
    xmlschema.XMLSchema(str(SCHEMA)).validate(xml)
    assert "<failure" not in xml and "Δ" in xml  # the evidence is in the suite's system-out
    assert markdown(passing).startswith("### Prompt gate passed")


def test_the_junit_schema_rejects_what_ci_reporters_cannot_read() -> None:
    """The schema is not a rubber stamp: a testcase without classname, a suite without its counts and a
    failure without its type are refused."""
    schema = xmlschema.XMLSchema(str(SCHEMA))
    ok = ('<testsuites><testsuite name="s" tests="1" failures="1" errors="0">'
          '<testcase classname="c" name="n"><failure type="worse" message="m">m</failure></testcase>'
          '</testsuite></testsuites>')
    assert schema.is_valid(ok)
    assert not schema.is_valid(ok.replace('classname="c" ', ""))
    assert not schema.is_valid(ok.replace(' tests="1" failures="1" errors="0"', ""))
    assert not schema.is_valid(ok.replace('type="worse" ', ""))
    assert not schema.is_valid(ok.replace("<testcase", "<test-case").replace("</testcase>", "</test-case>"))
