"""PreloadingProgress: passes every event on, and imports the summary's modules once, at the first result."""

from __future__ import annotations

import sys
import types

from workbench.cli.preload import SUMMARY_MODULES, PreloadingProgress


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    def start(self, phase: str, total: int, done: int) -> None:
        self.events.append(("start", phase, total, done))

    def advance(self, *, ok: bool, cost: float, cached: bool) -> None:
        self.events.append(("advance", ok, cost, cached))

    def note(self, text: str) -> None:
        self.events.append(("note", text))

    def pacing(self, concurrency: int, maximum: int, state: str) -> None:
        self.events.append(("pacing", concurrency, maximum, state))

    def stop(self) -> None:
        self.events.append(("stop",))


def test_events_pass_through_and_the_import_starts_at_the_first_result(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    name = "workbench_test_preload_target"
    module = types.ModuleType(name)
    imported: list[str] = []
    monkeypatch.setitem(sys.modules, name, module)  # importlib finds it: no file needed
    monkeypatch.setattr("importlib.import_module", lambda n: imported.append(n) or module)
    inner = Recorder()
    progress = PreloadingProgress(inner, (name, name))
    progress.start("generate", 3, 0)
    progress.note("hello")
    progress.pacing(4, 8, "sending")
    assert progress.thread is None and imported == []  # nothing before the first result
    progress.advance(ok=True, cost=0.5, cached=False)
    progress.advance(ok=False, cost=0.0, cached=True)
    progress.stop()
    assert progress.thread is not None
    progress.thread.join(10)
    assert imported == [name, name]  # one thread, every module once
    assert inner.events == [("start", "generate", 3, 0), ("note", "hello"), ("pacing", 4, 8, "sending"),
                            ("advance", True, 0.5, False),
                            ("advance", False, 0.0, True), ("stop",)]


def test_the_summary_modules_exist() -> None:
    import importlib.util

    assert all(importlib.util.find_spec(name) is not None for name in SUMMARY_MODULES)
