"""The garbage collector's setting while provider calls are in flight.

Every call through the SDKs' aiohttp client allocates a few hundred container objects (httpx2 and
aiohttp request/response objects, futures, coroutine frames). At CPython's default threshold (a
young-generation collection every 700 net allocations) the collector runs several times per call and
each run walks every live object, including the other in-flight calls' coroutines: at concurrency 256
that was a quarter to a third of the client's CPU per call (26-34 % in three runs). Collecting after
every 100,000 net allocations instead keeps collection rare while bounding the cyclic garbage that can
pile up between collections (4-5 MB more peak memory for a 100,000-output run).

Measured in bench/bench_http.py (provider loop, 100 ms / c=256, the `aiohttp` vs `aiohttp-default-gc`
rows). `WORKBENCH_GC_TUNING=0` keeps the interpreter's default setting.

A process that exists only for one run (the `workbench run` command, a worker process) keeps the
setting for its whole life (`for_this_process`): lowering it again after the last response made the
next allocation collect everything the run had left in the young generation (89 ms in the parent, ~50 ms
in each worker, which the parent waits for when it stops them; traced 5,120-call run). A worker also
collects nothing while it imports the provider SDK and then freezes what it imported
(`imports_settled`, CPython's `gc.freeze`): those objects live until it exits, and otherwise its first
young collection walked them all (47-77 ms) just as its first requests went out. Shutdown of a
5,120-call run: 0.37 s against 0.50 s before (medians of 5 alternating runs; bench/README.md, "The
collector at the end of a run"). A library caller (the UI) gets only the block-scoped `rare_collections`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from workbench.switches import switched_on

YOUNG_THRESHOLD = 100_000
ENV = "WORKBENCH_GC_TUNING"


def enabled() -> bool:
    return switched_on(ENV)


def raised(threshold: tuple[int, int, int]) -> tuple[int, int, int]:
    return (max(threshold[0], YOUNG_THRESHOLD), threshold[1], threshold[2])


def for_this_process() -> None:
    """Raise the young-generation threshold for the rest of this process (never lowered again)."""
    if enabled():
        gc.set_threshold(*raised(gc.get_threshold()))


@contextlib.contextmanager
def imports_settled() -> Iterator[None]:
    """For a process that keeps what the block imports until it exits: no collection during the block
    (it would only walk the new modules and keep them all), then every object allocated so far goes out
    of the collector's sight for good (gc.freeze; before a fork this also keeps them shared with the
    child, as the gc documentation suggests)."""
    if not enabled():
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def rare_collections() -> Iterator[None]:
    """Raise the young-generation threshold for the block (the older generations keep their ratios)."""
    before = gc.get_threshold()
    if enabled():
        gc.set_threshold(*raised(before))
    try:
        yield
    finally:
        gc.set_threshold(*before)
