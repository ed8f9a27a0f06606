"""The schema's newest revision(s), read from the migration files without importing Alembic.

Every CLI call opens the store and asks "is the schema current?". Importing Alembic to answer costs
about 0.3 s (most of `workbench list` on a small database), so the question is answered from the
`revision` / `down_revision` assignments at the top of each file in migrations/versions/ (Alembic's own
convention): the heads are the revisions no other revision points down to. Only when the database is
behind does the store import Alembic and upgrade. tests/core/test_store.py checks that these heads
equal Alembic's `ScriptDirectory.get_heads()`.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


def _assignments(path: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text("utf-8"), filename=str(path)).body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and value is not None:
            found[target.id] = ast.literal_eval(value)
    return found


def _as_set(value: object) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(v) for v in value}  # type: ignore[attr-defined]


@cache
def declared_heads(versions: Path) -> frozenset[str]:
    """Revisions in `versions` that no other revision names as its `down_revision`."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        found = _assignments(path)
        if "revision" in found:
            revisions |= _as_set(found["revision"])
            parents |= _as_set(found.get("down_revision"))
    return frozenset(revisions - parents)
