"""The `workbench` command line (typer + rich)."""

from workbench.cli.app import app, main

__all__ = ["app", "main"]
