"""The `workbench` command line (typer + rich)."""

from workbench.cli import power as _power  # noqa: F401  (registers `workbench power`)
from workbench.cli import providers as _providers  # noqa: F401  (registers `workbench providers`)
from workbench.cli.app import app, main

__all__ = ["app", "main"]
