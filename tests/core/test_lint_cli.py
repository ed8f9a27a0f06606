"""`workbench lint FILE|- --lang nl|en [--json]`: verdict line, one line per span, nothing else; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workbench.cli.app import app
from workbench.scoring.lint_text import DECODER_VERDICTS

runner = CliRunner()
NL = "Wij zoeken een ambitieuze, jonge collega (m/v).\nSalaris afhankelijk van ervaring. Je bent communicatief.\n"


def test_plain_output_is_the_verdict_then_one_line_per_span(tmp_path: Path) -> None:
    path = tmp_path / "ad.txt"
    path.write_text(NL, encoding="utf-8")
    result = runner.invoke(app, ["lint", str(path), "--lang", "nl"])
    assert result.exit_code == 0, result.output
    first, *rest = result.stdout.splitlines()
    assert first == "neutral (masculine 1, feminine 1; provisional Dutch list)"
    assert first.split(" (")[0] in DECODER_VERDICTS
    assert rest == [
        "masculine\tambitieuze\tnl_provisional:ambitieus\tgemotiveerd / je wilt je ontwikkelen",
        "age\tjonge collega\tnl_jong_candidate\teen nieuwe collega / een gemotiveerde collega",
        "gendered_title\t(m/v)\tnl_mv_without_x\t(m/v/x)",
        "feminine\tcommunicatief\tnl_provisional:communicatief\tje legt dingen helder uit",
    ]


def test_stdin_json_and_exit_zero_whatever_the_verdict() -> None:
    result = runner.invoke(app, ["lint", "-", "--lang", "en", "--json"],
                           input="An ambitious, dominant, driven, competitive leader.")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["verdict"] == "strongly masculine-coded" and data["masculine"] == 5 and data["feminine"] == 0
    span = data["spans"][0]
    assert {"category", "word", "rule", "source", "reason", "alternatives", "start", "end"} <= set(span)
    assert span["reason"]["en"] and span["reason"]["nl"]
    empty = runner.invoke(app, ["lint", "-", "--lang", "en"], input="The role involves bookkeeping.")
    assert empty.exit_code == 0 and empty.stdout == "neutral (masculine 0, feminine 0)\n"


def test_decoder_compat_mode() -> None:
    result = runner.invoke(app, ["lint", "-", "--lang", "en", "--mode", "decoder_compat"],
                           input="A confidential committee.")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "neutral (masculine 1, feminine 1)"


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\xff\xfe\x00abc")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n", encoding="utf-8")
    cases = [
        (["lint", str(tmp_path / "missing.txt"), "--lang", "nl"], "missing.txt: no such file"),
        (["lint", str(binary), "--lang", "nl"], "not UTF-8"),
        (["lint", str(blank), "--lang", "nl"], "empty text"),
        (["lint", str(tmp_path), "--lang", "nl"], "is a directory"),
        (["lint", str(blank), "--lang", "de"], "--lang must be one of nl, en"),
        (["lint", str(blank)], "--lang must be one of nl, en (missing)"),
        (["lint", str(blank), "--lang", "en", "--mode", "fuzzy"], "--mode must be one of"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, result.stderr)
