"""The benchmark scripts run end to end in their tiny modes (smoke tests: nothing here is timed)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(*args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_bench_runner_quick_prints_every_section() -> None:
    out = run_script("bench/bench_runner.py", "--quick")
    assert out.startswith("machine: ")
    for header in ("== 1. Runner throughput", "== 2. Per-call overhead", "== 3. Full scoring", "== 4. Peak memory"):
        assert header in out
    number = r"\s+\d+ calls/s\s+bound\s+\d+/s\s+ratio\s+[\d.]+%"
    assert re.search(r"^runner\s+c=16\s+calls=80\s+workers=1 .*" + number, out, re.M)
    assert re.search(r"^bare-sdk\s+c=16\s+calls=80 .*" + number, out, re.M)
    assert re.search(r"^provider-loop\s+c=16\s+calls=80 .*" + number, out, re.M)
    assert re.search(r"^overhead c=16\s+workbench/bare-sdk throughput [\d.]+x", out, re.M)
    assert re.search(r"^scoring a 300-word text: \[length\] \d+ µs, six scorers \d+ µs", out, re.M)
    assert re.search(r"^runner 6 scorers\s+c=16", out, re.M)
    assert re.search(r"^memory: 200 outputs in [\d.]+ s .* peak RSS runner process \d+ MB", out, re.M)


def test_bench_runner_uses_worker_processes_when_asked() -> None:
    out = run_script(
        "bench/bench_runner.py", "--quick", "--workers", "2", "--skip-memory", "--concurrency", "8"
    )
    assert re.search(r"^runner\s+c=8\s+calls=40\s+workers=2 ", out, re.M)


def test_bench_promptfoo_skips_cleanly_without_npm(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))  # no npm (nor node) on PATH
    out = run_script("bench/bench_promptfoo.py", "--promptfoo-dir", str(tmp_path / "pf"), env=env)
    assert "SKIPPED: npm not found" in out


def test_bench_startup_prints_every_command() -> None:
    out = run_script("bench/bench_startup.py", "--repeat", "1")
    assert re.search(r"^this\s+workbench --help\s+wall [\d.]+ s\s+cpu [\d.]+ s\s+heavy imports: none$", out, re.M)
    assert re.search(r"^this\s+workbench validate\s+wall [\d.]+ s\s+cpu [\d.]+ s\s+heavy imports: none$", out, re.M)
    listed = re.search(r"^this\s+workbench list\s+wall [\d.]+ s\s+cpu [\d.]+ s\s+heavy imports: (.*)$", out, re.M)
    assert listed and "sqlalchemy" in listed[1] and "pandas" not in listed[1], out


def test_bench_http_quick_compares_the_clients_over_http_and_https() -> None:
    out = run_script("bench/bench_http.py", "--quick", "--kinds", "aiohttp,hand-written")
    assert out.startswith("machine: ")
    kinds = ["aiohttp"]
    if "hand-written transport: SKIPPED" not in out:  # a checkout without the git history
        kinds.append("hand-written")
    for scheme in ("HTTP", "HTTPS"):
        assert f"== 1. Provider loop over {scheme}: c=16, latency 20 ms, 80 calls, bound 800/s ==" in out
        assert f"== 2. Runner over {scheme}: c=16, latency 50 ms, 80 calls, bound 320/s ==" in out
    assert "calls failed" not in out
    for kind in kinds:  # per scheme: one provider-loop row and one runner row
        assert len(re.findall(rf"^  round 1  {kind}\s+c=16\s+calls=80\s", out, re.M)) == 4
        assert len(re.findall(rf"^{kind}\s+steady\s+[\d.]+% of the bound", out, re.M)) == 2
    if len(kinds) == 2:
        ratio = r"^aiohttp\s+median\s+\d+ calls/s.*; vs hand-written: throughput median [\d.]+x"
        assert len(re.findall(ratio, out, re.M)) == 2


def test_bench_lint_prints_both_languages() -> None:
    out = run_script("bench/bench_lint.py", "--texts", "20", "--repeat", "1")
    assert re.search(r"^simplemma data load \(nl \+ en, once per process\): \d+ ms", out, re.M)
    assert re.search(r"^nl\s+\d+\s+\d+ µs\s+\d+ µs\s+nan µs\s+\d+ µs\s+[\d.]+x\s+\(warm = \d+%", out, re.M)
    assert re.search(r"^en\s+\d+\s+\d+ µs\s+\d+ µs\s+\d+ µs\s+\d+ µs\s+[\d.]+x\s+\(warm = \d+%", out, re.M)


def test_bench_lint_compares_fast_regex_with_plain_re() -> None:
    out = run_script("bench/bench_lint.py", "--compare-plain", "--texts", "20", "--repeat", "1")
    for lang in ("nl", "en"):
        assert re.search(rf"^{lang}: fast_regex\s+\d+ µs\s+plain re\s+\d+ µs\s+plain/fast [\d.]+x$", out, re.M)


def test_bench_run_overhead_splits_the_wall_time() -> None:
    out = run_script("bench/bench_run_overhead.py", "--quick", "--sdk-floor", "2")
    for name in ("this", "sdk x2"):  # the workbench, and the SDK alone from two processes (all its calls made)
        row = rf"^  {name}\s+run 1\s+wall\s+[\d.]+ s\s+start-up\s+[\d.]+ s\s+calls\s+[\d.]+ s\s+shutdown\s+[\d.]+ s"
        assert re.search(row, out, re.M)
        assert re.search(rf"^{name}\s+whole process median [\d.]+% of the bound", out, re.M)
    assert re.search(r"^  workbench\s+\d+ ms", out, re.M)


def test_bench_ratelimit_smoke_prints_every_dimension() -> None:
    out = run_script("bench/bench_ratelimit.py", "--calls", "60", "--window", "1", "--providers", "openai",
                     "--modes", "declared")
    assert re.search(r"^openai\s+declared calls=60/60 .* binding (RPM|TPM): +[\d.]+% of limit  429s \d+/\d+", out, re.M)
    assert re.search(r"^\s+TPM\s+limit\s+38,000\s+achieved .* fullest window", out, re.M)


def test_plot_sequential_writes_the_figure(tmp_path: Path) -> None:
    out = run_script("bench/plot_sequential.py", "--runs", "40", "--out", str(tmp_path / "plot.png"))
    assert re.search(r"^\s*0\.50\s+[\d.]+\s+\d+", out, re.M) and (tmp_path / "plot.png").stat().st_size > 1000
