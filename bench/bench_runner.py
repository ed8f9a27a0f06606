"""Benchmark: runner throughput vs Little's law, overhead vs a bare SDK loop, full scoring, peak memory.

Everything talks to `FakeLLMServerProcess` (tests/support/fake_llm_server.py) on 127.0.0.1 through the
real `openai` SDK (`openai:gpt-4o-mini` with base_url = the fake server):

1. Runner throughput at concurrency 32/128/256 with a fixed 100 ms server latency, 20 × concurrency
   calls each, `scorers: [length]`, a fresh SQLite store per run; calls/s vs the Little's-law bound
   (concurrency ÷ latency). "wall" counts the whole `run_experiment` call (store setup, planning the
   jobs, forking workers, draining the writer); "steady" is the rate between the 10th and 90th
   percentile of the outputs' commit timestamps.
2. The same calls through a bare SDK loop (asyncio.gather + semaphore over
   `AsyncOpenAI.chat.completions.create`, pool sized to the concurrency) and through a bare loop over
   the workbench's own `OpenAIProvider.complete`: throughput ratio and CPU µs per call.
3. Full scoring: µs per text for the six text scorers, and a concurrency-256 run that uses them.
4. Peak memory of a run producing 100,000 outputs (fake server latency 0-5 ms, uniform), measured in
   a child process (ru_maxrss of the runner process and of its worker processes).

Run: ``python bench/bench_runner.py`` (≈4 min), ``--quick`` for a seconds-long smoke run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    API_KEY,
    FULL_SCORERS,
    MODEL,
    PROMPTS,
    ROOT,
    SYSTEM,
    CpuSnapshot,
    case_rows,
    load_average,
    machine,
    start_server,
    write_experiment,
)
from sqlalchemy import select

from workbench.experiment.plan import build_plan
from workbench.runner.run import RunOptions, run_experiment
from workbench.store.db import Store
from workbench.store.models import Output


@dataclass
class Row:
    label: str
    concurrency: int
    calls: int
    ok: int
    wall_s: float
    cpu: CpuSnapshot
    latency_s: float
    workers: int | str = "-"
    steady: float | None = None

    @property
    def rate(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0

    @property
    def bound(self) -> float:
        return self.concurrency / self.latency_s if self.latency_s else float("inf")

    @property
    def client_us(self) -> float:
        """CPU of the benchmarked client per call: this process plus its worker processes."""
        return (self.cpu.own + self.cpu.children) / max(1, self.ok) * 1e6

    @property
    def server_us(self) -> float:
        return self.cpu.server / max(1, self.ok) * 1e6

    def line(self) -> str:
        bound = f"bound {self.bound:>5.0f}/s  ratio {self.rate / self.bound:6.1%}" if self.latency_s else ""
        steady = ""
        if self.steady is not None and self.latency_s:
            steady = f"  steady {self.steady:>5.0f}/s ({self.steady / self.bound:5.1%})"
        return (
            f"{self.label:<20} c={self.concurrency:<4} calls={self.calls:<6} workers={self.workers!s:<2} "
            f"wall {self.wall_s:6.2f} s  {self.rate:>5.0f} calls/s  {bound}{steady}  "
            f"cpu/call: client {self.client_us:5.0f} µs, server {self.server_us:4.0f} µs"
        )


def _shape(calls: int) -> tuple[int, int]:
    """(cases, repeats) with 2 variants × cases × repeats == calls (calls rounded to a multiple of 40)."""
    cases = 20 if calls <= 40 * 1000 else 500
    return cases, max(1, round(calls / (2 * cases)))


def _workers_for(options: RunOptions, plan: Any, concurrency: int) -> int | str:
    """The worker count the runner will use (the runner decides in auto mode)."""
    from workbench.runner.workers import auto_workers

    requested = getattr(options, "workers", None)
    if requested is None:
        requested = auto_workers(len(plan.calls), concurrency, list(plan.models.values()))
    return min(requested, concurrency)


def _steady_rate(store: Store, run_id: int) -> float | None:
    """Outputs per second between the 10th and 90th percentile of their commit timestamps."""
    with store.session() as session:
        stamps = sorted(session.scalars(select(Output.created_at).where(Output.run_id == run_id)).all())
    if len(stamps) < 20:
        return None
    low, high = len(stamps) // 10, len(stamps) * 9 // 10
    span = (stamps[high] - stamps[low]).total_seconds()
    return (high - low) / span if span > 0 else None


def run_workbench(
    server: Any,
    folder: Path,
    *,
    concurrency: int,
    calls: int,
    latency_s: float,
    workers: int | None = None,
    scorers: str = "[length]",
    label: str = "runner",
) -> Row:
    cases, repeats = _shape(calls)
    spec = write_experiment(
        folder, server.openai_base_url, cases=cases, repeats=repeats, concurrency=concurrency, scorers=scorers
    )
    plan = build_plan(spec)
    store = Store(f"sqlite:///{folder / 'bench.db'}")
    fields: dict[str, Any] = {"concurrency": concurrency}
    if "workers" in RunOptions.__dataclass_fields__:  # also runs against older trees (before/after numbers)
        fields["workers"] = workers
    options = RunOptions(**fields)
    used = _workers_for(options, plan, concurrency) if "workers" in fields else 1
    before = CpuSnapshot.take(server)
    result = run_experiment(plan, store, options)
    cpu = CpuSnapshot.take(server) - before
    steady = _steady_rate(store, result.run_id)
    store.dispose()
    if result.errors:
        print(f"  ({result.errors} calls failed: {result.error_samples[:2]})")
    if result.ok + result.errors < len(plan.calls):
        print(f"  (run ended {result.status}: {result.ok} ok, {result.errors} failed of {len(plan.calls)} calls)")
    return Row(label, concurrency, len(plan.calls), result.ok, cpu.wall, cpu, latency_s, used, steady)


def _messages(i: int) -> tuple[str, str]:
    row = case_rows(20)[i % 20]
    template = list(PROMPTS.values())[i % 2]
    user = template.replace("{{ job_title }}", row["job_title"]).replace("{{ company }}", row["company"])
    return SYSTEM, user.replace("{{ location }}", row["location"])


async def _bare_sdk(base_url: str, concurrency: int, calls: int) -> int:
    import httpx2
    import openai

    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = openai.AsyncOpenAI(
        api_key=API_KEY, base_url=base_url, max_retries=0, http_client=httpx2.AsyncClient(limits=limits, timeout=60)
    )
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> str:
        system, user = _messages(i)
        async with semaphore:
            response = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}]
            )
        return response.choices[0].message.content or ""

    texts = await asyncio.gather(*(one(i) for i in range(calls)))
    await client.close()
    return sum(1 for t in texts if t)


async def _provider_loop(base_url: str, concurrency: int, calls: int, http_client: Any = None) -> int:
    """`calls` calls through the workbench's `OpenAIProvider.complete`, `concurrency` at a time.

    `http_client`: an httpx2.AsyncClient to use instead of the provider's own (closed here).
    """
    from workbench.providers.base import CompletionRequest, Message
    from workbench.providers.openai_chat import OpenAIProvider

    provider = OpenAIProvider(api_key=API_KEY, base_url=base_url, max_connections=concurrency, http_client=http_client)
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> str:
        system, user = _messages(i)
        request = CompletionRequest("openai", MODEL, (Message("system", system), Message("user", user)), sample=i)
        async with semaphore:
            return (await provider.complete(request)).text

    texts = await asyncio.gather(*(one(i) for i in range(calls)))
    await provider.aclose()
    if http_client is not None:
        await http_client.aclose()
    return sum(1 for t in texts if t)


def run_loop(kind: str, server: Any, *, concurrency: int, calls: int, latency_s: float) -> Row:
    loop_fn = _bare_sdk if kind == "bare-sdk" else _provider_loop
    before = CpuSnapshot.take(server)
    ok = asyncio.run(loop_fn(server.openai_base_url, concurrency, calls))
    cpu = CpuSnapshot.take(server) - before
    return Row(kind, concurrency, calls, ok, cpu.wall, cpu, latency_s)


def scoring_cost(words: int = 300, texts: int = 200) -> tuple[float, float]:
    """µs per text for `scorers: [length]` and for the six text scorers, on distinct `words`-word texts.

    Distinct texts matter: some scorers memoise per text, so scoring one text repeatedly flatters them.
    """
    import random

    from workbench.scoring.base import ScoringContext
    from workbench.scoring.registry import build_scorers, score_text

    vocab = [
        *("candidate", "experience", "team", "role", "skills", "growth", "impact", "hybrid", "salary", "benefits"),
        *("culture", "mission", "onboarding", "feedback", "interview", "vacancy", "requirements", "inclusive"),
        *("flexible", "strong", "leader", "driven"),
    ]
    rng = random.Random(0)
    samples = [
        " ".join(" ".join(rng.choice(vocab) for _ in range(12)).capitalize() + "." for _ in range(words // 12))
        for _ in range(texts + 1)
    ]
    ctx = ScoringContext(language="en", task="vacancy_text", case={"job_title": "nurse"})
    costs = []
    for entries in (["length"], ["length", "readability", "gender_coded", "age_coded", "exclusion", "gendered_title"]):
        scorers = build_scorers(entries)
        score_text(samples[-1], ctx, scorers)  # warm-up: lexicons, regexes
        start = time.perf_counter()
        for text in samples[:-1]:
            score_text(text, ctx, scorers)
        costs.append((time.perf_counter() - start) / texts * 1e6)
    return costs[0], costs[1]


def memory_child(outputs: int, base_url: str, concurrency: int) -> None:
    """Run one experiment producing `outputs` results; print a JSON line with peak RSS figures."""

    class _Server:  # the parent's server, by URL only
        openai_base_url = base_url

    baseline_kb = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    with tempfile.TemporaryDirectory() as tmp:
        row = run_workbench(_Server(), Path(tmp), concurrency=concurrency, calls=outputs, latency_s=0.0)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"ok": row.ok, "wall_s": row.wall_s, "workers": row.workers, "rss_kb": me,
                      "workers_rss_kb": kids, "baseline_kb": baseline_kb}))  # fmt: skip


def measure_memory(outputs: int, concurrency: int) -> dict[str, Any]:
    with start_server(latency_ms=2.5, latency_dist="uniform", latency_spread=1.0) as server:
        cmd = [sys.executable, __file__, "--memory-child", str(outputs), server.openai_base_url, str(concurrency)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"memory run failed: {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def best(runs: int, measure: Any) -> Row:
    """The fastest of `runs` measurements: on a shared machine, the one least disturbed by other load."""
    rows = [measure() for _ in range(max(1, runs))]
    return max(rows, key=lambda row: row.rate)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test, not a measurement")
    parser.add_argument("--concurrency", default="32,128,256")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--multiplier", type=int, default=20, help="calls per run = multiplier × concurrency")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: the runner's auto)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is reported")
    parser.add_argument("--memory-outputs", type=int, default=100_000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)  # OUTPUTS BASE_URL CONCURRENCY
    args = parser.parse_args(argv)
    if args.memory_child:
        outputs, base_url, concurrency = args.memory_child
        memory_child(int(outputs), base_url, int(concurrency))
        return
    if args.quick:  # tiny sizes, unless given explicitly
        quick = {"concurrency": "16", "latency_ms": 20.0, "multiplier": 5, "memory_outputs": 200, "repeat": 1}
        for name, value in quick.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    levels = [int(c) for c in args.concurrency.split(",")]
    latency_s = args.latency_ms / 1000
    print(machine())
    rows: dict[tuple[str, int], Row] = {}
    with start_server(latency_ms=args.latency_ms) as server, tempfile.TemporaryDirectory() as tmp:
        # Warm-up: imports, the genai-prices snapshot, the server's first connections.
        run_workbench(server, Path(tmp) / "warm", concurrency=8, calls=40, latency_s=latency_s, workers=1)

        print(f"\n== 1. Runner throughput vs Little's law: latency {args.latency_ms:g} ms fixed, scorers [length] ==")
        runs = itertools.count()

        def runner(c: int, **kw: Any) -> Row:
            folder = Path(tmp) / f"run-{next(runs)}"
            return run_workbench(server, folder, concurrency=c, calls=args.multiplier * c, latency_s=latency_s, **kw)

        for c in levels:
            rows["runner", c] = best(args.repeat, lambda c=c: runner(c, workers=args.workers))
            print(rows["runner", c].line(), flush=True)
        top = max(levels)
        if args.workers is None and rows["runner", top].workers != 1:
            row = best(args.repeat, lambda: runner(top, workers=1, label="runner 1 proc"))
            print(row.line() + "  (worker processes off)", flush=True)

        print("\n== 2. Per-call overhead: workbench vs bare loops over the same calls ==")
        for c in levels:
            for kind in ("bare-sdk", "provider-loop"):
                calls = args.multiplier * c
                rows[kind, c] = best(
                    args.repeat,
                    lambda kind=kind, c=c, calls=calls: run_loop(
                        kind, server, concurrency=c, calls=calls, latency_s=latency_s
                    ),
                )
                print(rows[kind, c].line(), flush=True)
        for c in levels:
            wb, sdk, loop = rows["runner", c], rows["bare-sdk", c], rows["provider-loop", c]
            print(
                f"overhead c={c:<4} workbench/bare-sdk throughput {wb.rate / sdk.rate:4.2f}x, "
                f"CPU/call {wb.client_us:5.0f} vs {sdk.client_us:5.0f} µs ({wb.client_us - sdk.client_us:+5.0f} µs); "
                f"vs provider-loop {wb.client_us - loop.client_us:+5.0f} µs/call (executor, IPC, writer, SQLite)"
            )

        print("\n== 3. Full scoring (length, readability, gender_coded, age_coded, exclusion, gendered_title) ==")
        length_us, full_us = scoring_cost()
        print(f"scoring a 300-word text: [length] {length_us:.0f} µs, six scorers {full_us:.0f} µs")
        server.configure(output_words=300)
        for scorers, label in (("[length]", "runner length"), (FULL_SCORERS, "runner 6 scorers")):
            row = best(
                args.repeat,
                lambda scorers=scorers, label=label: runner(top, workers=args.workers, scorers=scorers, label=label),
            )
            print(row.line() + "  (300-word answers)", flush=True)
        server.configure(output_words=24)

    if not args.skip_memory:
        print(f"\n== 4. Peak memory for {args.memory_outputs:,} outputs (fake server latency 0-5 ms uniform) ==")
        mem = measure_memory(args.memory_outputs, top)
        line = (
            f"memory: {mem['ok']:,} outputs in {mem['wall_s']:.1f} s (c={top}, workers={mem['workers']}): peak RSS "
            f"runner process {mem['rss_kb'] / 1024:.0f} MB (after imports {mem['baseline_kb'] / 1024:.0f} MB)"
        )
        if mem["workers"] != 1:
            line += f", largest worker {mem['workers_rss_kb'] / 1024:.0f} MB (counts pages shared with the runner)"
        print(line)
    print(f"\n{load_average()} at the end")


if __name__ == "__main__":
    main()
