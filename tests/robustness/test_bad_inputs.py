"""A corpus of bad inputs: each gives a one-line error naming the culprit, exit code 2, and no change
to an existing results database."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

SPEC = """name: base
variants: [v1.yaml]
dataset: cases.csv
models: [simulated:default]
repeats: 1
scorers: [length]
"""
VARIANT = "id: v1\ntask: vacancy_text\nlanguage: en\nuser: |\n  Ad for {{ job_title }}\n"
CASES = "id,job_title\na,Nurse\nb,Chef\n"


def spec_with(extra: str = "", **replace: str) -> str:
    text = SPEC
    for key, value in replace.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{key}:")]
        text = "\n".join(lines) + "\n" + (f"{key}: {value}\n" if value != "<drop>" else "")
    return text + extra


def variant_with(user: str, head: str = "id: v1\ntask: vacancy_text\nlanguage: en\n") -> str:
    return head + "user: |\n" + "".join(f"  {line}\n" for line in user.splitlines())


@dataclass
class Bad:
    id: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    expect: str = ""
    culprit: str = "spec.yaml"  # file name the message must mention
    args: tuple[str, ...] = ("run", "spec.yaml")


CORPUS: list[Bad] = [
    # --- specs -------------------------------------------------------------------------------
    Bad("spec-empty", {"spec.yaml": ""}, "must be a YAML mapping"),
    Bad("spec-list", {"spec.yaml": "- a\n- b\n"}, "must be a YAML mapping"),
    Bad("spec-unclosed-bracket", {"spec.yaml": "name: x\nvariants: [v1.yaml\n"}, "invalid YAML"),
    Bad("spec-tab-indent", {"spec.yaml": "name: x\nmodels:\n\t- simulated:x\n"}, "invalid YAML"),
    Bad("spec-missing-name", {"spec.yaml": spec_with(name="<drop>")}, "required field"),
    Bad("spec-missing-variants", {"spec.yaml": spec_with(variants="<drop>")}, "required field"),
    Bad("spec-missing-dataset", {"spec.yaml": spec_with(dataset="<drop>")}, "required field"),
    Bad("spec-missing-models", {"spec.yaml": spec_with(models="<drop>")}, "required field"),
    Bad("spec-repeats-zero", {"spec.yaml": spec_with(repeats="0")}, "greater than or equal to 1"),
    Bad("spec-repeats-text", {"spec.yaml": spec_with(repeats="three")}, "valid integer"),
    Bad("spec-repeats-huge", {"spec.yaml": spec_with(repeats="100000")}, "less than or equal to 1000"),
    Bad("spec-unknown-field", {"spec.yaml": spec_with("temprature: 0.3\n")}, "unknown field"),
    Bad("spec-model-no-colon", {"spec.yaml": spec_with(models="[gpt-4o]")}, "provider:model"),
    Bad("spec-unknown-provider", {"spec.yaml": spec_with(models="[mistral:large]")}, "unknown provider"),
    Bad("spec-temperature", {"spec.yaml": spec_with(models="[{id: 'simulated:x', params: {temperature: 5}}]")},
        "temperature"),
    Bad("spec-max-tokens", {"spec.yaml": spec_with(models="[{id: 'simulated:x', params: {max_tokens: -5}}]")},
        "max_tokens"),
    Bad("spec-compatible-no-url", {"spec.yaml": spec_with(models="[openai_compatible:llama3]")}, "base_url"),
    Bad("spec-key-in-env-field",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o', api_key_env: 'sk-abc123'}]")}, "NAME of an"),
    Bad("spec-duplicate-models", {"spec.yaml": spec_with(models="[simulated:x, simulated:x]")}, "listed twice"),
    Bad("spec-concurrency-zero", {"spec.yaml": spec_with("concurrency: 0\n")}, "greater than or equal to 1"),
    Bad("spec-alpha", {"spec.yaml": spec_with("alpha: 1.5\n")}, "less than 0.5"),
    Bad("spec-correction", {"spec.yaml": spec_with("correction: bonf\n")}, "holm"),
    Bad("spec-baseline", {"spec.yaml": spec_with("baseline: nope\n")}, "baseline 'nope'"),
    Bad("spec-variant-missing", {"spec.yaml": spec_with(variants="[missing.yaml]")}, "not found"),
    Bad("spec-dataset-missing", {"spec.yaml": spec_with(dataset="missing.csv")}, "not found"),
    Bad("spec-bad-name", {"spec.yaml": spec_with(name="'my experiment!'")}, "letters, digits"),
    Bad("spec-swap-one-group",
        {"spec.yaml": spec_with("swap: {names: nl_curated_unvalidated, groups: [dutch_origin]}\n")}, "at least 2"),
    Bad("spec-swap-two-names",
        {"spec.yaml": spec_with("swap: {names: x, groups: [a, b], names_per_group: 2}\n")},
        "greater than or equal to 3"),
    Bad("spec-swap-unknown-set",
        {"spec.yaml": spec_with("swap: {names: nope, groups: [a, b], variable: job_title}\n")}, "unknown name set",
        culprit=""),
    Bad("spec-swap-unknown-group",
        {"spec.yaml": spec_with("swap: {names: nl_curated_unvalidated, groups: [dutch_origin, martian], "
                                "variable: job_title}\n")}, "no group 'martian'", culprit=""),
    Bad("spec-simulate-on-openai",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o', simulate: {effects: []}}]")}, "only valid for"),
    Bad("spec-effect-no-target",
        {"spec.yaml": spec_with(models="[{id: 'simulated:x', simulate: {effects: [{length: 0.2}]}}]")},
        "needs `variant` or `name_group`"),
    Bad("spec-task-mismatch", {"spec.yaml": spec_with("task: rejection_email\n")}, "is for task"),
    Bad("spec-unknown-scorer", {"spec.yaml": spec_with(scorers="[length, sentiment]")}, "unknown scorer"),
    Bad("spec-unknown-rubric", {"spec.yaml": spec_with(scorers="['judge:vibes']")}, "unknown judge rubric"),
    # A real model judged without a judge: block would silently get the simulated judge (issue #14 item 2).
    Bad("spec-judge-scorer-without-judge", {"spec.yaml": spec_with(
        models="[simulated:x, {id: 'openai_compatible:m', base_url: 'http://127.0.0.1:9/v1'}]",
        scorers="['judge:clarity']")}, "needs a `judge:` block"),
    Bad("spec-judge-compatible-no-base-url", {"spec.yaml": spec_with(
        "judge: {model: 'openai_compatible:j'}\n", scorers="['judge:clarity']")}, "need base_url"),
    Bad("spec-model-timeout-negative", {"spec.yaml": spec_with(models="[{id: 'simulated:x', timeout: -1}]")},
        "greater than 0"),
    Bad("spec-bad-regex-check",
        {"spec.yaml": spec_with(scorers="[{check: regex, name: r, pattern: '(unclosed'}]")}, "pattern"),
    Bad("spec-latin1", {"spec.yaml": SPEC.replace("base", "caf\xe9").encode("latin-1")}, "not valid UTF-8"),
    Bad("spec-huge", {"spec.yaml": "name: x\n" + "# padding\n" * 300_000}, "too large"),
    Bad("spec-binary", {"spec.yaml": b"\x89PNG\r\n\x1a\n\x00\x00"}, "", culprit="spec.yaml"),
    # --- prompt variants and templates -------------------------------------------------------
    Bad("variant-no-user", {"v1.yaml": "id: v1\ntask: vacancy_text\nlanguage: en\n"}, "required field", "v1.yaml"),
    Bad("variant-unknown-task", {"v1.yaml": VARIANT.replace("vacancy_text", "poetry")}, "unknown task", "v1.yaml"),
    Bad("variant-language", {"v1.yaml": VARIANT.replace("language: en", "language: de")}, "'nl' or 'en'",
        "v1.yaml"),
    Bad("variant-syntax", {"v1.yaml": variant_with("Ad for {{ job_title ")}, "template syntax error", "v1.yaml"),
    Bad("variant-unknown-variable", {"v1.yaml": variant_with("Ad for {{ job_title }} paying {{ salary }}")},
        "has no column 'salary'", "v1.yaml"),
    Bad("sandbox-mro", {"v1.yaml": variant_with("{{ job_title.__class__.__mro__[1].__subclasses__() }}")},
        "sandbox", "v1.yaml"),
    Bad("sandbox-globals", {"v1.yaml": variant_with("{{ cycler.__init__.__globals__.os.popen('id').read() }}")},
        "", "v1.yaml"),
    Bad("sandbox-lipsum", {"v1.yaml": variant_with("{{ lipsum.__globals__['os'].system('id') }}")}, "", "v1.yaml"),
    Bad("sandbox-format", {"v1.yaml": variant_with("{{ '{0.__class__}'.format(job_title) }}")}, "", "v1.yaml"),
    Bad("sandbox-include", {"v1.yaml": variant_with("{% include '/etc/passwd' %}")}, "failed to render", "v1.yaml"),
    Bad("sandbox-import", {"v1.yaml": variant_with("{% import 'os' as os %}{{ os }}")}, "failed to render",
        "v1.yaml"),
    Bad("sandbox-string-bomb", {"v1.yaml": variant_with("{{ 'x' * 10**9 }}")}, "too large", "v1.yaml"),
    Bad("sandbox-power-bomb", {"v1.yaml": variant_with("{{ 9 ** 99999999 }}")}, "too large", "v1.yaml"),
    Bad("sandbox-range-bomb",
        {"v1.yaml": variant_with("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")},
        "too large", "v1.yaml"),
    Bad("sandbox-output-bomb",
        {"v1.yaml": variant_with("{% for a in range(1000) %}{% for b in range(1000) %}xxxx{% endfor %}{% endfor %}")},
        "exceeds", "v1.yaml"),
    Bad("sandbox-mutation", {"v1.yaml": variant_with("{% set l = [1] %}{{ l.append(2) }}")}, "", "v1.yaml"),
    Bad("variant-duplicate-id", {"spec.yaml": spec_with(variants="[v1.yaml, v1copy.yaml]"), "v1copy.yaml": VARIANT},
        "share the id"),
    Bad("variant-cp1252", {"v1.yaml": VARIANT.replace("Ad for", "Vacature \u20ac").encode("cp1252")},
        "not valid UTF-8", "v1.yaml"),
    # --- datasets ----------------------------------------------------------------------------
    Bad("dataset-cp1252", {"cases.csv": "id,job_title\na,Caf\xe9 medewerker\n".encode("cp1252")}, "not valid UTF-8",
        "cases.csv"),
    Bad("dataset-utf16", {"cases.csv": CASES.encode("utf-16")}, "UTF-16", "cases.csv"),
    Bad("dataset-empty", {"cases.csv": ""}, "no header", "cases.csv"),
    Bad("dataset-header-only", {"cases.csv": "id,job_title\n"}, "no test cases", "cases.csv"),
    Bad("dataset-duplicate-ids", {"cases.csv": "id,job_title\na,Nurse\na,Chef\n"}, "duplicate test case id",
        "cases.csv"),
    Bad("dataset-ragged", {"cases.csv": "id,job_title\na,Nurse,extra\n"}, "more fields", "cases.csv"),
    Bad("dataset-duplicate-columns", {"cases.csv": "id,job_title,job_title\na,b,c\n"}, "repeats column", "cases.csv"),
    Bad("dataset-missing-column", {"cases.csv": "id,title\na,Nurse\n"}, "has no column 'job_title'", "v1.yaml"),
    Bad("dataset-jsonl-bad-line", {"spec.yaml": spec_with(dataset="cases.jsonl"),
                                   "cases.jsonl": '{"job_title": "Nurse"}\n{"job_title": \n'},
        "invalid JSON", "cases.jsonl"),
    Bad("dataset-jsonl-array", {"spec.yaml": spec_with(dataset="cases.jsonl"), "cases.jsonl": '["Nurse"]\n'},
        "JSON object", "cases.jsonl"),
    Bad("dataset-xlsx", {"spec.yaml": spec_with(dataset="cases.xlsx"), "cases.xlsx": b"PK\x03\x04"},
        "must be a .csv", "cases.xlsx"),
    Bad("dataset-huge", {"cases.csv": "<huge>"}, "too large", "cases.csv"),
    # --- environment -------------------------------------------------------------------------
    Bad("missing-api-key", {"spec.yaml": spec_with(models="[openai:gpt-4o-mini]")}, "OPENAI_API_KEY is not set",
        culprit=""),
    Bad("corrupt-db", {"results.db": b"this is not a database" * 100}, "corrupt", "results.db",
        args=("run", "spec.yaml", "--db", "results.db")),
    Bad("db-missing-dir", {}, "does not exist", "nowhere", args=("list", "--db", "nowhere/x.db")),
    Bad("db-bad-url", {}, "database", "", args=("list", "--db", "foo://bar")),
    Bad("report-unknown-run", {}, "does not exist", "", args=("report", "999")),
    Bad("export-bad-format", {}, "unknown format", "", args=("export", "latest", "--format", "xlsx")),
]


@pytest.fixture(scope="module")
def existing_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database that already holds a finished run: bad input must never change it."""
    work = tmp_path_factory.mktemp("good")
    (work / "spec.yaml").write_text(SPEC)
    (work / "v1.yaml").write_text(VARIANT)
    (work / "cases.csv").write_text(CASES)
    db = work / "existing.db"
    result = CliRunner().invoke(app, ["run", str(work / "spec.yaml"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)  # fold the WAL into the main file so that a plain copy holds every row
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert conn.execute("SELECT count(*) FROM outputs").fetchone()[0] == 2
    conn.close()
    return db


def digest(path: Path) -> str:
    """Hash of the database's full logical content (read-only connection)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 50
    assert len({b.id for b in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("bad", CORPUS, ids=lambda b: b.id)
def test_bad_input_gives_one_line_and_exit_2(
    bad: Bad, tmp_path: Path, existing_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    if bad.id == "missing-api-key":
        monkeypatch.delenv("OPENAI_API_KEY")
    files: dict[str, str | bytes] = {"spec.yaml": SPEC, "v1.yaml": VARIANT, "cases.csv": CASES, **bad.files}
    for name, content in files.items():
        if content == "<huge>":
            with (tmp_path / name).open("wb") as fh:
                fh.truncate(60_000_000)  # sparse: the size check must fire before anything is read
        elif isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        else:
            (tmp_path / name).write_text(content, encoding="utf-8")
    db = tmp_path / "existing.db"
    shutil.copy(existing_db, db)
    before = digest(db)
    args = list(bad.args)
    if "--db" not in args:
        args += ["--db", str(db)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    message = result.stderr.strip()
    assert "\n" not in message, message
    assert message.startswith("error:"), message
    assert "Traceback" not in result.output
    assert bad.expect in message, message
    if bad.culprit:
        assert bad.culprit in message, message
    assert digest(db) == before, "the existing results database must be untouched"
    corrupt = tmp_path / "results.db"
    if corrupt.exists():
        assert corrupt.read_bytes() == bad.files["results.db"]
