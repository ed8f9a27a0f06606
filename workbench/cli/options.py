"""Options and arguments several commands share (one help text each)."""

from __future__ import annotations

from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: $WORKBENCH_DB_URL or ./workbench.db)."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace --out even if it is not an earlier export/report.")
]
RunArgument = Annotated[str, typer.Argument(metavar="RUN", help="Run id (see `workbench list`) or 'latest'.")]
