"""Helpers for the store fault scenarios: a slow simulated spec, a CLI run in a subprocess, polling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from workbench.store.db import database_url, make_engine

ROOT = Path(__file__).resolve().parents[2]


def slow_spec(tmp_path: Path, *, name: str = "faulty-store", latency_ms: int = 40, repeats: int = 3,
              concurrency: int = 4, max_cases: int = 10, server: Any = None) -> Path:
    """With `server` (the fake LLM server) the calls go there instead of to the simulated provider, so a
    test can hold them (`hold_after`) and act while the run is surely in the middle."""
    model = (f"  - id: openai:gpt-4o-mini\n    base_url: {server.openai_base_url}\n    timeout: 3600" if server
             else f"  - id: simulated:default\n    simulate: {{latency_ms: {latency_ms}}}")
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(
        f"""name: {name}
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
max_cases: {max_cases}
models:
{model}
repeats: {repeats}
scorers: [length]
concurrency: {concurrency}
"""
    )
    return spec


def start_cli(args: list[str], *, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT, env=dict(os.environ, COLUMNS="200", **(env or {})), **kwargs,
    )


def query(db: str, sql: str) -> Any:
    engine = make_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    except Exception:  # schema not there yet
        return None
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 600.0) -> None:
    """Poll a state until it holds; the bound only keeps a broken child from hanging the suite."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stored_outputs(db: str) -> int:
    return int(query(db, "SELECT count(*) FROM outputs") or 0)


def run_until_stored(spec: Path, db: str, *extra: str, env: dict[str, str] | None = None,
                     at_least: int = 1) -> subprocess.Popen[str]:
    """`workbench run SPEC --db DB` in a subprocess, returned once it has stored `at_least` outputs."""
    proc = start_cli(["run", str(spec), "--db", db, *extra], env=env)
    wait_for(lambda: stored_outputs(db) >= at_least, f"{at_least} stored output(s)")
    return proc
