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


@contextlib.contextmanager
def rare_collections() -> Iterator[None]:
    """Raise the young-generation threshold for the block (the older generations keep their ratios)."""
    before = gc.get_threshold()
    if enabled():
        gc.set_threshold(max(before[0], YOUNG_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
