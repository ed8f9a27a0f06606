"""Provider calls run under a raised young-generation GC threshold (runner/gc_threshold.py), in the
runner's own event loop and in its worker processes; the `workbench run` process and the workers keep it
until they exit, and a worker freezes what it imported; WORKBENCH_GC_TUNING=0 keeps the default."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.runner.test_workers import openai_model, write_spec
from tests.support.fake_llm_server import FakeLLMServer
from tests.support.specs import simulated_spec
from workbench.experiment.plan import build_plan
from workbench.providers.openai_chat import OpenAIProvider
from workbench.runner import gc_threshold
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store


@pytest.fixture
def gc_setting() -> Iterator[tuple[int, int, int]]:
    """The test process's collector setting, put back afterwards (threshold, frozen objects, enabled)."""
    before, enabled = gc.get_threshold(), gc.isenabled()
    yield before
    gc.set_threshold(*before)
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_rare_collections_raises_the_young_threshold_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    monkeypatch.delenv(gc_threshold.ENV, raising=False)
    with gc_threshold.rare_collections():
        inside = gc.get_threshold()
    assert inside == (max(before[0], gc_threshold.YOUNG_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before
    monkeypatch.setenv(gc_threshold.ENV, "0")
    with gc_threshold.rare_collections():
        assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), gc_threshold.rare_collections():
        raise RuntimeError("a failing run restores the setting too")
    assert gc.get_threshold() == before


@pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked (Linux)")
@pytest.mark.parametrize(("workers", "tuning"), [(1, "1"), (2, "1"), (2, "0")])
def test_provider_calls_see_the_setting_in_process_and_in_workers(
    tmp_path: Path, fake_llm_server: FakeLLMServer, store: Store, monkeypatch: pytest.MonkeyPatch,
    workers: int, tuning: str,
) -> None:  # fmt: skip
    seen = tmp_path / "thresholds.txt"
    real = OpenAIProvider.complete

    async def recording(self: OpenAIProvider, request: Any) -> Any:
        with seen.open("a", encoding="utf-8") as fh:  # appended from every process
            fh.write(f"{os.getpid()} {gc.get_threshold()[0]} {gc.get_freeze_count() > 0} {gc.isenabled()}\n")
        return await real(self, request)

    monkeypatch.setattr(OpenAIProvider, "complete", recording)
    monkeypatch.setenv(gc_threshold.ENV, tuning)
    default = gc.get_threshold()[0]
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server), repeats=1))
    result = run_experiment(plan, store, RunOptions(workers=workers, use_cache=False))
    assert result.ok == len(plan.calls)
    lines = [line.split() for line in seen.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(plan.calls)
    pids = {pid for pid, *_ in lines}
    assert (str(os.getpid()) in pids) == (workers == 1)  # with workers, only they call providers
    expected = max(default, gc_threshold.YOUNG_THRESHOLD) if tuning == "1" else default
    assert {int(threshold) for _, threshold, *_ in lines} == {expected}
    assert {enabled for *_, enabled in lines} == {"True"}
    # A worker has frozen what it imported (the SDK); the runner's own process freezes nothing.
    frozen = str(workers > 1 and tuning == "1")
    assert {was_frozen for _, _, was_frozen, _ in lines} == {frozen} and gc.get_freeze_count() == 0
    assert gc.get_threshold()[0] == default  # restored after the run


def test_for_this_process_keeps_the_setting_and_imports_settled_freezes(
    monkeypatch: pytest.MonkeyPatch, gc_setting: tuple[int, int, int]
) -> None:
    monkeypatch.delenv(gc_threshold.ENV, raising=False)
    gc_threshold.for_this_process()
    assert gc.get_threshold() == gc_threshold.raised(gc_setting)
    with gc_threshold.imports_settled():
        assert not gc.isenabled()  # no collection while importing
        made = [[i] for i in range(1000)]  # what an import allocates, kept
    assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    gc.unfreeze()
    gc.set_threshold(*gc_setting)
    monkeypatch.setenv(gc_threshold.ENV, "0")
    gc_threshold.for_this_process()
    with gc_threshold.imports_settled():
        assert gc.isenabled()
    assert gc.get_threshold() == gc_setting and gc.get_freeze_count() == 0


# `workbench run` as the console script runs it, saying the collector's setting at the start and as the
# process exits.
PROBE = """
import atexit, gc, sys
print("start", gc.get_threshold()[0], file=sys.stderr)
atexit.register(lambda: print("exit", gc.get_threshold()[0], file=sys.stderr))
sys.argv = ["workbench", "run", *sys.argv[1:]]
from workbench.cli.entry import main
main()
"""


@pytest.mark.parametrize("tuning", ["1", "0"])
def test_the_run_command_keeps_the_setting_until_its_process_exits(tmp_path: Path, tuning: str) -> None:
    spec = simulated_spec(tmp_path, "gc")
    proc = subprocess.run([sys.executable, "-c", PROBE, str(spec), "--db", str(tmp_path / "gc.db")],
                          env={**os.environ, gc_threshold.ENV: tuning}, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    start, end = (int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith(("start", "exit")))
    # Not lowered after the last call: no collection of what the run left on the way out.
    assert end == (max(start, gc_threshold.YOUNG_THRESHOLD) if tuning == "1" else start)


def test_a_program_calling_the_cli_keeps_its_own_setting(tmp_path: Path, gc_setting: tuple[int, int, int]) -> None:
    from typer.testing import CliRunner

    from workbench.cli import app

    spec = simulated_spec(tmp_path, "gc")
    result = CliRunner().invoke(app, ["run", str(spec), "--db", str(tmp_path / "gc.db")])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == gc_setting and gc.get_freeze_count() == 0
