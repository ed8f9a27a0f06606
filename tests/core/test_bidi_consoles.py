"""Every console the CLI prints through neutralises bidi controls (issue #14: a U+202E in a dataset cell
or an output must not reverse the terminal text after it), including the later commands' own consoles."""

from __future__ import annotations

import importlib
import io
import pkgutil

from rich.console import Console

import workbench.cli
from workbench.cli.consoles import BidiSafeConsole


def test_every_cli_console_is_bidi_safe() -> None:
    found = []
    for info in pkgutil.iter_modules(workbench.cli.__path__):
        module = importlib.import_module(f"workbench.cli.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Console):
                found.append((info.name, name, isinstance(value, BidiSafeConsole)))
    assert {m for m, _, _ in found} >= {"consoles", "gate", "history", "agreement"}
    assert [f for f in found if not f[2]] == []


def test_a_bidi_safe_console_prints_the_control_visibly() -> None:
    out = io.StringIO()
    BidiSafeConsole(file=out, highlight=False, width=80).print("case \u202eevil\u202c ok")
    assert out.getvalue().strip() == "case [U+202E]evil[U+202C] ok"
