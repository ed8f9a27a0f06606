"""Provider calls run under a raised young-generation GC threshold (runner/gc_threshold.py), in the
runner's own event loop and in its worker processes; WORKBENCH_GC_TUNING=0 keeps the default."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.runner.test_workers import openai_model, write_spec
from tests.support.fake_llm_server import FakeLLMServer
from workbench.experiment.plan import build_plan
from workbench.providers.openai_chat import OpenAIProvider
from workbench.runner import gc_threshold
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store


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
            fh.write(f"{os.getpid()} {gc.get_threshold()[0]}\n")
        return await real(self, request)

    monkeypatch.setattr(OpenAIProvider, "complete", recording)
    monkeypatch.setenv(gc_threshold.ENV, tuning)
    default = gc.get_threshold()[0]
    plan = build_plan(write_spec(tmp_path, openai_model(fake_llm_server), repeats=1))
    result = run_experiment(plan, store, RunOptions(workers=workers, use_cache=False))
    assert result.ok == len(plan.calls)
    lines = [line.split() for line in seen.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(plan.calls)
    pids = {pid for pid, _ in lines}
    assert (str(os.getpid()) in pids) == (workers == 1)  # with workers, only they call providers
    expected = max(default, gc_threshold.YOUNG_THRESHOLD) if tuning == "1" else default
    assert {int(threshold) for _, threshold in lines} == {expected}
    assert gc.get_threshold()[0] == default  # restored after the run
