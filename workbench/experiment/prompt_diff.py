"""What changed between two versions of a prompt variant: a unified diff of its templates."""

from __future__ import annotations

import difflib
from typing import Protocol


class _Templates(Protocol):
    @property
    def version(self) -> int: ...

    @property
    def system_template(self) -> str | None: ...

    @property
    def user_template(self) -> str: ...


def _lines(v: _Templates) -> list[str]:
    system = ["system:", *v.system_template.splitlines()] if v.system_template else []
    return [*system, "user:", *v.user_template.splitlines()]


def version_diff(old: _Templates, new: _Templates) -> list[str]:
    """Unified diff lines (without the ---/+++ header), e.g. ["@@ -2 +2 @@", "-Ad for", "+Vacancy for"]."""
    diff = difflib.unified_diff(_lines(old), _lines(new), f"version {old.version}", f"version {new.version}",
                                n=1, lineterm="")
    return list(diff)[2:]


def diff_stat(old: _Templates, new: _Templates) -> tuple[int, int]:
    """(lines added, lines removed) from `old` to `new`."""
    lines = version_diff(old, new)
    return (sum(1 for line in lines if line.startswith("+")), sum(1 for line in lines if line.startswith("-")))
