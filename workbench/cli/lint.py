"""`workbench lint FILE|- --lang nl|en [--json]`: check a vacancy text for coded wording.

Plain output, nothing else: line 1 = the gender decoder's verdict with the counts, then one line per
flagged span, `category<TAB>word<TAB>rule<TAB>suggestion`. `--json`: the same as one object. Exit 0
whatever the verdict; 2 with one line on stderr for bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.errors import fail, handle_errors


def _read(source: str) -> str:
    name = "stdin" if source == "-" else source
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except FileNotFoundError:
        fail(f"{name}: no such file")
    except IsADirectoryError:
        fail(f"{name}: is a directory, not a text file")
    except OSError as exc:
        fail(f"{name}: cannot read ({exc.strerror or exc})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{name}: not UTF-8 text (invalid byte at offset {exc.start})")
    if "\x00" in text:
        fail(f"{name}: binary data, not a text file")
    if not text.strip():
        fail(f"{name}: empty text, nothing to lint")
    return text


@handle_errors
def lint_command(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="Text file (UTF-8), or - for standard input.")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the text: nl or en.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of lines.")] = False,
    mode: Annotated[
        str, typer.Option("--mode", help="precise (default) or decoder_compat (the gender decoder's stems, English).")
    ] = "precise",
) -> None:
    """Check a vacancy text for gender-coded, age-coded and exclusionary wording (exit 0 whatever it finds)."""
    from workbench.scoring.bias_lint import MODES
    from workbench.scoring.explain import suggestion
    from workbench.scoring.lint_text import LANGUAGES, lint_text

    if lang not in LANGUAGES:
        fail(f"--lang must be one of {', '.join(LANGUAGES)}" + (f", not {lang!r}" if lang else " (missing)"))
    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    result = lint_text(_read(source), lang, mode)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    note = "; provisional Dutch list" if result.provisional else ""
    lines = [f"{result.verdict} (masculine {result.masculine}, feminine {result.feminine}{note})"]
    for span in result.spans:
        word = " ".join(span["text"].split())  # a span over a line break stays on one output line
        lines.append("\t".join((span["category"], word, span["rule"], suggestion(span))))
    sys.stdout.write("\n".join(lines) + "\n")
