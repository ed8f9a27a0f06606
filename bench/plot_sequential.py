"""Cases a sequential run uses vs effect size, against the fixed-n design with the same power (issue #19).

Draws paired screening-score differences the way the simulated provider does (the generator of
tests/calibration/test_sequential_calibration.py), runs the anytime-valid sequential test with a look
every 10 of up to 200 cases (α = 0.05), and writes docs/sequential_cases.png plus the figures it plots.
Run: ``python bench/plot_sequential.py [--runs 400] [--out docs/sequential_cases.png]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import altair as alt  # noqa: E402

from tests.calibration.test_sequential_calibration import ALPHA, LOOK_EVERY, MAX_CASES, draw, null_sd  # noqa: E402
from workbench.stats.sequential import Design, fixed_n_for_power, simulate_paths  # noqa: E402

EFFECTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def figures(runs: int) -> pd.DataFrame:
    sd = null_sd()
    design = Design(MAX_CASES, LOOK_EVERY, ALPHA, n_tests=1)
    rows = []
    for i, d_z in enumerate(EFFECTS):
        (d,), prior = draw(np.random.default_rng(1000 + i), runs, (d_z * sd,))
        used, code = simulate_paths(d, design, prior_sd=prior)
        power = float(np.mean(code == 1))
        fixed = fixed_n_for_power(d_z, min(power, 0.99), ALPHA) if d_z > 0 and power > ALPHA else None
        q1, median, q3 = np.percentile(used, [25, 50, 75])
        rows.append({"d_z": d_z, "power": power, "median": median, "q1": q1, "q3": q3,
                     "fixed_n": fixed, "false_or_true_positive": float(np.mean(code != 0))})
    return pd.DataFrame(rows)


def chart(frame: pd.DataFrame) -> alt.LayerChart:
    base = alt.Chart(frame).encode(x=alt.X("d_z:Q", title="planted effect d_z (simulated screening scores)"))
    band = base.mark_area(opacity=0.25).encode(y=alt.Y("q1:Q", title="cases used"), y2="q3:Q")
    seq = base.mark_line(point=True).encode(y="median:Q", color=alt.value("#1f77b4"))
    fixed = alt.Chart(frame.dropna(subset=["fixed_n"])).mark_line(point=True, strokeDash=[6, 4]).encode(
        x="d_z:Q", y="fixed_n:Q", color=alt.value("#d62728"))
    title = alt.TitleParams(
        f"Sequential run (look every {LOOK_EVERY}, max {MAX_CASES}): median cases used (band: quartiles)",
        subtitle="dashed: fixed-n paired t-test with the same power (capped at 99%); SIMULATED data")
    return (band + seq + fixed).properties(width=520, height=300, title=title)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sequential_cases.png")
    args = parser.parse_args()
    frame = figures(args.runs)
    print(frame.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    chart(frame).save(str(args.out), scale_factor=1.5)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
