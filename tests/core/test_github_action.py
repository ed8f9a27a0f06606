"""examples/github-action.yml runs here with the same commands (SIMULATED provider, offline): the gate
passes, the JUnit file is valid against the JUnit schema CI reporters read, the step summary gets the Markdown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import xmlschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-action.yml"


def test_the_example_workflow_runs_locally(tmp_path: Path) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    commands = [step["run"] for step in steps if "run" in step and not step["run"].startswith("pip install")]
    assert any(c.startswith("workbench gate") for c in commands)
    # The checkout: the folders the spec reads, as in a clone of the repository.
    for folder in ("examples", "prompts", "experiments"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    summary = tmp_path / "step-summary.md"
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DB_URL"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    for command in commands:
        done = subprocess.run(["bash", "-e", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        print(done.stdout)
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit" / "junit-ci.xsd"))
    schema.validate(str(tmp_path / "gate-junit.xml"))
    text = summary.read_text()
    assert text.startswith("### Prompt gate passed") and "SIMULATED" in text
