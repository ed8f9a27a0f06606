"""Experiment specs: valid demos load; malformed specs give one error naming file, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import SpecError
from workbench.experiment.plan import build_plan
from workbench.experiment.spec import load_spec

GOOD = """\
name: t
variants: [{variant}]
dataset: {dataset}
models:
  - simulated:default
repeats: 2
"""


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mini(tmp_path: Path) -> dict[str, Path]:
    variant = write(
        tmp_path, "id: v1\ntask: vacancy_text\nlanguage: en\nuser: |\n  Ad for {{ job_title }}\n", "v1.yaml"
    )
    dataset = write(tmp_path, "id,job_title\na,Nurse\nb,Chef\n", "cases.csv")
    return {"variant": variant, "dataset": dataset}


@pytest.mark.parametrize("spec", sorted((Path(__file__).parents[2] / "experiments").glob("*.yaml")))
def test_demo_specs_validate(spec: Path, in_project: Path) -> None:
    plan = build_plan(spec)
    assert plan.calls, spec
    assert plan.baseline in plan.variants
    keys = [c.cell.key for c in plan.calls]
    assert len(keys) == len(set(keys)), "every cell is unique"


def test_minimal_spec_counts_calls(tmp_path: Path, mini: dict[str, Path]) -> None:
    spec = write(tmp_path, GOOD.format(variant=mini["variant"].name, dataset=mini["dataset"].name))
    plan = build_plan(spec)
    assert len(plan.calls) == 1 * 2 * 1 * 2
    assert plan.calls[0].request.messages[-1].content == "Ad for Nurse"


@pytest.mark.parametrize(
    ("body", "field", "line", "needle"),
    [
        (
            "name: t\nvariants: [a]\ndataset: d.csv\nmodels: [simulated:x]\nrepeats: 0\n",
            "repeats",
            5,
            "greater than or equal to 1",
        ),
        ("name: t\nvariants: [a]\ndataset: d.csv\nmodels: [gpt4]\n", "models[0].id", 4, "provider:model"),
        (
            "name: t\nvariants: [a]\ndataset: d.csv\nmodels: [foo:bar]\n",
            "models[0].id",
            4,
            "unknown provider",
        ),
        (
            "name: t\nvariants: [a]\ndataset: d.csv\nmodels:\n  - id: simulated:x\n    params: {temperature: 9}\n",
            "models[0].params",
            6,
            "temperature",
        ),
        (
            "name: t\nvariants: [a]\ndataset: d.csv\nmodels: [simulated:x]\nrepeets: 3\n",
            "repeets",
            5,
            "unknown field",
        ),
        ("name: t\nvariants: [a]\nmodels: [simulated:x]\n", "dataset", None, "required"),
        ("name: t\nvariants: []\ndataset: d.csv\nmodels: [simulated:x]\n", "variants", 2, "at least 1"),
        (
            "name: t\nvariants: [a]\ndataset: d.csv\nmodels:\n  - id: openai_compatible:llama3\n",
            "models[0]",
            5,
            "base_url",
        ),
        (
            "name: t\nvariants: [a]\ndataset: d.csv\nmodels:\n  - id: openai:gpt-4o\n    api_key_env: sk-123\n",
            "models[0]",
            5,
            "NAME of an environment variable",
        ),
        ("name: 'bad name!'\nvariants: [a]\ndataset: d.csv\nmodels: [simulated:x]\n", "name", 1, "letters"),
    ],
)
def test_bad_spec_fields(tmp_path: Path, body: str, field: str, line: int | None, needle: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    err = info.value
    assert err.file == str(path)
    assert err.field == field
    assert err.line == line
    assert needle in err.message
    assert "\n" not in str(err)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: t\nvariants: [a\ndataset: x\n")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.line is not None and info.value.line >= 2
    assert "invalid YAML" in info.value.message


def test_missing_template_variable_is_caught_before_calls(tmp_path: Path, mini: dict[str, Path]) -> None:
    write(
        tmp_path,
        "id: v1\ntask: vacancy_text\nlanguage: en\nuser: |\n  Ad for {{ job_title }} at {{ salary }}\n",
        "v1.yaml",
    )
    spec = write(tmp_path, GOOD.format(variant="v1.yaml", dataset=mini["dataset"].name))
    with pytest.raises(SpecError) as info:
        build_plan(spec)
    assert "salary" in info.value.message
    assert info.value.file and info.value.file.endswith("v1.yaml")
    assert info.value.field == "user"
    assert info.value.line == 4


def test_unknown_baseline(tmp_path: Path, mini: dict[str, Path]) -> None:
    spec = write(tmp_path, GOOD.format(variant="v1.yaml", dataset="cases.csv") + "baseline: nope\n")
    with pytest.raises(SpecError) as info:
        build_plan(spec)
    assert info.value.field == "baseline"


def test_missing_dataset_file(tmp_path: Path, mini: dict[str, Path]) -> None:
    spec = write(tmp_path, GOOD.format(variant="v1.yaml", dataset="nope.csv"))
    with pytest.raises(SpecError) as info:
        build_plan(spec)
    assert info.value.field == "dataset" and "not found" in info.value.message


def test_sandbox_blocks_escape(tmp_path: Path, mini: dict[str, Path]) -> None:
    write(
        tmp_path,
        "id: v1\ntask: vacancy_text\nlanguage: en\n"
        'user: "{{ job_title.__class__.__mro__[1].__subclasses__() }}"\n',
        "v1.yaml",
    )
    spec = write(tmp_path, GOOD.format(variant="v1.yaml", dataset=mini["dataset"].name))
    with pytest.raises(SpecError) as info:
        build_plan(spec)
    assert "sandbox" in info.value.message or "undefined" in info.value.message


def test_swap_requires_name_variable(tmp_path: Path, mini: dict[str, Path]) -> None:
    body = GOOD.format(variant="v1.yaml", dataset="cases.csv") + (
        "swap: {names: nl_curated_unvalidated, groups: [dutch_origin, moroccan_dutch]}\n"
    )
    spec = write(tmp_path, body)
    with pytest.raises(SpecError) as info:
        build_plan(spec)
    assert info.value.field == "swap.variable"


def test_swap_renders_each_case_once_per_name(in_project: Path) -> None:
    plan = build_plan("experiments/screening_name_swap_nl.yaml")
    names = {c.cell.swap_name for c in plan.calls}
    groups = {c.cell.swap_group for c in plan.calls}
    assert len(names) == 9 and groups == {"dutch_origin", "moroccan_dutch", "turkish_dutch"}
    first = next(c for c in plan.calls if c.cell.swap_name)
    assert first.cell.swap_name in first.request.messages[-1].content
    assert len(plan.calls) == 2 * 20 * 9 * 1 * 2


@pytest.mark.parametrize(
    ("extra", "field", "needle"),
    [
        ("primary: []\n", "primary", "at least one metric"),
        ("non_inferiority: {words: 0}\n", "non_inferiority", "positive"),
        ("family: everything\n", "family", "'run'"),
        ("correction: fdr\n", "correction", "'holm'"),
        (
            "swap: {names: nl_curated_unvalidated, groups: [dutch_origin, moroccan_dutch], reference: nope}\n",
            "swap",
            "not one of the groups",
        ),
        ("models:\n  - id: simulated:x\n    simulate: {name_sd: -1}\n", "models[0].simulate.name_sd", "greater"),
    ],
)
def test_bad_statistics_fields(tmp_path: Path, extra: str, field: str, needle: str) -> None:
    models = "" if extra.startswith("models") else "models: [simulated:x]\n"
    body = "name: t\nvariants: [a]\ndataset: d.csv\n" + models
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, body + extra))
    assert info.value.field == field and needle in info.value.message


def test_primary_metric_must_be_scored(tmp_path: Path, mini: dict[str, Path]) -> None:
    base = GOOD.format(variant="v1.yaml", dataset="cases.csv") + "scorers: [length, readability]\n"
    ok = build_plan(write(tmp_path, base + "primary: readability\nnon_inferiority: {words: 20}\n"))
    assert ok.spec.primary == ["readability"] and ok.spec.non_inferiority == {"words": 20}
    with pytest.raises(SpecError) as info:
        build_plan(write(tmp_path, base + "primary: [readabilty]\n"))
    assert info.value.field == "primary" and "'readabilty' is not produced" in info.value.message


def test_statistics_defaults_keep_old_fingerprints(tmp_path: Path, mini: dict[str, Path]) -> None:
    """Runs stored before `primary`, `family`, `non_inferiority`, `swap.reference`, `name_sd` and `sequential` existed
    can still be resumed: those fields at their defaults are not part of the fingerprint."""
    import hashlib
    import json

    spec = load_spec(write(tmp_path, GOOD.format(variant="v1.yaml", dataset="cases.csv")))
    old = spec.model_dump(mode="json")
    for key in ("primary", "family", "non_inferiority", "truncated_outputs", "sequential"):
        old.pop(key)
    for model in old["models"]:  # how calls are made (issues #15, #17): never part of the fingerprint
        for key in ("timeout", "max_attempts", "check_model", "tpm", "itpm", "otpm"):
            model.pop(key)
    assert spec.fingerprint() == hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()[:16]
    changed = load_spec(write(tmp_path, GOOD.format(variant="v1.yaml", dataset="cases.csv") + "primary: words\n"))
    assert changed.fingerprint() != spec.fingerprint()


def test_a_judge_block_from_before_the_connection_fields_keeps_its_fingerprint(tmp_path: Path) -> None:
    """A stored spec with `judge: {model, params}` hashes as it did before the judge got connection fields."""
    import hashlib
    import json

    spec = load_spec(write(tmp_path, GOOD.format(variant="v1.yaml", dataset="cases.csv")
                           + "scorers: ['judge:clarity']\njudge: {model: 'simulated:judge'}\n"))
    old = spec.model_dump(mode="json")
    for key in ("primary", "family", "non_inferiority", "truncated_outputs", "sequential"):
        old.pop(key)
    for model in old["models"]:
        for key in ("timeout", "max_attempts", "check_model", "tpm", "itpm", "otpm"):
            model.pop(key)
    old["judge"] = {"model": "simulated:judge", "params": {"temperature": 0}, "rubrics": {}}
    assert spec.fingerprint() == hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()[:16]
