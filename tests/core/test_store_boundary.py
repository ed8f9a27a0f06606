"""Only `workbench/store/` speaks SQL: no other module imports SQLAlchemy, Alembic or the ORM models.

The ORM models (`workbench.store.models`) are private to the store: code outside it reads through the
store's query functions (typed rows and frames) and writes through its repository functions, holding a
session only as an opaque handle (`workbench.store.db.StoreSession`).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "workbench"
FORBIDDEN = ("sqlalchemy", "alembic", "workbench.store.models")


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import in a module, at any depth (function-level imports too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from workbench.store import models` imports the models module too
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def offending_imports(root: Path = PACKAGE) -> list[str]:
    """`path:line imports module` for every forbidden import in `root` outside `root/store`."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        if path.is_relative_to(root / "store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        seen: set[int] = set()
        for line, module in _imported_modules(tree):
            if _forbidden(module) and line not in seen:  # one line per import statement
                seen.add(line)
                problems.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return problems


def test_no_module_outside_the_store_imports_sqlalchemy_or_the_orm_models() -> None:
    problems = offending_imports()
    assert not problems, "SQL belongs in workbench/store/:\n" + "\n".join(problems)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _cycle_from(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph as [a, b, ..., a], or [] when there is none."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_runner_and_the_store_import_each_other_in_one_direction_only() -> None:
    """No import cycle among runner/ and store/ modules, counting imports inside functions and under
    TYPE_CHECKING (batch mode and the pairwise judge reach the Runner through the RecordSink protocol)."""
    paths = {_module_name(p): p for folder in ("runner", "store") for p in (PACKAGE / folder).glob("*.py")}
    graph = {name: {module for _, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
                    if module in paths and module != name}
             for name, path in paths.items()}
    assert _cycle_from(graph) == []
    assert _cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # the check itself


def test_the_check_finds_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "workbench"
    (package / "store").mkdir(parents=True)
    (package / "store" / "ok.py").write_text("import sqlalchemy\n")  # the store may
    (package / "a.py").write_text("import sqlalchemy.orm\n")
    (package / "b.py").write_text("def f():\n    from sqlalchemy import select\n")
    (package / "c.py").write_text("from workbench.store import models\n")
    (package / "d.py").write_text("from workbench.store.models import Run\n")
    (package / "e.py").write_text("from workbench.store.db import Store\nimport sqlalchemy_utils\n")
    found = offending_imports(package)
    assert [p.split(" imports ")[0] for p in found] == ["workbench/a.py:1", "workbench/b.py:2", "workbench/c.py:1",
                                                       "workbench/d.py:1"], found
