"""A run's fixed overhead: `workbench run` as a user starts it, from process start to exit.

`python bench/bench_run_overhead.py [--calls 5120] [--concurrency 256] [--latency-ms 1000] [--repeat 3]`
runs the real command (`python -m workbench run SPEC --db ...`, a fresh process each time) against the
fake server in its own process and splits the wall time with the server's clock (`first_request_at`,
`last_response_at` in its stats):

* start-up   = process start → the server sees the first API request (imports, spec, plan, store);
* calls      = first request → last response written (the part Little's law bounds);
* shutdown   = last response → the process has exited (results, summary, closing the store);

and prints the share of the Little's-law bound over the whole process (calls ÷ wall ÷ bound, the number
a user sees) next to the one over the calls alone. Issue #16's target: start-up + shutdown ≤ 1 s and
≥ 90 % of the bound over the whole process for 5,120 calls at 1 s latency and c=256 (ideal 20 s).
Also `python -X importtime` of the same command's imports (the largest top-level packages), because
start-up is mostly imports. `--baseline-src DIR` (a checkout of another commit) runs the same command
from that source tree too, alternating with this one, for before/after figures in one run. `--quick`:
a smoke run (seconds).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_runner import _shape
from harness import ROOT, load_average, machine, start_server, write_experiment


def run_once(server: object, folder: Path, calls: int, concurrency: int, latency_s: float,
             src: Path = ROOT, existing_db: bool = False, extra: tuple[str, ...] = ()) -> dict[str, float]:
    cases, repeats = _shape(calls)
    spec = write_experiment(folder, server.openai_base_url, cases=cases, repeats=repeats,  # type: ignore[attr-defined]
                            concurrency=concurrency)
    env = dict(os.environ, PYTHONPATH=str(src))
    if existing_db:  # the database exists already (its schema created by `workbench list`, not timed)
        subprocess.run([sys.executable, "-m", "workbench", "list", "--db", str(folder / "bench.db")],
                       cwd=folder, env=env, capture_output=True, check=True)
    server.reset()  # type: ignore[attr-defined]  # zeroes the stats, and the config too:
    server.configure(latency_ms=latency_s * 1000)  # type: ignore[attr-defined]  # so the latency is set again
    start = time.time()
    command = [sys.executable, "-m", "workbench", "run", str(spec), "--db", str(folder / "bench.db"), *extra]
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    return _split(server, proc, start, time.time(), concurrency / latency_s)


def _split(server: object, proc: subprocess.CompletedProcess[str], start: float, end: float,
           bound: float) -> dict[str, float]:
    """Start-up, calls phase and shutdown of a finished process, by the server's clock."""
    stats = server.stats  # type: ignore[attr-defined]
    if proc.returncode != 0 or stats.first_request_at is None or stats.last_response_at is None:
        raise RuntimeError(f"{proc.args[1:3]} failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return {
        "calls": stats.requests.get("POST /v1/chat/completions", 0),
        "wall": end - start,
        "startup": stats.first_request_at - start,
        "active": stats.last_response_at - stats.first_request_at,
        "shutdown": end - stats.last_response_at,
        "bound": bound,
    }


def floor_once(server: object, calls: int, concurrency: int, latency_s: float, processes: int) -> dict[str, float]:
    """The same split for bench/sdk_floor.py: the SDK alone, `processes` processes, no workbench."""
    server.reset()  # type: ignore[attr-defined]
    server.configure(latency_ms=latency_s * 1000)  # type: ignore[attr-defined]
    url = server.openai_base_url  # type: ignore[attr-defined]
    start = time.time()
    command = [sys.executable, str(Path(__file__).with_name("sdk_floor.py")), url, str(calls), str(concurrency),
               str(processes)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    return _split(server, proc, start, time.time(), concurrency / latency_s)


def import_profile(server: object, folder: Path, top: int = 12) -> list[tuple[str, float]]:
    """Import time (s) per top-level package of a small `workbench run` (40 calls, one process): the
    self time of every module, summed by the package it belongs to."""
    spec = write_experiment(folder, server.openai_base_url, cases=20, repeats=1,  # type: ignore[attr-defined]
                            concurrency=8)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-X", "importtime", "-m", "workbench", "run", str(spec), "--db", str(folder / "p.db")]
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    totals: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            totals[m.group(2).split(".")[0]] += int(m.group(1)) / 1e6
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5120)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--latency-ms", type=float, default=1000.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path, help="another source tree to run side by side")
    parser.add_argument("--existing-db", action="store_true",
                        help="each run on a database whose schema exists (as a user's second run); default: new")
    parser.add_argument("--workers", type=int, help="pass --workers N to `workbench run` (default: its auto mode)")
    parser.add_argument("--sdk-floor", type=int, action="append", default=[], metavar="P",
                        help="also run the openai SDK alone from P processes (bench/sdk_floor.py); repeatable")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test, not a measurement")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.concurrency, args.latency_ms, args.repeat = 40, 8, 10.0, 1
    latency_s = args.latency_ms / 1000
    print(machine())
    print(f"workbench run: {args.calls} calls, c={args.concurrency}, latency {args.latency_ms:g} ms, "
          f"ideal {args.calls / args.concurrency * latency_s:.1f} s; "
          f"{'existing' if args.existing_db else 'new'} database per run; "
          f"workers {args.workers if args.workers else 'auto'}; {load_average()}")
    extra = ("--workers", str(args.workers)) if args.workers else ()
    trees = {"this": ROOT, **({"baseline": args.baseline_src.resolve()} if args.baseline_src else {})}
    floors = {f"sdk x{p}": p for p in args.sdk_floor}
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in [*trees, *floors]}
    with start_server(latency_ms=args.latency_ms) as server, tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for name in rows:
                if name in floors:
                    r = floor_once(server, args.calls, args.concurrency, latency_s, floors[name])
                else:
                    r = run_once(server, Path(tmp) / f"{name}{i}", args.calls, args.concurrency, latency_s,
                                 trees[name], args.existing_db, extra)
                rows[name].append(r)
                print(f"  {name:8} run {i + 1}  wall {r['wall']:6.2f} s  start-up {r['startup']:5.2f} s  "
                      f"calls {r['active']:6.2f} s  shutdown {r['shutdown']:5.2f} s  whole process "
                      f"{r['calls'] / r['wall'] / r['bound']:6.1%} of the bound, calls alone "
                      f"{r['calls'] / r['active'] / r['bound']:6.1%}  {load_average()}")
        profile = import_profile(server, Path(tmp) / "profile")
    for name, runs in rows.items():
        for key in ("startup", "active", "shutdown"):
            values = [r[key] for r in runs]
            print(f"{name:8} {key.replace('active', 'calls'):9} median {statistics.median(values):.2f} s "
                  f"(min {min(values):.2f}, max {max(values):.2f})")
        whole = [r["calls"] / r["wall"] / r["bound"] for r in runs]
        print(f"{name:8} whole process median {statistics.median(whole):.1%} of the bound")
    print("imports of a 40-call `workbench run` (python -X importtime, self time summed per package):")
    for package, seconds in profile:
        print(f"  {package:24} {seconds * 1000:7.0f} ms")
    print(load_average() + " at the end")


if __name__ == "__main__":
    main()
