"""The README backs its claims about errors, costs and SIMULATED labels with tests named in HTML comments
(`<!-- tests: tests/x.py::test_name, ::other_test; tests/robustness/test_bad_inputs.py (case-id, …) -->`).
This keeps those names honest: every named test function exists, and every named bad-input case is in the
corpus, so renaming or deleting a test cannot silently leave a claim unbacked."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

from tests.robustness.test_bad_inputs import CORPUS

ROOT = Path(__file__).resolve().parents[2]
COMMENT = re.compile(r"<!--\s*tests?:(.*?)-->", re.S)
PATH = re.compile(r"(tests/[\w/]+\.py)")
FUNCTION = re.compile(r"::(\w+)")
CASE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9*]+)+$")


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test")}


def references(readme: str) -> list[tuple[str, str, str]]:
    """(file, kind, name) for every test reference: kind "function" (`::name`) or "case" (a corpus id)."""
    found = []
    for comment in COMMENT.findall(readme):
        current = ""
        # Split into path-led chunks so that `::name` and "(case, …)" belong to the last named file.
        for token in re.split(r"(tests/[\w/]+\.py)", comment):
            if PATH.fullmatch(token):
                current = token
                found.append((current, "file", ""))
                continue
            found += [(current, "function", name) for name in FUNCTION.findall(token)]
            for group in re.findall(r"\(([^()]*)\)", token):
                found += [(current, "case", word) for word in re.split(r"[,;\s]+", group) if CASE_ID.match(word)]
    return found


def test_every_test_the_readme_names_exists() -> None:
    refs = references((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(refs) >= 30, refs  # the claims about errors, costs, SIMULATED labels, versions, layout
    corpus_ids = {bad.id for bad in CORPUS}
    missing = []
    for file, kind, name in refs:
        path = ROOT / file
        if not path.exists():
            missing.append(file)
        elif kind == "function" and name not in functions_in(path):
            missing.append(f"{file}::{name}")
        elif kind == "case" and (not file.endswith("test_bad_inputs.py")
                                 or not fnmatch.filter(corpus_ids, name)):
            missing.append(f"{file} ({name})")
    assert not missing, f"README names tests that do not exist: {missing}"
