"""CLI start-up time: `workbench --help` and `workbench validate` on the offline demo spec.

Each command runs as a fresh process (`python -m workbench ...`) `--repeat` times; the minimum wall time is
reported (the least disturbed run on a shared machine), next to a bare `python -c pass` for scale. With
`--baseline-src DIR` (e.g. a checkout of an older commit) the same commands run from that source tree in
the same session, interleaved, and the ratio is printed. It also lists the heavy libraries each command
imports (a command that does not need SQLAlchemy, pandas or SciPy should not load them).

    python bench/bench_startup.py [--repeat 9] [--baseline-src /path/to/old/checkout]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"--help": ["--help"], "validate": ["validate", "experiments/vacancy_tone_nl.yaml"]}
HEAVY = ("sqlalchemy", "alembic", "pandas", "numpy", "scipy", "altair", "openai", "anthropic", "genai_prices",
         "streamlit")
PROBE = """
import sys
sys.argv = ["workbench", *sys.argv[1:]]
from workbench.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("LOADED " + " ".join(m for m in {heavy!r} if m in sys.modules) + "\\n")
"""


def wall(args: list[str], src: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(src))
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=src, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def loaded(command: list[str], src: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *command], cwd=src, env=env,
                          capture_output=True, text=True, check=False)
    line = next((x for x in proc.stderr.splitlines() if x.startswith("LOADED")), "LOADED ?")
    return line.removeprefix("LOADED").strip() or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--baseline-src", type=Path, help="another source tree to compare with, side by side")
    args = parser.parse_args()
    trees = {"this": ROOT, **({"baseline": args.baseline_src.resolve()} if args.baseline_src else {})}
    print(f"machine: {os.cpu_count()} cpus, python {sys.version.split()[0]}; min of {args.repeat} runs")
    best = {(tree, name): float("inf") for tree in trees for name in ["python -c pass", *COMMANDS]}
    for _ in range(args.repeat):  # interleaved, so that load on the machine hits every tree alike
        for tree, src in trees.items():
            best[(tree, "python -c pass")] = min(best[(tree, "python -c pass")], wall(["-c", "pass"], src))
            for name, command in COMMANDS.items():
                best[(tree, name)] = min(best[(tree, name)], wall(["-m", "workbench", *command], src))
    for name, command in COMMANDS.items():
        for tree, src in trees.items():
            print(f"{tree:<9} workbench {name:<9} {best[(tree, name)]:.3f} s   heavy imports: {loaded(command, src)}")
        if "baseline" in trees:
            ratio = best[("baseline", name)] / best[("this", name)]
            print(f"{'':<9} workbench {name:<9} baseline/this = {ratio:.1f}x")
    print(f"{'':<9} python -c pass     {best[('this', 'python -c pass')]:.3f} s (interpreter start, for scale)")


if __name__ == "__main__":
    main()
