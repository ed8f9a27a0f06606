"""CONTRIBUTING.md's "Add a provider", followed to the letter: its example file, one line to register it
(a `BUILTIN_MODULES` entry, or an entry point of an installed distribution), then an experiment through it
end to end with the CLI, offline. The provider's capabilities, not its name, decide what the workbench does.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import ProviderConfigError
from workbench.experiment.plan import build_plan
from workbench.providers import registry
from workbench.store.db import Store
from workbench.store.models import Output, Run

ROOT = Path(__file__).resolve().parents[2]
MODULE = "wb_toy_echo"  # the file name the tests give CONTRIBUTING's example


def contributing_example() -> str:
    """The python block of CONTRIBUTING.md's "Add a provider" section."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Add a provider", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None, "CONTRIBUTING.md's provider recipe has no python example"
    return re.sub(r"^ {3}", "", block.group(1), flags=re.M)  # the block is indented under a list item


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A registry that forgets what a test registers; `tmp_path` on sys.path for the toy's files."""
    monkeypatch.setattr(registry, "_registry", dict(registry.providers()))
    monkeypatch.setattr(registry, "_loaded", False)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m == MODULE or m.startswith("wb_toy_dist")]:
        del sys.modules[name]


def write_spec(folder: Path, model: str = "echo:v1", extra: str = "") -> Path:
    spec = folder / "toy.yaml"
    spec.write_text(f"""name: toy-echo
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_energetic.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 3
models:
  - id: {model}
    params: {{temperature: 0.2}}
{extra}repeats: 2
scorers: [length, gender_coded]
""")
    return spec


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def run_toy(cli: CliRunner, folder: Path) -> None:
    """validate + run through the CLI; every output is the echo of its prompt and labelled SIMULATED."""
    spec = write_spec(folder)
    validated = cli.invoke(app, ["validate", str(spec)])
    assert validated.exit_code == 0, validated.output
    assert "2 variants × 3 cases × 1 model × 2 repeats = 12 generation calls" in " ".join(validated.stdout.split())
    db = folder / "wb.db"
    ran = cli.invoke(app, ["run", str(spec), "--db", str(db)])
    assert ran.exit_code == 0, ran.output
    assert "Run 1: 12/12 outputs · 0 errors" in ran.stdout
    assert "SIMULATED" in ran.stdout  # from `simulated=True` in its ProviderInfo, not from a provider name
    store = Store(f"sqlite:///{db}")
    with store.session() as session:
        rows = session.execute(select(Output.model, Output.status, Output.text, Output.simulated)).all()
        run = session.execute(select(Run)).scalar_one()
        assert run.simulated
    assert len(rows) == 12
    assert {(model, status, simulated) for model, status, _, simulated in rows} == {("echo:v1", "ok", True)}
    prompts = {call.request.messages[-1].content for call in build_plan(spec).calls}
    assert len(prompts) == 6  # variants × cases; the repeats ask the same
    assert {text for _, _, text, _ in rows} == prompts  # every output is its own prompt, echoed


def test_the_contributing_example_added_with_one_builtin_line_runs_end_to_end(
    isolated_registry: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_registry / f"{MODULE}.py").write_text(contributing_example(), encoding="utf-8")
    monkeypatch.setattr(registry, "BUILTIN_MODULES", (*registry.BUILTIN_MODULES, MODULE))  # the one line

    info = registry.get("echo")
    assert (info.offline, info.simulated, info.batch, info.key_env) == (True, True, None, None)
    assert registry.names()[-1] == "echo"
    run_toy(cli, isolated_registry)


def test_an_installed_distributions_entry_point_adds_the_provider(
    isolated_registry: Path, cli: CliRunner
) -> None:
    package = isolated_registry / "wb_toy_dist"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "provider.py").write_text(contributing_example(), encoding="utf-8")
    dist_info = isolated_registry / "wb_toy_dist-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: wb-toy-dist\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[workbench.providers]\necho = wb_toy_dist.provider\n")

    assert "echo" in registry.names()
    assert registry.get("echo").factory.__module__ == "wb_toy_dist.provider"
    listed = cli.invoke(app, ["providers"])
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.stdout.splitlines() if line.startswith("echo"))
    assert "offline, SIMULATED" in row and "wb_toy_dist.provider" in row
    run_toy(cli, isolated_registry)


def test_an_unknown_provider_is_one_line_naming_file_field_line_and_the_registered_providers(
    isolated_registry: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(isolated_registry, model="ekko:v1")
    result = cli.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert f"{spec}:6" in lines[0] and "models[0].id" in lines[0] and "Traceback" not in result.output
    assert "unknown provider 'ekko'; use one of openai, anthropic, openai_compatible, simulated" in lines[0]

    (isolated_registry / f"{MODULE}.py").write_text(contributing_example(), encoding="utf-8")
    monkeypatch.setattr(registry, "BUILTIN_MODULES", (*registry.BUILTIN_MODULES, MODULE))
    monkeypatch.setattr(registry, "_loaded", False)
    result = cli.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2
    assert "use one of openai, anthropic, openai_compatible, simulated, echo" in result.output


def test_a_broken_plugin_is_one_line_error(isolated_registry: Path) -> None:
    dist_info = isolated_registry / "wb_toy_dist_broken-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: wb-toy-dist-broken\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[workbench.providers]\nbroken = wb_toy_dist_missing.provider\n")
    with pytest.raises(ProviderConfigError, match=r"provider plugin 'broken' \(wb_toy_dist_missing.provider"):
        registry.providers()


def test_a_provider_name_registered_twice_is_refused(isolated_registry: Path) -> None:
    (isolated_registry / f"{MODULE}.py").write_text(
        contributing_example().replace('name="echo"', 'name="openai"'), encoding="utf-8"
    )
    with pytest.raises(ProviderConfigError, match="provider 'openai' is registered twice"):
        __import__(MODULE)


def test_threads_asking_at_once_all_see_the_whole_registry(
    isolated_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI's script threads may ask first at the same moment: none may see a half-loaded registry."""
    import threading

    slow = contributing_example().replace("class EchoProvider:", "time.sleep(0.3)\n\n\nclass EchoProvider:")
    (isolated_registry / f"{MODULE}.py").write_text(slow, encoding="utf-8")
    monkeypatch.setattr(registry, "BUILTIN_MODULES", (*registry.BUILTIN_MODULES, MODULE))
    seen: list[list[str]] = []
    threads = [threading.Thread(target=lambda: seen.append(registry.names())) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6 and all(names[-1] == "echo" for names in seen), seen
