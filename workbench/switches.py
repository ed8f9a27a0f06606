"""Speed switches in the environment: each is on unless its variable is "0" (the benches measure both)."""

from __future__ import annotations

import os


def switched_on(variable: str) -> bool:
    """True unless the environment sets `variable` to 0 (spaces around it ignored)."""
    return os.environ.get(variable, "1").strip() != "0"
