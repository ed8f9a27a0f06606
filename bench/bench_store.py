"""Store safety costs and savings, measured side by side in one run (issue #13).

1. `PRAGMA synchronous=FULL` (the default now) vs NORMAL: the real Runner on the simulated provider with
   no latency (the store is the bottleneck), best of --repeat runs per mode, alternating modes.
2. Export of 100,000 outputs: peak RSS of a child process exporting CSV streamed in chunks (now) vs
   building the whole table in memory first (before), and both files' sizes.
3. Response cache as a reference vs a second copy of every text: database size for the same 100,000
   outputs, after VACUUM.

    python bench/bench_store.py            # ≈3-4 min; --outputs 100000 --calls 4000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import load_average, machine  # noqa: E402

SENTENCE = ("wij zoeken een enthousiaste collega voor ons team in Utrecht die graag samenwerkt met "
            "patiënten en zorgverleners je krijgt een goed salaris flexibele werktijden en ruimte om te "
            "groeien ervaring met planning is een pluspunt")
WORDS = SENTENCE.split(" ")


def sync_run(mode: str, calls: int, folder: Path) -> float:
    """Seconds for one run of `calls` simulated calls into a fresh store with synchronous=`mode`."""
    env = dict(os.environ, WORKBENCH_SQLITE_SYNC=mode)
    spec = folder / f"sync-{mode}.yaml"
    cases = folder / "cases.csv"
    cases.write_text("id,job_title,company,location\n" + "".join(
        f"c{i},nurse,Clinic {i},Utrecht\n" for i in range(100)))
    spec.write_text(f"""name: sync-{mode}
variants: [{ROOT}/prompts/vacancy_nl_formal.yaml, {ROOT}/prompts/vacancy_nl_inclusive.yaml]
dataset: {ROOT}/experiments/data/vacancies_nl.csv
models: [simulated:default]
repeats: {max(1, calls // 40)}
scorers: [length]
concurrency: 64
""")
    db = folder / f"sync-{mode}-{time.monotonic_ns()}.db"
    code = (
        "import sys, time\n"
        "from workbench.experiment.plan import build_plan\n"
        "from workbench.runner.run import RunOptions, run_experiment\n"
        "from workbench.store.db import Store\n"
        "plan = build_plan(sys.argv[1]); store = Store(sys.argv[2])\n"
        "t = time.perf_counter(); r = run_experiment(plan, store, RunOptions(workers=1, use_cache=False))\n"
        "print(time.perf_counter() - t, r.ok)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(spec), str(db)], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return float(out[0]), int(out[1])


def build_big_store(path: Path, outputs: int) -> None:
    """`outputs` outputs of ~1,500 characters with six scores each and a cache entry each (references)."""
    from sqlalchemy import insert

    from workbench.store.db import Store
    from workbench.store.models import CachedResponse, Case, Experiment, Output, Run, Score, Variant

    store = Store(str(path))
    rng = random.Random(1)
    now = datetime.now(UTC)
    with store.session() as s:
        s.execute(insert(Experiment), [{"id": 1, "name": "big", "spec_path": "big.yaml", "spec_hash": "h",
                                        "spec": {}, "created_at": now}])
        s.execute(insert(Variant), [{"id": v, "experiment_id": 1, "key": f"v{v}", "task": "vacancy_text",
                                     "language": "nl", "user_template": "u", "template_hash": "t"} for v in (1, 2)])
        cases = outputs // 100
        s.execute(insert(Case), [{"id": c + 1, "experiment_id": 1, "key": f"c{c}", "data": {"job_title": "x"}}
                                 for c in range(cases)])
        s.execute(insert(Run), [{"id": 1, "experiment_id": 1, "status": "completed", "total_calls": outputs,
                                 "settings": {}, "started_at": now}])
        s.commit()
        for start in range(0, outputs, 5000):
            rows, scores, cache = [], [], []
            for i in range(start, min(outputs, start + 5000)):
                text = " ".join(rng.choice(WORDS) for _ in range(220))
                rows.append({"id": i + 1, "run_id": 1, "variant_id": 1 + i % 2, "case_id": 1 + (i // 2) % cases,
                             "model": "m", "repeat": i // (2 * cases), "swap_name": "", "swap_group": "",
                             "status": "ok", "text": text, "request_hash": f"k{i}", "input_tokens": 100,
                             "output_tokens": 400, "latency_ms": 900.0, "cost_usd": 0.0004, "cached": False,
                             "simulated": False, "attempts": 1, "created_at": now})
                scores += [{"output_id": i + 1, "metric": m, "value": rng.random(), "kind": "numeric",
                            "detail": None} for m in ("words", "characters", "readability", "gender_coded.masculine",
                                                      "gender_coded.feminine", "age_coded.flagged")]
                cache.append({"key": f"k{i}", "provider": "openai", "model": "m", "text": None, "output_id": i + 1,
                              "input_tokens": 100, "output_tokens": 400, "latency_ms": 900.0, "cost_usd": 0.0004,
                              "simulated": False, "created_at": now})
            s.execute(insert(Output), rows)
            s.execute(insert(Score), scores)
            s.execute(insert(CachedResponse), cache)
            s.commit()
    store.dispose()


EXPORT = """
import resource, sys
from pathlib import Path
from workbench.store.db import Store
store = Store(sys.argv[1]); out = Path(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[3] == "streamed":
    from workbench.export import export_run
    export_run(store, 1, "csv", out)
else:  # before: the whole table in memory, then one to_csv
    from workbench.export import run_table
    run_table(store, 1).to_csv(out, index=False)
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def export_rss(db: Path, mode: str, folder: Path) -> tuple[float, float, float]:
    out = folder / f"export-{mode}.csv"
    base, peak = subprocess.run([sys.executable, "-c", EXPORT, str(db), str(out), mode], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.split()
    size = out.stat().st_size / 1e6
    out.unlink()
    return int(base) / 1024, int(peak) / 1024, size


def db_size(db: Path) -> float:
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.close()
    return db.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outputs", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=4_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{machine()}; {load_average()}; {datetime.now(UTC):%Y-%m-%d}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            for mode in ("normal", "full"):
                seconds, ok = sync_run(mode, args.calls, folder)
                best[mode] = min(best.get(mode, float("inf")), seconds)
        rate = {m: ok / s for m, s in best.items()}
        print(f"\n1. runner, {ok:,} simulated calls, 0 ms latency, best of {args.repeat}:")
        for mode in ("normal", "full"):
            print(f"   synchronous={mode.upper():6}  {best[mode]:6.2f} s  {rate[mode]:8,.0f} outputs/s")
        print(f"   FULL / NORMAL throughput: {rate['full'] / rate['normal']:.2f}")

        db = folder / "big.db"
        started = time.perf_counter()
        build_big_store(db, args.outputs)
        print(f"\n2. export of {args.outputs:,} outputs (store built in {time.perf_counter() - started:.0f} s):")
        for mode in ("streamed", "in-memory"):
            base, peak, size = export_rss(db, mode, folder)
            print(f"   {mode:10} peak RSS {peak:7.0f} MB (after imports {base:5.0f} MB), file {size:6.1f} MB")

        referenced = db_size(db)
        import sqlite3

        conn = sqlite3.connect(db)
        conn.execute("UPDATE response_cache SET text = (SELECT text FROM outputs WHERE outputs.id = output_id)")
        conn.commit()
        conn.close()
        copied = db_size(db)
        print(f"\n3. database with {args.outputs:,} outputs: cache as reference {referenced:6.1f} MB, "
              f"as a second copy {copied:6.1f} MB ({referenced / copied:.2f}x)")


if __name__ == "__main__":
    main()
