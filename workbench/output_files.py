"""Checks before `export` or `report` writes a file, and one-line errors when writing fails.

Both commands follow the same rules: the folder must exist (nothing is created behind the user's back),
the name must end in the format's suffix (so `--out spec.yaml` cannot replace a spec with a CSV), and an
existing file is only replaced when Prompt Workbench wrote it (or with --force), so a typo cannot
overwrite a dataset.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import WorkbenchError

GENERATOR = "Prompt Workbench"  # every report names its generator; exports have our column names
_SNIFF_BYTES = 65_536


def _written_by_us(path: Path) -> bool:
    """Whether `path` looks like an earlier export or report of this tool."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            names = set(pq.read_schema(path).names)
            return {"output_id", "run_id"} <= names
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    except (OSError, ValueError, ImportError):
        return False
    if suffix == ".csv":
        return head.startswith("output_id,run_id")
    if suffix == ".jsonl":
        return head.startswith('{"output_id"')
    return GENERATOR in head


def check_output_path(path: Path, suffixes: tuple[str, ...], *, what: str, force: bool = False) -> None:
    """Raise a WorkbenchError naming --out unless `path` may be written."""
    if path.is_dir():
        raise WorkbenchError(f"is a folder; give a file name such as {path / ('run' + suffixes[0])}",
                             file=path, field="--out")
    if path.suffix.lower() not in suffixes:
        raise WorkbenchError(f"a {what} file name must end in {' or '.join(suffixes)}", file=path, field="--out")
    parent = path.parent
    if not parent.is_dir():
        raise WorkbenchError(f"folder {parent} does not exist; create it first (mkdir -p {parent})",
                             file=path, field="--out")
    if path.exists():
        if not path.is_file():
            raise WorkbenchError("is not a regular file", file=path, field="--out")
        if not force and not _written_by_us(path):
            raise WorkbenchError(f"already exists and was not written by {GENERATOR}; choose another name "
                                 "or add --force to replace it", file=path, field="--out")
    elif not os.access(parent, os.W_OK):
        raise WorkbenchError(f"folder {parent} is not writable", file=path, field="--out")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OS error while writing `path` into a one-line error (a read-only folder, /proc, a full disk)."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise WorkbenchError(f"cannot write the file: {reason}", file=path, field="--out") from None
