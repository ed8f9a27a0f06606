"""Benchmark: the providers' HTTP client — aiohttp (the SDKs' DefaultAioHttpClient) vs the hand-written
transport it replaced vs httpx2's default transport, side by side in one run, over HTTP and HTTPS.

Clients (each one an httpx2.AsyncClient under the real openai SDK, pool = concurrency, keep-alive):

* `aiohttp`      what the providers use now (`providers/http.build_http_client`);
* `hand-written` `FastHTTPTransport` from `workbench/providers/transport.py` as it was at commit
                 LEGACY_COMMIT, loaded from the git history (it is no longer in the package); until
                 then the default for plain-HTTP endpoints;
* `httpx`        httpx2's own transport (httpcore2): until then the default for HTTPS endpoints, now
                 `WORKBENCH_HTTP_TRANSPORT=httpx`.

Sections (every row is measured in rounds: one run of each client per round, in a rotating order, so
that a change in the machine's load hits all clients alike; ratios are per round, then summarised):

1. Provider loop: `OpenAIProvider.complete` in one process, `asyncio.gather` + semaphore, at
   concurrency 256 against a fake server answering after 100 ms (bound 2,560 calls/s): calls/s, client
   CPU per call, and the ratio of each client to the hand-written transport in the same round.
2. Runner (`run_experiment`, default options: worker processes in auto mode), 20 × concurrency calls at
   1 s / c=256 (bound 256/s) and 2 s / c=1024 (bound 512/s): steady-state share of the Little's-law
   bound (rate between the 10th and 90th percentile of the outputs' commit times) and end to end;
   aiohttp vs hand-written by default (`--runner-kinds`).
3. HTTPS: section 1, and the runner at 2 s / c=1024 with aiohttp vs httpx2 (the HTTPS path before:
   `--tls-runner-kinds`), against a second fake server with a certificate from a throwaway CA
   (trustme), trusted through SSL_CERT_FILE; verification stays on.

Run: ``python bench/bench_http.py`` (≈40 min at the defaults on a busy machine; httpx2 is the slow part);
``--quick`` for a smoke run (seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_runner import Row, _provider_loop, run_workbench
from harness import ROOT, CpuSnapshot, load_average, machine, start_server

from tests.support.tls import TLSFiles, make_tls_files
from workbench.runner import gc_threshold

# The last commit that changed workbench/providers/transport.py (the hand-written HTTP/1.1 transport).
LEGACY_COMMIT = "1bacac9410f2d624d8b756b557185673af56074a"
LEGACY_PATH = "workbench/providers/transport.py"
KINDS = ("aiohttp", "hand-written", "httpx")
# A kind is a client, optionally with "/default-gc" or "/rare-gc" (see rare_gc): aiohttp/default-gc,
# hand-written/rare-gc.


def legacy_transport() -> types.ModuleType | None:
    """The hand-written transport module from the git history, or None outside a git checkout."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{LEGACY_COMMIT}:{LEGACY_PATH}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("legacy_transport")
    sys.modules[module.__name__] = module
    exec(compile(source, f"{LEGACY_COMMIT[:7]}:{LEGACY_PATH}", "exec"), module.__dict__)
    return module


def client_factory(kind: str, legacy: types.ModuleType | None, tls: TLSFiles | None) -> Callable[..., Any]:
    """(timeout, max_connections) -> the httpx2.AsyncClient of `kind`."""
    import httpx2
    import openai

    from workbench.providers import http

    client = kind.partition("/")[0]

    def make(timeout: float, max_connections: int) -> httpx2.AsyncClient:
        if client == "aiohttp":  # the product's own client, SSL_CERT_FILE and all
            return http.build_http_client(openai.DefaultAioHttpClient, timeout, max_connections)
        limits = httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        if client == "httpx":
            return httpx2.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True)
        assert legacy is not None
        context = tls.client_context() if tls else None
        transport = legacy.FastHTTPTransport(max_connections, ssl_context=context)
        return httpx2.AsyncClient(timeout=timeout, transport=transport, follow_redirects=True)

    return make


@contextlib.contextmanager
def providers_use(make: Callable[..., Any]) -> Iterator[None]:
    """Every provider built meanwhile (in this process and in forked workers) gets `make`'s client."""
    from workbench.providers import sdk_provider

    original = sdk_provider.build_http_client
    sdk_provider.build_http_client = lambda _aiohttp_client, timeout, max_connections: make(  # type: ignore[assignment]
        timeout, max_connections
    )
    try:
        yield
    finally:
        sdk_provider.build_http_client = original


@dataclass
class Series:
    """The rows of one client at one setting, one per round."""

    rows: list[Row] = field(default_factory=list)

    def median(self, value: Callable[[Row], float]) -> float:
        return statistics.median(value(row) for row in self.rows)


def fmt_ratios(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f}x (min {min(values):.2f}, max {max(values):.2f}; n={len(values)})"


def rare_gc(kind: str) -> bool:
    """Whether `kind` runs under the runner's garbage-collector setting (runner/gc_threshold.py).

    The product's clients (`aiohttp`, and `httpx` behind WORKBENCH_HTTP_TRANSPORT) do; the hand-written
    transport is measured as the product ran it (the interpreter's default setting) unless `/rare-gc`.
    """
    client, _, variant = kind.partition("/")
    return variant == "rare-gc" or (client != "hand-written" and variant != "default-gc")


@contextlib.contextmanager
def gc_setting(kind: str) -> Iterator[None]:
    """The GC setting of `kind` for this process and the worker processes it forks meanwhile."""
    saved = os.environ.get(gc_threshold.ENV)
    os.environ[gc_threshold.ENV] = "1" if rare_gc(kind) else "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(gc_threshold.ENV, None)
        else:
            os.environ[gc_threshold.ENV] = saved


def provider_row(
    kind: str, make: Callable[..., Any], server: Any, base_url: str, c: int, calls: int, lat: float
) -> Row:
    """The provider loop as the runner drives it: the runner's event loop runs under `rare_collections`."""
    before = CpuSnapshot.take(server)
    with gc_setting(kind), gc_threshold.rare_collections():
        ok = asyncio.run(_provider_loop(base_url, c, calls, http_client=make(60.0, c)))
    cpu = CpuSnapshot.take(server) - before
    return Row(kind, c, calls, ok, cpu.wall, cpu, lat)


def measure_rounds(
    kinds: list[str], rounds: int, measure: Callable[[str], Row], note: str = ""
) -> dict[str, Series]:
    series = {kind: Series() for kind in kinds}
    for r in range(rounds):
        order = kinds[r % len(kinds) :] + kinds[: r % len(kinds)]
        for kind in order:
            row = measure(kind)
            series[kind].rows.append(row)
            print(f"  round {r + 1}  {row.line()}  {load_average()}{note}", flush=True)
    return series


def summarise_loop(series: dict[str, Series], reference: str) -> None:
    ref = series.get(reference)
    for kind, s in series.items():
        rate = s.median(lambda row: row.rate)
        cpu = s.median(lambda row: row.client_us)
        line = f"{kind:<20} median {rate:6.0f} calls/s, client CPU {cpu:5.0f} µs/call"
        if ref is not None and kind != reference and ref.rows:
            rates = [a.rate / b.rate for a, b in zip(s.rows, ref.rows, strict=True)]
            cpus = [a.client_us / b.client_us for a, b in zip(s.rows, ref.rows, strict=True)]
            line += f"; vs {reference}: throughput {fmt_ratios(rates)}, CPU/call median {statistics.median(cpus):.2f}x"
        print(line)


def summarise_runner(series: dict[str, Series]) -> None:
    for kind, s in series.items():
        bound = s.rows[0].bound
        steady = [row.steady / bound for row in s.rows if row.steady]
        wall = [row.rate / bound for row in s.rows]
        print(
            f"{kind:<20} steady {statistics.median(steady):6.1%} of the bound (min {min(steady):.1%}, "
            f"max {max(steady):.1%}), end to end median {statistics.median(wall):.1%}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test, not a measurement")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each client per row")
    parser.add_argument("--loop", default="256:100", help="provider loop settings, CONCURRENCY:LATENCY_MS,...")
    parser.add_argument("--runner", default="256:1000,1024:2000", help="runner settings, CONCURRENCY:LATENCY_MS,...")
    parser.add_argument("--multiplier", type=int, default=20, help="calls per run = multiplier × concurrency")
    parser.add_argument("--tls-runner", default="1024:2000", help="runner settings measured over HTTPS too")
    parser.add_argument("--kinds", default=",".join(KINDS), help="clients in the provider loops")
    parser.add_argument("--runner-kinds", default="aiohttp,hand-written", help="clients in the runner rows")
    parser.add_argument("--tls-runner-kinds", default="aiohttp,httpx", help="clients in the HTTPS runner rows")
    parser.add_argument("--tls-runner-rounds", type=int, default=2, help="(httpx2 takes minutes per run there)")
    parser.add_argument("--skip-runner", action="store_true")
    parser.add_argument("--skip-tls", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.tls_runner_rounds, args.multiplier = 1, 1, 5
        args.loop, args.runner, args.tls_runner = "16:20", "16:50", "16:50"
        args.runner_kinds = args.tls_runner_kinds = args.kinds
    loops = [tuple(int(x) for x in item.split(":")) for item in args.loop.split(",") if item]
    runners = [tuple(int(x) for x in item.split(":")) for item in args.runner.split(",") if item]
    tls_runners = [tuple(int(x) for x in item.split(":")) for item in args.tls_runner.split(",") if item]

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the fake servers on `kill`
    print(machine())
    legacy = legacy_transport()
    if legacy is None:
        print(f"hand-written transport: SKIPPED (needs the git history with commit {LEGACY_COMMIT[:7]})")

    def kinds_of(option: str) -> list[str]:
        return [k for k in option.split(",") if k and (legacy is not None or not k.startswith("hand-written"))]

    kinds = kinds_of(args.kinds)
    reference = "hand-written" if "hand-written" in kinds else kinds[0]  # the product before the switch
    runs = itertools.count()

    with tempfile.TemporaryDirectory() as tmp:
        tls = make_tls_files(Path(tmp) / "tls")
        os.environ["SSL_CERT_FILE"] = str(tls.ca_file)  # how a user trusts their own CA; read per client
        plain_server = start_server()
        tls_server = start_server(certfile=str(tls.cert_file), keyfile=str(tls.key_file), cafile=str(tls.ca_file))
        with plain_server, tls_server:
            servers = {"http": plain_server, "https": tls_server}
            schemes = ["http"] if args.skip_tls else ["http", "https"]
            for scheme in schemes:
                server = servers[scheme]
                for c, latency_ms in loops:
                    lat = latency_ms / 1000
                    server.configure(latency_ms=latency_ms)
                    base = server.openai_base_url
                    for kind in kinds:  # warm-up: imports, first connections, TLS session set-up
                        provider_row(kind, client_factory(kind, legacy, tls), server, base, 8, 16, lat)
                    print(f"\n== 1. Provider loop over {scheme.upper()}: c={c}, latency {latency_ms} ms, "
                          f"{args.multiplier * c} calls, bound {c / lat:.0f}/s ==")  # fmt: skip
                    series = measure_rounds(
                        kinds,
                        args.rounds,
                        lambda kind, c=c, lat=lat, server=server, base=base: provider_row(
                            kind, client_factory(kind, legacy, tls), server, base, c, args.multiplier * c, lat
                        ),
                    )
                    summarise_loop(series, reference)

                if args.skip_runner:
                    continue
                if scheme == "http":
                    settings, runner_kinds, rounds = runners, kinds_of(args.runner_kinds), args.rounds
                else:
                    settings, runner_kinds = tls_runners, kinds_of(args.tls_runner_kinds)
                    rounds = args.tls_runner_rounds
                for c, latency_ms in settings:
                    lat = latency_ms / 1000
                    server.configure(latency_ms=latency_ms)
                    print(f"\n== 2. Runner over {scheme.upper()}: c={c}, latency {latency_ms} ms, "
                          f"{args.multiplier * c} calls, bound {c / lat:.0f}/s ==")  # fmt: skip

                    def runner(kind: str, c: int = c, lat: float = lat, server: Any = server) -> Row:
                        with providers_use(client_factory(kind, legacy, tls)), gc_setting(kind):
                            folder = Path(tmp) / f"run-{next(runs)}"
                            row = run_workbench(
                                server, folder, concurrency=c, calls=args.multiplier * c, latency_s=lat, label=kind
                            )
                        return row

                    summarise_runner(measure_rounds(runner_kinds, rounds, runner))
    print(f"\n{load_average()} at the end")


if __name__ == "__main__":
    main()
