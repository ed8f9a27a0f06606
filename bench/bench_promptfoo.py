"""Benchmark: the same 5,000-call experiment through promptfoo and through `workbench run`.

Both tools call `FakeLLMServerProcess` (tests/support/fake_llm_server.py) on 127.0.0.1 through their
OpenAI providers: 2 prompts × 250 test cases × 10 repeats, `gpt-4o-mini`, temperature 0, max_tokens 1024,
the same concurrency (promptfoo `-j`, workbench `--concurrency`), caching off for promptfoo (`--no-cache`)
and a fresh database for the workbench (so there are no cache hits). Each tool runs as its own CLI
process and stores every result in its own SQLite database. Reported per tool:

* eval: the tool's own measure of the evaluation (promptfoo's `evaluationDurationMs`, the workbench's
  run time from its summary line);
* process: wall time of the whole CLI process, including interpreter start-up and imports.

promptfoo is installed with npm into bench/.promptfoo/ (gitignored) at a pinned version: 0.121.20, the
last release that supports Node 20 (0.122+ needs Node >= 22.22). It never phones home here: telemetry,
update checks, sharing and remote generation are disabled by environment, its config/database live in a
temporary directory, and HTTP(S)_PROXY point at a closed local port with NO_PROXY=127.0.0.1, because
even with PROMPTFOO_DISABLE_TELEMETRY=1 it posts one "telemetry disabled" event to r.promptfoo.app.

Run: ``python bench/bench_promptfoo.py`` (≈1 min plus the one-off npm install).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness import API_KEY, PROMPTS, ROOT, SYSTEM, case_rows, load_average, machine, start_server, write_experiment

PROMPTFOO_VERSION = "0.121.20"
PROMPTFOO_DIR = ROOT / "bench" / ".promptfoo"
CONFIG_TEMPLATE = ROOT / "bench" / "promptfoo_config.yaml"
PARAMS = "{temperature: 0, max_tokens: 1024}"  # what promptfoo's OpenAI provider sends by default, set explicitly


@dataclass
class Timing:
    tool: str
    calls: int
    ok: int
    eval_s: float
    process_s: float

    def line(self) -> str:
        return (
            f"{self.tool:<20} {self.ok:,}/{self.calls:,} ok  "
            f"eval {self.eval_s:6.2f} s = {self.ok / self.eval_s:6.0f} calls/s   "
            f"process {self.process_s:6.2f} s = {self.ok / self.process_s:6.0f} calls/s"
        )


def ensure_promptfoo(prefix: Path) -> Path | None:
    """The promptfoo CLI at the pinned version, installing it with npm if needed; None when impossible."""
    binary = prefix / "node_modules" / ".bin" / "promptfoo"
    manifest = prefix / "node_modules" / "promptfoo" / "package.json"
    if binary.exists() and manifest.exists() and json.loads(manifest.read_text())["version"] == PROMPTFOO_VERSION:
        return binary
    npm = shutil.which("npm")
    if npm is None:
        print(f"SKIPPED: npm not found; install Node.js >= 20.20 and npm to compare with promptfoo {PROMPTFOO_VERSION}")
        return None
    print(f"installing promptfoo@{PROMPTFOO_VERSION} into {prefix} (once) ...", flush=True)
    prefix.mkdir(parents=True, exist_ok=True)
    cmd = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"promptfoo@{PROMPTFOO_VERSION}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not binary.exists():
        print(f"SKIPPED: npm install failed: {proc.stderr.strip()[-500:]}")
        return None
    return binary


def promptfoo_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PROMPTFOO_DISABLE_TELEMETRY": "1",
            "PROMPTFOO_DISABLE_UPDATE": "1",
            "PROMPTFOO_DISABLE_SHARING": "1",
            "PROMPTFOO_DISABLE_REMOTE_GENERATION": "1",
            "PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION": "1",
            "PROMPTFOO_SELF_HOSTED": "1",
            "PROMPTFOO_CACHE_ENABLED": "false",
            "PROMPTFOO_CONFIG_DIR": str(home),  # its SQLite results database, logs, user id
            "PROMPTFOO_LOG_DIR": str(home / "logs"),
            "OPENAI_API_KEY": API_KEY,
            # Belt and braces: anything that is not the local fake server goes to a closed port.
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "NO_COLOR": "1",
        }
    )
    env.pop("IS_TESTING", None)  # would switch promptfoo to an in-memory database
    return env


def write_promptfoo_config(folder: Path, base_url: str, cases: int) -> Path:
    template = CONFIG_TEMPLATE.read_text(encoding="utf-8")
    missing = [text for text in (SYSTEM, *PROMPTS.values()) if text not in template]
    if missing:
        raise SystemExit(f"{CONFIG_TEMPLATE} and bench/harness.py disagree on the prompts: {missing}")
    folder.mkdir(parents=True, exist_ok=True)
    tests = folder / "tests.csv"
    with tests.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["job_title", "company", "location"])
        writer.writeheader()
        writer.writerows({k: v for k, v in row.items() if k != "id"} for row in case_rows(cases))
    config = folder / "promptfooconfig.yaml"
    config.write_text(template.replace("@BASE_URL@", base_url).replace("@TESTS@", str(tests)), encoding="utf-8")
    return config


def run_promptfoo(binary: Path, folder: Path, base_url: str, *, cases: int, repeats: int, concurrency: int) -> Timing:
    config = write_promptfoo_config(folder, base_url, cases)
    out = folder / "results.json"
    cmd = [str(binary), "eval", "-c", str(config), "--no-cache", "--no-table", "--no-progress-bar"]
    cmd += ["-j", str(concurrency), "--repeat", str(repeats), "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=promptfoo_env(folder / "home"), capture_output=True, text=True, cwd=folder)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"promptfoo eval failed ({proc.returncode}): {proc.stdout[-1500:]} {proc.stderr[-1500:]}")
    stats = json.loads(out.read_text())["results"]["stats"]
    calls = 2 * cases * repeats
    eval_s = stats["evaluationDurationMs"] / 1000
    return Timing(f"promptfoo {PROMPTFOO_VERSION}", calls, stats["successes"], eval_s, elapsed)


def run_workbench(folder: Path, base_url: str, *, cases: int, repeats: int, concurrency: int) -> Timing:
    spec = write_experiment(
        folder, base_url, cases=cases, repeats=repeats, concurrency=concurrency, params=PARAMS, name="pf-compare"
    )
    cmd = [sys.executable, "-m", "workbench", "run", str(spec), "--db", str(folder / "workbench.db")]
    cmd += ["--concurrency", str(concurrency)]
    env = dict(os.environ, OPENAI_API_KEY=API_KEY, COLUMNS="160", NO_COLOR="1")
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    flat = " ".join(proc.stdout.split())  # rich wraps the summary title to the table's width
    summary = re.search(r"Run \d+: ([\d,]+)/([\d,]+) outputs, (\d+) errors.*?, ([\d.]+)s", flat)
    if proc.returncode != 0 or summary is None:
        raise RuntimeError(f"workbench run failed ({proc.returncode}): {proc.stdout[-1500:]} {proc.stderr[-1500:]}")
    done, total, errors = (int(summary.group(i).replace(",", "")) for i in (1, 2, 3))
    return Timing("workbench", total, done - errors, float(summary.group(4)), elapsed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", default="100,0", help="fake server latencies to compare at")
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--cases", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--promptfoo-dir", type=Path, default=PROMPTFOO_DIR, help="npm prefix for promptfoo")
    args = parser.parse_args(argv)
    print(machine())
    binary = ensure_promptfoo(args.promptfoo_dir)
    if binary is None:
        return
    calls = 2 * args.cases * args.repeats
    for latency in (float(x) for x in args.latency_ms.split(",")):
        print(f"\n== {calls:,} calls, concurrency {args.concurrency}, fake server latency {latency:g} ms ==")
        with start_server(latency_ms=latency) as server, tempfile.TemporaryDirectory() as tmp:
            shape = {"cases": args.cases, "repeats": args.repeats, "concurrency": args.concurrency}
            pf = run_promptfoo(binary, Path(tmp) / "promptfoo", server.openai_base_url, **shape)
            print(pf.line(), flush=True)
            wb = run_workbench(Path(tmp) / "workbench", server.openai_base_url, **shape)
            print(wb.line(), flush=True)
            served = server.stats.requests["POST /v1/chat/completions"]
        print(
            f"ratio workbench/promptfoo: {(wb.ok / wb.eval_s) / (pf.ok / pf.eval_s):.2f}x (eval), "
            f"{(wb.ok / wb.process_s) / (pf.ok / pf.process_s):.2f}x (process); "
            f"server answered {served:,} chat completions"
        )
    print(f"\n{load_average()} at the end")


if __name__ == "__main__":
    main()
