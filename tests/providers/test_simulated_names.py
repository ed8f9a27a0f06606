"""The simulated provider's `name_sd`: every name gets its own fixed score shift, drawn anew per seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calibration.simulate import ROOT, simulate
from workbench.experiment.plan import build_plan
from workbench.providers.simulated.scores import name_shift


def _spec(tmp_path: Path, name_sd: float) -> Path:
    text = (ROOT / "experiments/screening_name_swap_nl.yaml").read_text(encoding="utf-8")
    text = text.replace("prompts/", f"{ROOT}/prompts/").replace("experiments/data/", f"{ROOT}/experiments/data/")
    text = text.replace("    simulate:\n      effects:\n", f"    simulate:\n      name_sd: {name_sd}\n      effects:\n")
    path = tmp_path / f"names-{name_sd}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_name_shift_is_fixed_per_name_and_seed():
    assert name_shift(3, "Jan de Vries", 0.0) == 0.0
    assert name_shift(3, "Jan de Vries", 0.5) == name_shift(3, "Jan de Vries", 0.5)
    assert name_shift(3, "Jan de Vries", 0.5) != name_shift(4, "Jan de Vries", 0.5)
    draws = np.array([name_shift(s, "Jan de Vries", 0.5) for s in range(2000)])
    assert abs(draws.mean()) < 0.05 and abs(draws.std() - 0.5) < 0.03


def test_name_sd_makes_names_differ_in_real_runs(tmp_path: Path):
    # the blind-criteria prompt has no planted group effect: any spread between names is name_sd's doing
    spreads = {}
    for sd in (0.0, 1.5):
        plan = build_plan(_spec(tmp_path, sd))
        assert plan.spec.models[0].simulate is not None and plan.spec.models[0].simulate.name_sd == sd
        frame = simulate(plan, seed=1, scorers=["screening"])
        scores = frame[(frame["metric"] == "screening.score") & (frame["variant"] == "screening_nl_blind_criteria")]
        spreads[sd] = float(scores.groupby("swap_name")["value"].mean().std())
    assert spreads[1.5] > 3 * spreads[0.0]
    # without name_sd the requests (and so the simulated outputs) are exactly those of earlier versions
    plain = build_plan(_spec(tmp_path, 0.0)).calls[0].request.params["simulate"]
    assert "name_sd" not in plain
