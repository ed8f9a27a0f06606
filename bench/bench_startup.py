"""CLI start-up time: `workbench --help`, `workbench validate` on the offline demo spec, and `workbench list` on
an existing (empty) database.

Each command runs as a fresh process (`python -m workbench ...`) `--repeat` times; the minimum wall time and
the minimum CPU time (user + sys of the child, which other load on a shared machine inflates much less)
are reported, next to a bare `python -c pass` for scale. With
`--baseline-src DIR` (e.g. a checkout of an older commit) the same commands run from that source tree in
the same session, interleaved, and the ratio is printed. It also lists the heavy libraries each command
imports (a command that does not need SQLAlchemy, pandas or SciPy should not load them). `list` needs the
store (SQLAlchemy, Alembic's revision check) but not pandas; each source tree gets its own database in a
temporary folder, created by one untimed `list` first.

    python bench/bench_startup.py [--repeat 9] [--baseline-src /path/to/old/checkout]
"""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"--help": ["--help"], "validate": ["validate", "experiments/vacancy_tone_nl.yaml"], "list": ["list"]}
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


def timed(args: list[str], src: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `python args` from source tree `src`."""
    env = dict(os.environ, PYTHONPATH=str(src))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=src, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def loaded(command: list[str], src: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *command], cwd=src, env=env,
                          capture_output=True, text=True, check=False)
    line = next((x for x in proc.stderr.splitlines() if x.startswith("LOADED")), "LOADED ?")
    return line.removeprefix("LOADED").strip() or "none"


def with_db(command: list[str], db: Path) -> list[str]:
    return [*command, "--db", str(db)] if command[0] == "list" else command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--baseline-src", type=Path, help="another source tree to compare with, side by side")
    args = parser.parse_args()
    trees = {"this": ROOT, **({"baseline": args.baseline_src.resolve()} if args.baseline_src else {})}
    scratch = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    atexit.register(shutil.rmtree, scratch, True)
    dbs = {tree: scratch / f"{tree}.db" for tree in trees}
    for tree, src in trees.items():  # create each schema once, untimed
        timed(["-m", "workbench", *with_db(["list"], dbs[tree])], src)
    print(f"machine: {os.cpu_count()} cpus, python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f}; min of {args.repeat} runs")
    names = ["python -c pass", *COMMANDS]
    best = {(tree, name): (float("inf"), float("inf")) for tree in trees for name in names}
    for _ in range(args.repeat):  # interleaved, so that load on the machine hits every tree alike
        for tree, src in trees.items():
            for name in names:
                command = (["-c", "pass"] if name == "python -c pass"
                           else ["-m", "workbench", *with_db(COMMANDS[name], dbs[tree])])
                wall, cpu = timed(command, src)
                old_wall, old_cpu = best[(tree, name)]
                best[(tree, name)] = (min(old_wall, wall), min(old_cpu, cpu))
    for name, command in COMMANDS.items():
        for tree, src in trees.items():
            wall, cpu = best[(tree, name)]
            print(f"{tree:<9} workbench {name:<9} wall {wall:.3f} s  cpu {cpu:.3f} s   "
                  f"heavy imports: {loaded(with_db(command, dbs[tree]), src)}")
        if "baseline" in trees:
            (bw, bc), (tw, tc) = best[("baseline", name)], best[("this", name)]
            print(f"{'':<9} workbench {name:<9} baseline/this: wall {bw / tw:.1f}x, cpu {bc / tc:.1f}x")
    wall, cpu = best[("this", "python -c pass")]
    print(f"{'':<9} python -c pass     wall {wall:.3f} s  cpu {cpu:.3f} s (interpreter start, for scale)")


if __name__ == "__main__":
    main()
