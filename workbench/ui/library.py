"""Prompt library and dataset files on disk: scan, validate before writing, save, diff."""

from __future__ import annotations

import difflib
import html
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.errors import SpecError, WorkbenchError
from workbench.experiment.datasets import TestCase, load_dataset
from workbench.experiment.prompts import PromptVariant, load_variant, variant_to_yaml

VARIANT_SUFFIXES = (".yaml", ".yml")
DATASET_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class LibraryEntry:
    path: Path
    variant: PromptVariant | None
    error: str | None = None

    @property
    def id(self) -> str:
        return self.variant.id if self.variant else self.path.stem


def scan_library(folder: Path) -> list[LibraryEntry]:
    """Every variant file in the library; broken files are listed with their error, not skipped."""
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in VARIANT_SUFFIXES):
        try:
            entries.append(LibraryEntry(path, load_variant(path)))
        except WorkbenchError as exc:
            entries.append(LibraryEntry(path, None, str(exc)))
    return entries


def dataset_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in DATASET_SUFFIXES)


def describe_error(exc: SpecError) -> str:
    """The error without the (temporary) file path: field, line and message."""
    where = exc.field or ""
    return f"{where}: {exc.message}" if where else exc.message


def check_variant(variant: PromptVariant, row: dict[str, Any] | None) -> tuple[PromptVariant,
                                                                                 tuple[str | None, str] | None]:
    """Validate exactly what would be written: serialise, load it back, render it against `row`.

    Raises SpecError (with the field: id/task/system/user) when the file would be invalid or the
    template does not render with this test case.
    """
    text = variant_to_yaml(variant)
    with tempfile.TemporaryDirectory(prefix="wb-variant-") as folder:
        path = Path(folder) / f"{variant.id or 'variant'}.yaml"
        path.write_text(text, encoding="utf-8")
        loaded = load_variant(path)
    loaded = replace(loaded, path=variant.path)
    return loaded, (loaded.render(row) if row is not None else None)


def save_variant(folder: Path, variant: PromptVariant, row: dict[str, Any] | None, *, overwrite: bool) -> Path:
    """Validate, then write `<folder>/<id>.yaml` atomically; refuses to replace a file unless told to."""
    check_variant(variant, row)
    path = folder / f"{variant.id}.yaml"
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    atomic_write(path, variant_to_yaml(variant))
    return path


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def side_by_side_diff(old: str, new: str, old_title: str, new_title: str) -> str:
    """HTML table: old lines left, new lines right; changed lines tinted (red removed, green added)."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            lt = left[k] if k < len(left) else ""
            rt = right[k] if k < len(right) else ""
            lcls = "" if tag == "equal" else ("del" if k < len(left) else "pad")
            rcls = "" if tag == "equal" else ("add" if k < len(right) else "pad")
            rows.append(f'<tr><td class="{lcls}">{html.escape(lt) or "&nbsp;"}</td>'
                        f'<td class="{rcls}">{html.escape(rt) or "&nbsp;"}</td></tr>')
    style = ("<style>.wb-diff{width:100%;border-collapse:collapse;font-family:monospace;font-size:0.82rem;"
             "table-layout:fixed}.wb-diff td,.wb-diff th{border:1px solid rgba(128,128,128,.3);padding:2px 6px;"
             "vertical-align:top;white-space:pre-wrap;word-break:break-word}.wb-diff td.del{background:#fde0dc}"
             ".wb-diff td.add{background:#d9f2dd}.wb-diff td.pad{background:rgba(128,128,128,.08)}</style>")
    head = f"<tr><th>{html.escape(old_title)}</th><th>{html.escape(new_title)}</th></tr>"
    return f'{style}<table class="wb-diff">{head}{"".join(rows)}</table>'


def read_dataset_bytes(name: str, data: bytes) -> list[TestCase]:
    """Parse an uploaded file with the same rules as `workbench run` (via a temporary file)."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="wb-dataset-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return load_dataset(path)
        except SpecError as exc:
            raise SpecError(exc.message, file=name, field=exc.field, line=exc.line) from None


def missing_variables(variant: PromptVariant, columns: set[str], provided: Iterable[str] = ()) -> list[str]:
    """Template variables the dataset does not provide (a name-swap audit provides `candidate_name`)."""
    return sorted(variant.variables - columns - set(provided))

