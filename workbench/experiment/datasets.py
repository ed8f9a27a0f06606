"""Test-case datasets: CSV or JSONL, one row per test case."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import SpecError

MAX_DATASET_BYTES = 50_000_000
MAX_CASES = 100_000
MAX_CELL_CHARS = 200_000  # a cell cannot be longer than a whole rendered prompt (prompts.MAX_RENDERED_CHARS)
ID_COLUMNS = ("id", "case_id")
CLUSTER_COLUMNS = ("cluster", "group")


@dataclass(frozen=True)
class TestCase:
    id: str
    variables: dict[str, Any]
    cluster: str | None = None
    line: int | None = field(default=None, compare=False)

    __test__ = False  # not a pytest test class


def _decode(path: Path) -> str:
    if not path.exists():
        raise SpecError("dataset not found", file=path)
    if path.is_dir():
        raise SpecError("dataset is a directory, expected a .csv or .jsonl file", file=path)
    if not path.is_file():  # a FIFO or device would block or never end
        raise SpecError("dataset is not a regular file (a pipe or device?); save it as a .csv or .jsonl file",
                        file=path)
    size = path.stat().st_size
    if size > MAX_DATASET_BYTES:
        raise SpecError(f"dataset is too large ({size:,} bytes; limit {MAX_DATASET_BYTES:,})", file=path)
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise SpecError("dataset looks binary (NUL bytes) or UTF-16; save it as UTF-8", file=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            "dataset is not valid UTF-8 (Excel 'CSV UTF-8' or any UTF-8 export works)", file=path, line=line
        ) from None


def _make_case(row: dict[str, Any], index: int, line: int, path: Path, seen: set[str]) -> TestCase:
    raw_id = next((row[c] for c in ID_COLUMNS if row.get(c) not in (None, "")), None)
    case_id = str(raw_id) if raw_id is not None else f"case-{index + 1:03d}"
    if case_id in seen:
        raise SpecError(f"duplicate test case id {case_id!r}", file=path, line=line)
    seen.add(case_id)
    cluster = next((str(row[c]) for c in CLUSTER_COLUMNS if row.get(c) not in (None, "")), None)
    variables = {k: v for k, v in row.items() if k not in ID_COLUMNS}
    return TestCase(id=case_id, variables=variables, cluster=cluster, line=line)


def _read_csv(text: str, path: Path) -> list[TestCase]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    # strict: an unclosed quote is an error instead of swallowing the rest of the file into one cell.
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect, strict=True)
    record_start = 1
    try:
        fieldnames = reader.fieldnames
        if not fieldnames:
            raise SpecError("dataset has no header row", file=path, line=1)
        names = [n.strip() if n else "" for n in fieldnames]
        if any(not n for n in names):
            raise SpecError("dataset header has an empty column name", file=path, line=1)
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise SpecError(f"dataset header repeats column(s): {', '.join(dupes)}", file=path, line=1)
        reader.fieldnames = names
        cases: list[TestCase] = []
        seen: set[str] = set()
        record_start = reader.line_num + 1
        for index, row in enumerate(reader):
            line = record_start
            record_start = reader.line_num + 1
            if None in row:
                raise SpecError(f"row has more fields than the header ({len(names)})", file=path, line=line)
            if all((v or "").strip() == "" for v in row.values()):
                continue
            if None in row.values():
                given = sum(v is not None for v in row.values())
                raise SpecError(f"row has {given} field{'s' if given != 1 else ''}, the header has {len(names)}",
                                file=path, line=line)
            cases.append(_make_case(row, index, line, path, seen))
            if len(cases) > MAX_CASES:
                raise SpecError(f"dataset has more than {MAX_CASES:,} test cases", file=path)
    except csv.Error as exc:
        reason = str(exc)
        if "field limit" in reason:
            reason = f"a cell is longer than {MAX_CELL_CHARS:,} characters (the most a prompt can hold)"
        elif "unexpected end of data" in reason:
            reason = "a quote opened in this row is never closed"
        else:
            reason = f"malformed CSV: {reason} (a quote inside a quoted cell is written twice: \"\")"
        raise SpecError(reason, file=path, line=record_start) from None
    return cases


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value; use null or a string")


def _read_jsonl(text: str, path: Path) -> list[TestCase]:
    cases: list[TestCase] = []
    seen: set[str] = set()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            # NaN/Infinity are not JSON (Python accepts them and a prompt would say "nan").
            row = json.loads(line, parse_constant=_no_constants)
        except json.JSONDecodeError as exc:
            raise SpecError(f"invalid JSON: {exc.msg}", file=path, line=line_no) from None
        except ValueError as exc:
            raise SpecError(f"invalid JSON: {exc}", file=path, line=line_no) from None
        except RecursionError:
            raise SpecError("JSON nested too deeply", file=path, line=line_no) from None
        if not isinstance(row, dict):
            raise SpecError("each JSONL line must be a JSON object", file=path, line=line_no)
        cases.append(_make_case(row, len(cases), line_no, path, seen))
        if len(cases) > MAX_CASES:
            raise SpecError(f"dataset has more than {MAX_CASES:,} test cases", file=path)
    return cases


def load_dataset(path: str | Path) -> list[TestCase]:
    dataset_path = Path(path)
    suffix = dataset_path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson", ".tsv"):
        raise SpecError("dataset must be a .csv, .tsv or .jsonl file", file=dataset_path)
    text = _decode(dataset_path)
    cases = (
        _read_jsonl(text, dataset_path) if suffix in (".jsonl", ".ndjson") else _read_csv(text, dataset_path)
    )
    if not cases:
        raise SpecError("dataset has no test cases", file=dataset_path)
    return cases


def dataset_columns(cases: list[TestCase]) -> set[str]:
    """Columns present in every row (a variable missing from any row would fail at render time)."""
    columns = set(cases[0].variables)
    for case in cases[1:]:
        columns &= set(case.variables)
    return columns
