"""A corpus of bad inputs: each gives a one-line error naming the culprit, exit code 2, and no change
to an existing results database."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import sqlite3
from collections.abc import Callable, Iterator
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


Setup = Callable[[Path], contextlib.AbstractContextManager[list[str]]]


@dataclass
class Bad:
    id: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    expect: str = ""
    culprit: str = "spec.yaml"  # file name the message must mention
    args: tuple[str, ...] = ("run", "spec.yaml")
    # Prepares the working folder (and may add arguments) after the files are written and before the
    # database digest is taken; it stays active while the command runs.
    setup: Setup | None = None
    absent: str = ""  # a path that must not exist afterwards (nothing created behind the user's back)
    secret: str = ""  # must appear nowhere in the output (a password or key from the input)


@contextlib.contextmanager
def _fifo_dataset(work: Path) -> Iterator[list[str]]:
    os.mkfifo(work / "cases.jsonl")  # a pipe nobody writes to: reading it would block forever
    yield []


@contextlib.contextmanager
def _newer_database(work: Path) -> Iterator[list[str]]:
    conn = sqlite3.connect(work / "existing.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    yield []


@contextlib.contextmanager
def _busy_port(work: Path) -> Iterator[list[str]]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield ["ui", "--port", str(holder.getsockname()[1])]


@contextlib.contextmanager
def _read_only_folder(work: Path) -> Iterator[list[str]]:
    if os.geteuid() == 0:  # root ignores folder permissions; sysfs refuses new files even to root
        yield ["export", "latest", "--out", "/sys/workbench-export.csv"]
        return
    folder = work / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        yield ["export", "latest", "--out", str(folder / "x.csv")]
    finally:
        folder.chmod(0o700)


@contextlib.contextmanager
def _read_only_report_folder(work: Path) -> Iterator[list[str]]:
    with _read_only_folder(work) as args:
        yield ["report", "latest", "--out", args[-1].removesuffix(".csv") + ".html"]


def _alias_bomb() -> str:
    """A 9-level "billion laughs": 9**9 = 387 million strings once the aliases are expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return SPEC + "\n".join(lines) + "\n"


def _deep_jsonl(depth: int = 100_000) -> str:
    return '{"id": "a", "job_title": ' + "[" * depth + "]" * depth + "}\n"


JSONL_SPEC = spec_with(dataset="cases.jsonl")


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
    # README: "a missing API key ... gives one line naming the file, field and line" (#14 item 7).
    Bad("missing-api-key", {"spec.yaml": spec_with(models="[openai:gpt-4o-mini]")}, "OPENAI_API_KEY is not set",
        culprit="spec.yaml:6 [models[0]]"),
    Bad("corrupt-db", {"results.db": b"this is not a database" * 100}, "corrupt", "results.db",
        args=("run", "spec.yaml", "--db", "results.db")),
    Bad("db-missing-dir", {}, "does not exist", "nowhere", args=("list", "--db", "nowhere/x.db")),
    Bad("db-bad-url", {}, "database", "", args=("list", "--db", "foo://bar")),
    Bad("report-unknown-run", {}, "does not exist", "", args=("report", "999")),
    Bad("export-bad-format", {}, "unknown format", "", args=("export", "latest", "--format", "xlsx")),
]

# Issue #14: inputs a new user tried in the first hour that did not yet give a clean one-line error.
FIRST_HOUR: list[Bad] = [
    Bad("db-newer-version", {}, "newer version of Prompt Workbench", "existing.db", args=("list",),
        setup=_newer_database),
    Bad("sandbox-recursive-macro",
        {"v1.yaml": variant_with("{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(job_title) }}")},
        "recursion too deep", "v1.yaml"),
    Bad("dataset-jsonl-deep", {"spec.yaml": JSONL_SPEC, "cases.jsonl": _deep_jsonl()}, "nested too deeply",
        "cases.jsonl:1"),
    Bad("export-to-proc", {}, "cannot write", "/proc/x.csv", args=("export", "latest", "--out", "/proc/x.csv")),
    Bad("export-to-folder", {}, "is a folder", "", args=("export", "latest", "--out", ".")),
    Bad("report-to-folder", {}, "is a folder", "", args=("report", "latest", "--out", ".")),
    Bad("export-read-only-folder", {}, "", "--out", args=(), setup=_read_only_folder),
    Bad("report-to-proc", {}, "cannot write", "/proc/x.html", args=("report", "latest", "--out", "/proc/x.html")),
    Bad("report-read-only-folder", {}, "", "--out", args=(), setup=_read_only_report_folder),
    Bad("power-effect-nan", {}, "--effect must be a non-zero number", "", args=("power", "--effect", "nan")),
    Bad("power-effect-inf", {}, "--effect must be a non-zero number", "", args=("power", "--effect", "inf")),
    Bad("ui-port-out-of-range", {}, "not a TCP port", "--port", args=("ui", "--port", "99999")),
    Bad("ui-port-busy", {}, "already in use", "--port", args=(), setup=_busy_port),
    Bad("yaml-alias-bomb", {"spec.yaml": _alias_bomb()}, "through YAML aliases"),
    Bad("dataset-fifo", {"spec.yaml": JSONL_SPEC}, "not a regular file", "cases.jsonl", setup=_fifo_dataset),
    Bad("yaml-duplicate-key", {"spec.yaml": SPEC + "repeats: 3\n"}, "duplicate key 'repeats'", "spec.yaml:7"),
    Bad("spec-param-typo", {"spec.yaml": spec_with(models="[{id: 'simulated:x', params: {temprature: 0.3}}]")},
        "did you mean 'temperature'", "spec.yaml:6"),
    Bad("spec-base-url-not-a-url",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:llama3', base_url: 'not a url'}]")},
        "http:// or https://"),
    Bad("spec-base-url-file",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:llama3', base_url: 'file:///etc/passwd'}]")},
        "http:// or https://"),
    Bad("dataset-csv-too-few-fields", {"cases.csv": "id,job_title,city\na,Nurse,Delft\nb,Chef\n"},
        "row has 2 fields, the header has 3", "cases.csv:3"),
    Bad("dataset-csv-unclosed-quote", {"cases.csv": 'id,job_title\na,"Nurse\nb,Chef\nc,Cook\n'},
        "never closed", "cases.csv:2"),
    Bad("dataset-jsonl-nan", {"spec.yaml": JSONL_SPEC, "cases.jsonl": '{"id": "a", "job_title": NaN}\n'},
        "NaN is not a JSON value", "cases.jsonl:1"),
    Bad("report-missing-folder", {}, "does not exist", "nowhere", args=("report", "latest", "--out",
                                                                         "nowhere/x.html"), absent="nowhere"),
    Bad("export-format-suffix-mismatch", {}, "must end in .parquet", "x.csv",
        args=("export", "latest", "--format", "parquet", "--out", "x.csv"), absent="x.csv"),
    Bad("export-over-spec", {}, "must end in .csv", "spec.yaml", args=("export", "latest", "--out", "spec.yaml")),
    Bad("export-over-dataset", {}, "not written by Prompt Workbench", "cases.csv",
        args=("export", "latest", "--out", "cases.csv")),
    Bad("spec-empty-custom-rubric",
        {"spec.yaml": spec_with("judge: {rubrics: {mine: ''}}\n", scorers="['judge:mine']")}, "has no text"),
    Bad("dataset-csv-10mb-cell", {"cases.csv": "id,job_title\na," + "x" * 10_000_000 + "\n"},
        "longer than 200,000 characters", "cases.csv:2"),
    Bad("spec-base-url-credentials",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:llama3', base_url: 'http://u:pw@localhost/v1'}]")},
        "must not contain a user name or password", secret="u:pw"),
    Bad("spec-base-url-key-in-query",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:x', base_url: 'http://h/v1?api_key=sk-1'}]")},
        "must not carry a key", secret="sk-1"),
    # The "accepted by validate" / "an error in validate": the same checks through `validate`.
    Bad("validate-base-url-not-a-url",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:llama3', base_url: 'not a url'}]")},
        "http:// or https://", args=("validate", "spec.yaml")),
    Bad("validate-base-url-file",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:llama3', base_url: 'file:///etc/passwd'}]")},
        "http:// or https://", args=("validate", "spec.yaml")),
    Bad("validate-base-url-credentials",
        {"spec.yaml": spec_with(models="[{id: 'openai_compatible:llama3', base_url: 'https://u:hunter2@h/v1'}]")},
        "must not contain a user name or password", args=("validate", "spec.yaml"), secret="hunter2"),
    Bad("validate-prices-wrong-keys",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o-mini', prices: {input: 1, output: 2}}]")},
        "unknown price key 'input'", args=("validate", "spec.yaml")),
    Bad("validate-prices-negative",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o-mini', prices: {input_per_mtok: 1, "
                                       "output_per_mtok: -2}}]")}, "non-negative", args=("validate", "spec.yaml")),
    Bad("validate-judge-prices-negative",
        {"spec.yaml": spec_with("judge: {model: 'openai:gpt-4o-mini', prices: {input_per_mtok: -1, "
                                "output_per_mtok: 1}}\n", scorers="['judge:clarity']")},
        "non-negative", args=("validate", "spec.yaml")),
    Bad("validate-judge-scorer-without-judge", {"spec.yaml": spec_with(
        models="[{id: 'openai_compatible:m', base_url: 'http://127.0.0.1:9/v1', check_model: false}]",
        scorers="['judge:clarity']")}, "needs a `judge:` block", args=("validate", "spec.yaml")),
    Bad("spec-prices-wrong-keys",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o-mini', prices: {input: 1, output: 2}}]")},
        "unknown price key 'input'"),
    Bad("spec-prices-negative",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o-mini', prices: {input_per_mtok: -1, "
                                       "output_per_mtok: 2}}]")}, "non-negative"),
    Bad("spec-prices-one-key",
        {"spec.yaml": spec_with(models="[{id: 'openai:gpt-4o-mini', prices: {input_per_mtok: 1}}]")},
        "output_per_mtok is missing"),
    Bad("validate-bad-db", {}, "database", "", args=("validate", "spec.yaml", "--db", "foo://bar")),
    Bad("usage-missing-argument", {}, "Missing argument", "run --help", args=("run",)),
    Bad("usage-bad-option-value", {}, "--concurrency", "run --help", args=("run", "spec.yaml", "--concurrency", "0")),
]
CORPUS += FIRST_HOUR


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
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
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
    with bad.setup(tmp_path) if bad.setup else contextlib.nullcontext([]) as extra:
        before = digest(db)
        args = list(bad.args) + list(extra)
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
    if bad.secret:
        assert bad.secret not in result.output, "a password or key from the input must not be printed"
    if bad.absent:
        assert not (tmp_path / bad.absent).exists(), f"{bad.absent} was created"
    assert digest(db) == before, "the existing results database must be untouched"
    corrupt = tmp_path / "results.db"
    if corrupt.exists():
        assert corrupt.read_bytes() == bad.files["results.db"]
