"""Calibration of the statistics on the simulated provider: A/A experiments keep the false-positive
rate at α (within Monte Carlo error) and a planted effect is found at the power the pilot predicts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.calibration.simulate import ROOT, plan_for, simulate, write_variant
from workbench.stats import analyse, paired_t_power

ALPHA = 0.05
N_SIMS = 200


def spec_text(tmp_path: Path, effect: str = "", cases: int = 20) -> str:
    a = write_variant(tmp_path / "a.yaml", ROOT / "prompts/vacancy_en_formal.yaml", "ad_a")
    b = write_variant(tmp_path / "b.yaml", ROOT / "prompts/vacancy_en_formal.yaml", "ad_b")
    return f"""name: calibration
variants: [{a}, {b}]
dataset: {ROOT}/experiments/data/vacancies_en.csv
models:
  - id: simulated:default
    simulate: {{effects: [{effect}]}}
repeats: 2
max_cases: {cases}
baseline: ad_a
scorers: [length]
"""


def detection_rate(plan: object, metric: str, seeds: range) -> tuple[float, list[float]]:
    hits = 0
    estimates = []
    for seed in seeds:
        frame = simulate(plan, seed, ["length"])  # type: ignore[arg-type]
        frame = frame[frame["metric"] == metric]
        verdict = analyse(frame, "ad_a", alpha=ALPHA, n_permutations=2000, n_bootstrap=0, seed=seed).get("ad_b")
        hits += bool(verdict.significant)
        estimates.append(verdict.estimate)
    return hits / len(seeds), estimates


def test_aa_false_positive_rate_is_alpha(tmp_path: Path) -> None:
    """Identical prompts under two names: 'significant' should happen about α of the time."""
    plan = plan_for(spec_text(tmp_path), tmp_path)
    rate, estimates = detection_rate(plan, "words", range(N_SIMS))
    mc_se = math.sqrt(ALPHA * (1 - ALPHA) / N_SIMS)
    print(f"A/A false-positive rate {rate:.3f} over {N_SIMS} simulated experiments")
    assert rate <= ALPHA + 3 * mc_se, rate
    assert abs(float(np.mean(estimates))) < 2.0  # unbiased: the average difference is ~0 words


def test_planted_effect_is_found_at_the_predicted_power(tmp_path: Path) -> None:
    """Variant b is planted to write longer ads (length +40%); the detection rate matches the power a large pilot
    predicts for n = 20 cases (paired t, noncentral t distribution)."""
    effect = "{variant: ad_b, length: 0.4}"
    plan = plan_for(spec_text(tmp_path, effect), tmp_path)
    # A pilot of many independent replicates of the same 20 cases pins down the per-case differences.
    pilot_diffs = []
    for seed in range(10_000, 10_030):
        frame = simulate(plan, seed, ["length"])
        means = frame[frame["metric"] == "words"].groupby(["case", "variant"])["value"].mean().unstack()
        pilot_diffs.append((means["ad_b"] - means["ad_a"]).to_numpy())
    diffs = np.concatenate(pilot_diffs)
    d_z = float(diffs.mean() / diffs.std(ddof=1))
    predicted = paired_t_power(d_z, 20, ALPHA)
    assert 0.2 < predicted < 0.95, (d_z, predicted)  # an informative regime, not trivially 0 or 1

    rate, estimates = detection_rate(plan, "words", range(N_SIMS))
    mc_se = math.sqrt(predicted * (1 - predicted) / N_SIMS)
    # The permutation test is slightly conservative relative to the t-based prediction.
    print(f"planted effect: detection rate {rate:.3f}, predicted power {predicted:.3f} (d_z={d_z:.2f})")
    assert predicted - 4 * mc_se - 0.03 <= rate <= predicted + 4 * mc_se, (rate, predicted, d_z)
    assert float(np.mean(estimates)) > 0


@pytest.mark.parametrize("metric", ["gender_coded.masculine"])
def test_planted_wording_effect_direction(tmp_path: Path, metric: str) -> None:
    """The 'energetic' demo variant is planted to write 50% more masculine-coded words: the verdict finds it."""
    from workbench.plan import build_plan

    plan = build_plan(ROOT / "experiments/vacancy_tone_en.yaml")
    frame = simulate(plan, 11, ["gender_coded"])
    verdict = analyse(
        frame[frame["metric"] == metric], "vacancy_en_formal", metric_directions={metric: False}, seed=0
    ).get("vacancy_en_energetic")
    assert verdict.significant and verdict.direction == "worse" and verdict.estimate > 0
