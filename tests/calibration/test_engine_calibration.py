"""The engine's single comparison: the false-positive rate is α (not below it either: the permutation
test is exact, not conservative), and clustered cases keep it there where a per-case analysis does not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.calibration.conftest import Rate, Report
from tests.calibration.simulate import variant_scores
from workbench.stats import analyse

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

ALPHA = 0.05
N_RUNS = 400


def test_false_positive_rate_is_alpha(calibration_report: Report) -> None:
    hits = 0
    for seed in range(N_RUNS):
        frame = variant_scores(np.random.default_rng([21, seed]), n_cases=20, repeats=3)
        hits += analyse(frame, "a", seed=seed, n_bootstrap=0).get("b").significant
    rate = Rate(hits, N_RUNS)
    calibration_report(f"one comparison, 20 cases × 3 repeats, null: significant {rate}")
    assert abs(rate.value - ALPHA) <= 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_RUNS)


def test_clustered_cases_keep_alpha_where_the_per_case_analysis_does_not(calibration_report: Report) -> None:
    # 8 job families × 5 cases with a shared family-level shift in the difference and no true effect
    robust = naive = 0
    for seed in range(N_RUNS):
        frame = variant_scores(np.random.default_rng([22, seed]), n_cases=40, repeats=1, sd_noise=0.5,
                               cluster_size=5, sd_cluster=0.7)
        robust += analyse(frame, "a", seed=seed, n_bootstrap=0).get("b").significant
        naive += analyse(frame.drop(columns="cluster"), "a", seed=seed, n_bootstrap=0).get("b").significant
    rate = Rate(robust, N_RUNS)
    calibration_report(f"8 clusters of 5 cases, null: cluster-robust {rate}; per-case analysis {Rate(naive, N_RUNS)}")
    assert rate.value <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_RUNS)
    assert naive / N_RUNS > 0.15


def test_planted_wording_effect_is_found_in_the_demo() -> None:
    """The 'energetic' demo variant is planted to write 50% more masculine-coded words: the verdict finds it."""
    from tests.calibration.simulate import ROOT, simulate
    from workbench.experiment.plan import build_plan
    from workbench.scoring.catalogue import metric_direction

    metric = "gender_coded.masculine"
    frame = simulate(build_plan(ROOT / "experiments/vacancy_tone_en.yaml"), 11, ["gender_coded"])
    verdict = analyse(frame[frame["metric"] == metric], "vacancy_en_formal",
                      metric_directions={metric: metric_direction(metric)}, seed=0).get("vacancy_en_energetic")
    assert verdict.significant and verdict.direction == "worse" and verdict.estimate > 0
