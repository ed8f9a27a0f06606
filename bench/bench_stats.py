"""Benchmark: ``analyse`` on 1,000,000 scored outputs (10 variants × 1,000 cases × 100 repeats).

Budget: < 2 s for the whole call on the 2-core reference machine. Run: ``python bench/bench_stats.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.stats import analyse

BUDGET_S = 2.0
N_VARIANTS, N_CASES, N_REPEATS = 10, 1_000, 100


def build_scores(seed: int = 0) -> pd.DataFrame:
    """Synthetic scores: case random effect + small variant effects + per-output noise."""
    rng = np.random.default_rng(seed)
    cases = np.array([f"case_{i:04d}" for i in range(N_CASES)])
    variants = np.array([f"variant_{j}" for j in range(N_VARIANTS)])
    case_idx = np.repeat(np.arange(N_CASES), N_VARIANTS * N_REPEATS)
    var_idx = np.tile(np.repeat(np.arange(N_VARIANTS), N_REPEATS), N_CASES)
    case_effect = rng.normal(60, 10, N_CASES)
    variant_effect = np.linspace(0, 1.0, N_VARIANTS)
    value = case_effect[case_idx] + variant_effect[var_idx] + rng.normal(0, 8, case_idx.size)
    return pd.DataFrame(
        {
            "case": cases[case_idx],
            "variant": variants[var_idx],
            "model": "model-a",
            "repeat": np.tile(np.arange(N_REPEATS), N_CASES * N_VARIANTS),
            "metric": "readability",
            "value": value,
        }
    )


def main() -> None:
    scores = build_scores()
    analyse(scores.head(2_000), "variant_0")  # warm-up: imports, scipy lazy loading
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = analyse(scores, "variant_0", metric_directions={"readability": True})
        times.append(time.perf_counter() - start)
    best, worst = min(times), max(times)
    print(f"rows: {len(scores):,}  verdicts: {len(result.verdicts)}  omnibus: {len(result.omnibus)}")
    print(f"analyse: best {best:.3f} s, worst {worst:.3f} s over {len(times)} runs")
    status = "OK" if worst < BUDGET_S else "OVER BUDGET"
    print(f"ratio to {BUDGET_S:.0f} s budget: {worst / BUDGET_S:.2f} ({status})")


if __name__ == "__main__":
    main()
