"""API keys never reach the database, logs, exports or reports — even when a server echoes them back."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

ROOT = Path(__file__).resolve().parents[2]
OPENAI_SECRET = "sk-proj-LEAKCANARYopenai0123456789abcdef"
ANTHROPIC_SECRET = "sk-ant-LEAKCANARYanthropic0123456789abcdef"


def spec_text(server_url: str) -> str:
    return f"""name: secrets
variants: [{ROOT}/prompts/vacancy_en_formal.yaml, {ROOT}/prompts/vacancy_en_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: 4
models:
  - id: openai:gpt-4o-mini
    base_url: {server_url}/v1
  - id: anthropic:claude-haiku-4-5
    base_url: {server_url}
repeats: 1
scorers: [length, gender_coded, "judge:clarity"]
judge: {{model: "openai:gpt-4o-mini"}}
"""


def test_keys_never_stored_logged_exported_or_reported(
    tmp_path: Path, fake_llm_server: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    server = fake_llm_server
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_SECRET)
    monkeypatch.setenv("OPENAI_LOG", "debug")
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    spec = tmp_path / "spec.yaml"
    # The judge's base_url is the SDK default, which the no-network guard points at the fake server too.
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.base_url}/v1")  # type: ignore[attr-defined]
    spec.write_text(spec_text(server.base_url))  # type: ignore[attr-defined]
    db = tmp_path / "wb.db"
    runner = CliRunner()
    texts: list[str] = []

    ok = runner.invoke(app, ["run", str(spec), "--db", str(db)])
    texts += [ok.stdout, ok.stderr]
    assert ok.exit_code == 0, ok.output

    # Now every call is rejected with a 401 whose body echoes the key the client sent.
    server.configure(require_key="a-different-key")  # type: ignore[attr-defined]
    spec.write_text(spec_text(server.base_url).replace("max_cases: 4", "max_cases: 5"))  # type: ignore[attr-defined]
    failed = runner.invoke(app, ["run", str(spec), "--db", str(db), "--max-attempts", "1"])
    texts += [failed.stdout, failed.stderr]
    assert failed.exit_code != 0
    conn = sqlite3.connect(db)
    errors = [row[0] for row in conn.execute("SELECT error FROM outputs WHERE status = 'error'")]
    conn.close()
    assert errors and all("401" in e or "authentication" in e.lower() for e in errors), errors[:2]

    for fmt in ("csv", "jsonl", "parquet"):
        out = runner.invoke(app, ["export", "latest", "--format", fmt, "--out", str(tmp_path / f"out.{fmt}"),
                                  "--db", str(db)])
        assert out.exit_code == 0, out.output
        texts.append(out.stdout)
    for suffix in ("html", "md"):
        rep = runner.invoke(app, ["report", "1", "--out", str(tmp_path / f"report.{suffix}"), "--db", str(db)])
        assert rep.exit_code == 0, rep.output
        texts.append(rep.stdout)
    texts.append(caplog.text)

    files = [p for p in tmp_path.iterdir() if p.is_file() and p.name != "spec.yaml"]
    assert {p.suffix for p in files} >= {".db", ".csv", ".jsonl", ".parquet", ".html", ".md"}
    for secret in (OPENAI_SECRET, ANTHROPIC_SECRET):
        needle = secret.encode()
        for path in files:
            assert needle not in path.read_bytes(), f"{secret[:12]}… leaked into {path.name}"
        for text in texts:
            assert secret not in text
    # The server really did receive (and echo) the keys, so the check above is meaningful.
    assert server.stats.statuses.get(401, 0) > 0  # type: ignore[attr-defined]
