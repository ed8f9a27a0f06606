"""Datasets: CSV/JSONL parsing with clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import SpecError
from workbench.experiment.datasets import load_dataset


def test_csv_with_bom_semicolons_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeffid;job_title;cluster\nx1;Kok;horeca\nx2;Monteur;techniek\n".encode())
    cases = load_dataset(path)
    assert [c.id for c in cases] == ["x1", "x2"]
    assert cases[0].variables["job_title"] == "Kok"
    assert cases[1].cluster == "techniek"


def test_jsonl_generates_ids(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"job_title": "Nurse"}\n\n{"job_title": "Chef", "skills": ["a", "b"]}\n', encoding="utf-8"
    )
    cases = load_dataset(path)
    assert [c.id for c in cases] == ["case-001", "case-002"]
    assert cases[1].variables["skills"] == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "content", "needle", "line"),
    [
        ("d.csv", b"job_title\n\xff\xfeNurse\n", "not valid UTF-8", 2),
        ("d.csv", "\ufeffa,b\n1,2\n".encode("utf-16"), "UTF-16", None),
        ("d.jsonl", b'{"a": 1}\n{"a": \n', "invalid JSON", 2),
        ("d.jsonl", b"[1, 2]\n", "JSON object", 1),
        ("d.csv", b"id,job\nx,1\nx,2\n", "duplicate test case id", 3),
        ("d.csv", b"a,a\n1,2\n", "repeats column", 1),
        ("d.csv", b"a,b\n1,2,3\n", "more fields", 2),
        ("d.csv", b"", "no header", 1),
        ("d.xlsx", b"PK", "must be a .csv", None),
        ("d.csv", b"a,b\n", "no test cases", None),
    ],
)
def test_bad_datasets(tmp_path: Path, name: str, content: bytes, needle: str, line: int | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpecError) as info:
        load_dataset(path)
    assert needle in info.value.message
    assert info.value.line == line
    assert info.value.file == str(path)
