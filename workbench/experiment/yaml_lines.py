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
    if not path.is_file():  # a FIFO or device would block or never end
        raise SpecError(f"{what} is not a regular file (a pipe or device?)", file=path)
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


MAX_YAML_ELEMENTS = 100_000  # after expanding aliases: a "billion laughs" file stops here, not at 6 GB


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.value, line, seen[key_node.value])
                seen[key_node.value] = line
        return super().construct_mapping(node, deep)


def _expanded_size(node: yaml.Node, memo: dict[int, int], path: set[int]) -> int:
    """Elements in the document once every alias is expanded (shared nodes counted once per use)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in path:
        raise ValueError("a YAML alias refers to the node that contains it")
    path.add(key)
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo, path) + _expanded_size(v, memo, path) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, memo, path) for item in node.value)
    path.discard(key)
    memo[key] = size
    return size


def parse_yaml(text: str, path: Path, what: str = "spec") -> tuple[Any, LineMap]:
    """Parse YAML text into plain Python data plus a LineMap; every problem is a one-line SpecError."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                size = _expanded_size(node, {}, set())
                if size > MAX_YAML_ELEMENTS:
                    raise SpecError(
                        f"{what} expands to {size:,} elements through YAML aliases (limit {MAX_YAML_ELEMENTS:,})",
                        file=path,
                    )
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _DuplicateKey as exc:
        raise SpecError(f"duplicate key {exc.key!r} (first on line {exc.first}); YAML would silently keep "
                        "the last one", file=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"invalid YAML: {problem}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", file=path) from None
    except ValueError as exc:
        raise SpecError(f"invalid YAML: {exc}", file=path) from None
    except RecursionError:
        raise SpecError(f"{what} is nested too deeply", file=path) from None
    return data, LineMap(node)


def load_yaml(path: Path, what: str = "spec") -> tuple[Any, LineMap]:
    """Read and parse a YAML file into plain Python data plus a LineMap for error messages."""
    return parse_yaml(read_text(path, what), path, what)
