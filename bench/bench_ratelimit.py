"""Benchmark: pacing under provider rate limits (RPM + TPM, or RPM + ITPM + OTPM), three ways.

The fake server (tests/support/fake_llm_server.py, as a subprocess) enforces per-model limits as the
providers do (token buckets holding one window's worth; prompt tokens + max_tokens reserved on arrival,
the unused part given back with the answer; 429 with the provider's body and `retry-after` when a
bucket is short). The workbench runs a 2,000-call experiment (`run_experiment`, real SDKs, SQLite store)
against it in three modes:

* declared: the spec declares the limits (`rpm`/`tpm`, or `rpm`/`itpm`/`otpm` for Anthropic);
* headers:  nothing declared; the server sends its rate-limit headers, the runner learns the limits;
* aimd:     nothing declared, no headers: adaptive concurrency (AIMD on 429) alone.

For each it prints the achieved rate of every limited dimension as a share of its limit (usage counted
by the server for the requests it admitted, first to last admission), the 429s as a share of requests,
and the fullest window of every dimension (a window starting at each admission) against its limit.

Time base: the limits are per `--window` seconds (default 6, i.e. a scaled "minute", 10× faster than
real time), set identically in the server (`rate_window_s`) and the runner (WORKBENCH_RATE_WINDOW_S), so
a 2,000-call run takes ~30 s instead of ~5 min. `--window 60` runs in real time.

Run: ``python bench/bench_ratelimit.py`` (≈4 min), ``--calls 200 --window 2`` for a smoke run.
"""

from __future__ import annotations

import argparse
import bisect
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import load_average, machine, start_server, write_inputs

from workbench.experiment.plan import build_plan
from workbench.runner.budget import WINDOW_ENV
from workbench.runner.progress import NullProgress
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store

MODES = ("declared", "headers", "aimd")
UNITS = {"requests": "RPM", "tokens": "TPM", "input_tokens": "ITPM", "output_tokens": "OTPM"}
SPEC_FIELDS = {"requests": "rpm", "tokens": "tpm", "input_tokens": "itpm", "output_tokens": "otpm"}
# Per window. Each request: ~46 prompt tokens, 100 reserved for the answer, ~52 used. The token limit binds.
PROVIDERS: dict[str, dict[str, Any]] = {
    "openai": {"model": "gpt-4o-mini", "limits": {"requests": 1000, "tokens": 38000}},
    "anthropic": {"model": "claude-haiku-4-5", "limits": {"requests": 1000, "input_tokens": 30000,
                                                          "output_tokens": 20000}},
}


class Watch(NullProgress):
    """Records the adaptive window and the limiter states the runner reports."""

    def __init__(self) -> None:
        self.low = 10**9
        self.states: set[str] = set()

    def pacing(self, concurrency: int, maximum: int, state: str) -> None:
        self.low = min(self.low, concurrency)
        self.states.add(state)


@dataclass
class Result:
    provider: str
    mode: str
    calls: int
    ok: int
    requests: int
    rejected: int
    elapsed: float
    usage: dict[str, float] = field(default_factory=dict)  # achieved per window, by dimension
    fullest: dict[str, float] = field(default_factory=dict)  # the fullest window, by dimension
    windows: dict[str, list[float]] = field(default_factory=dict)  # consecutive whole windows, by dimension
    low: int = 0
    states: set[str] = field(default_factory=set)


def write_spec(folder: Path, provider: str, base_url: str, calls: int, concurrency: int, declared: bool) -> Path:
    variants, data = write_inputs(folder, calls // 2)
    info = PROVIDERS[provider]
    url = base_url + ("/v1" if provider == "openai" else "")
    limits = "".join(
        f"    {SPEC_FIELDS[dim]}: {value}\n" for dim, value in info["limits"].items()
    ) if declared else ""
    spec = folder / "ratelimit.yaml"
    spec.write_text(
        f"name: ratelimit-{provider}\n"
        f"variants: [{', '.join(variants)}]\n"
        f"dataset: {data}\n"
        f"models:\n  - id: {provider}:{info['model']}\n    base_url: {url}\n    params: {{max_tokens: 100}}\n"
        f"{limits}"
        "repeats: 1\nscorers: [length]\n"
        f"concurrency: {concurrency}\n",
        encoding="utf-8",
    )
    return spec


def fullest_window(times: list[float], amounts: list[float], window: float) -> float:
    """The largest total of `amounts` admitted within any `window` seconds (windows start at admissions)."""
    prefix = [0.0]
    for amount in amounts:
        prefix.append(prefix[-1] + amount)
    best = 0.0
    for i, start in enumerate(times):
        j = bisect.bisect_left(times, start + window)
        best = max(best, prefix[j] - prefix[i])
    return best


def run_mode(provider: str, mode: str, calls: int, window: float, concurrency: int, folder: Path) -> Result:
    info = PROVIDERS[provider]
    limits: dict[str, float] = info["limits"]
    with start_server(
        latency_ms=50, rate_limits=limits, rate_window_s=window, rate_headers=mode != "aimd", output_words=24
    ) as server:
        spec = write_spec(folder / f"{provider}-{mode}", provider, server.base_url, calls, concurrency,
                          declared=mode == "declared")
        plan = build_plan(spec)
        store = Store(f"sqlite:///{folder / f'{provider}-{mode}.db'}")
        watch = Watch()
        started = time.perf_counter()
        outcome = run_experiment(plan, store, RunOptions(check_models=False), watch)
        elapsed = time.perf_counter() - started
        stats = server.stats
    admitted = sorted(stats.admitted)
    times = [entry[0] for entry in admitted]
    amounts = {
        "requests": [1.0] * len(admitted),
        "tokens": [entry[1] + entry[2] for entry in admitted],
        "input_tokens": [entry[1] for entry in admitted],
        "output_tokens": [entry[2] for entry in admitted],
    }
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    result = Result(
        provider, mode, calls, outcome.ok, stats.requests["POST /v1/chat/completions"]
        + stats.requests["POST /v1/messages"], stats.statuses[429], elapsed, low=watch.low, states=watch.states,
    )
    for dim in limits:
        # Rate between the first and the last admission: n - 1 intervals, so the last admission's usage is left out.
        result.usage[dim] = (sum(amounts[dim]) - amounts[dim][-1]) / span * window
        result.fullest[dim] = fullest_window(times, amounts[dim], window)
        result.windows[dim] = consecutive_windows(times, amounts[dim], window)
    return result


def consecutive_windows(times: list[float], amounts: list[float], window: float) -> list[float]:
    """Totals of the whole windows after the first admission, one after the other."""
    totals: list[float] = []
    if not times:
        return totals
    count = int((times[-1] - times[0]) // window)
    totals = [0.0] * count
    for stamp, amount in zip(times, amounts, strict=True):
        index = int((stamp - times[0]) // window)
        if index < count:
            totals[index] += amount
    return totals


def report(result: Result) -> list[str]:
    limits = PROVIDERS[result.provider]["limits"]
    binding = max(limits, key=lambda dim: result.usage[dim] / limits[dim])
    share_429 = result.rejected / result.requests if result.requests else float("nan")
    parts = [
        f"{result.provider:<9} {result.mode:<8} calls={result.ok}/{result.calls}  {result.elapsed:5.1f} s  "
        f"binding {UNITS[binding]}: {result.usage[binding] / limits[binding]:6.1%} of limit  "
        f"429s {result.rejected}/{result.requests} = {share_429:.2%}"
    ]
    for dim, limit in limits.items():
        over = "ABOVE" if result.fullest[dim] > limit else "ok"
        parts.append(
            f"    {UNITS[dim]:<5} limit {limit:>7,.0f}  "
            f"achieved {result.usage[dim]:>9,.0f} ({result.usage[dim] / limit:6.1%})"
            f"  fullest window {result.fullest[dim]:>9,.0f} ({result.fullest[dim] / limit:6.1%}) {over}"
        )
    binding_windows = " ".join(f"{total / limits[binding]:.0%}" for total in result.windows[binding])
    parts.append(f"    {UNITS[binding]} by consecutive window: {binding_windows}")
    states = ", ".join(sorted(result.states)) or "-"
    parts.append(f"    lowest concurrency {result.low if result.low < 10**9 else '-'}; limiter states seen: {states}")
    return parts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--window", type=float, default=6.0, help="seconds per rate-limit window (60 = real time)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--providers", default="openai,anthropic")
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args(argv)
    os.environ[WINDOW_ENV] = str(args.window)
    os.environ.setdefault("ANTHROPIC_API_KEY", "sk-ant-bench-not-a-real-key")
    print(machine())
    print(
        f"rate limits per {args.window:g}-s window (a scaled minute), fake server latency 50 ms, "
        f"concurrency {args.concurrency}, {args.calls} calls per run, max_tokens 100"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for provider in args.providers.split(","):
            for mode in args.modes.split(","):
                result = run_mode(provider, mode, args.calls, args.window, args.concurrency, Path(tmp))
                for line in report(result):
                    print(line, flush=True)
    print(load_average())


if __name__ == "__main__":
    sys.exit(main())
