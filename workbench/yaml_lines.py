"""Load YAML while remembering the line of every mapping key and sequence item.

Pydantic reports errors as a path (`models.1.params.temperature`); this lets us turn that path
into a line number in the user's file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from workbench.errors import SpecError

MAX_SPEC_BYTES = 2_000_000


class LineMap:
    """Maps a path of keys/indexes to the 1-based line where that element starts."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._lines: dict[tuple[str | int, ...], int] = {}
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        self._lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                self._lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line_for(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the deepest prefix of `path` that exists in the document."""
        for cut in range(len(path), -1, -1):
            line = self._lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 text file with clear errors for missing, huge or wrongly encoded files."""
    if not path.exists():
        raise SpecError(f"{what} not found", file=path)
    if path.is_dir():
        raise SpecError(f"{what} is a directory, expected a file", file=path)
    size = path.stat().st_size
    if size > MAX_SPEC_BYTES:
        raise SpecError(f"{what} is too large ({size:,} bytes; limit {MAX_SPEC_BYTES:,})", file=path)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"{what} is not valid UTF-8 (byte {exc.start}); save it as UTF-8", file=path
        ) from None


def load_yaml(path: Path, what: str = "spec") -> tuple[Any, LineMap]:
    """Parse a YAML file into plain Python data plus a LineMap for error messages."""
    text = read_text(path, what)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"invalid YAML: {problem}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", file=path) from None
    return data, LineMap(node)
