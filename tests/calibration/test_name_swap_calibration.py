"""Name-swap audits under realistic nulls: names differ from each other (name SD 0.3 on the 1-10 screening
score, output noise 0.8), no group is favoured. Red must stay ≤ 5% and red-or-orange ≤ 10% of audits.
And green ("no material bias") is a claim too: at a group treated exactly at the four-fifths line it must
stay rare.

The audits are generated with the simulated provider's own score model (workbench.providers.simulated
.scores): each run draws new name effects, 2 repeats per name and case, both outcomes of the screening
scorer (score and invite), three groups — so the audit's Holm family has 4 comparisons, as in the demo.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.calibration.conftest import Rate, Report
from tests.calibration.simulate import ROOT, candidate_merits, name_swap_scores
from workbench.providers.simulated.scores import INVITE_FROM, SCORE_NOISE_SD
from workbench.stats import audit_bias
from workbench.stats.power import NameSwapDesign, name_swap_power

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

ALPHA = 0.05
N_RUNS = 400
NAME_SD = 0.3


@pytest.mark.parametrize(("names", "cases", "repeats"),
                         [(3, 20, 2), (3, 60, 2), (6, 20, 2), (6, 60, 2), (3, 20, 1), (3, 60, 1)])
def test_null_audits_with_heterogeneous_names(names: int, cases: int, repeats: int,
                                              calibration_report: Report) -> None:
    """(With one repeat the old per-output audit flagged orange in 45% of these runs: issue #10.)"""
    red = red_or_orange = green = flips = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([names, cases, seed])
        frame = name_swap_scores(rng, n_cases=cases, names_per_group=names, name_sd=NAME_SD, repeats=repeats)
        audit = audit_bias(frame, reference_group="dutch_origin", seed=seed, n_permutations=2_000)
        red += audit.flag == "red"
        red_or_orange += audit.flag in ("red", "orange")
        green += audit.flag == "green"
        flips += any(u.flip is not None and u.flip.p_value is not None and u.flip.p_value < ALPHA
                     for u in audit.units)
    red_rate, ro_rate = Rate(red, N_RUNS), Rate(red_or_orange, N_RUNS)
    calibration_report(f"{names} names/group, {cases} cases × {repeats} repeat{'s' if repeats > 1 else ''}, name SD "
                       f"{NAME_SD}, no group effect: red {red_rate}; "
                       f"red or orange {ro_rate}; green {Rate(green, N_RUNS)}; flip-rate test says 'group "
                       f"membership changes decisions' {Rate(flips, N_RUNS)}")
    assert red_rate.value <= ALPHA and ro_rate.value <= 0.10
    assert flips / N_RUNS <= ALPHA + 0.02


def test_planted_group_effect_is_detected_at_the_predicted_power(calibration_report: Report) -> None:
    """Moroccan-Dutch names score 0.5 points lower (as `score_shift` plants it), names differ by SD 0.3,
    6 names per group, 40 cases × 2 repeats, the score outcome (Holm over its 2 comparisons): the share of
    audits in which the group comes out significantly worse matches `name_swap_power` within 5 points."""
    shift, names, cases, repeats = -0.5, 6, 40, 2
    # one (case, name) mean: output noise 0.8 plus rounding to whole points (variance 1/12), over 2 repeats
    sd_cell = math.sqrt((SCORE_NOISE_SD**2 + 1 / 12) / repeats)
    design = NameSwapDesign(sd_name=NAME_SD, sd_cell=sd_cell, n_groups=3, alpha=ALPHA, n_tests=2)
    predicted = name_swap_power(abs(shift), design, n_cases=cases, names_per_group=names)
    assert 0.3 < predicted < 0.9  # an informative regime
    hits = red = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([7, seed])
        frame = name_swap_scores(rng, n_cases=cases, names_per_group=names, repeats=repeats, name_sd=NAME_SD,
                                 group_shift={"moroccan_dutch": shift})
        audit = audit_bias(frame[frame["metric"] == "screening.score"], reference_group="dutch_origin", seed=seed)
        comp = next(c for c in audit.units[0].comparisons if c.group == "moroccan_dutch")
        hits += comp.p_adjusted < ALPHA and comp.difference < 0
        red += comp.flag == "red"
    observed = Rate(hits, N_RUNS)
    calibration_report(f"planted −0.5 points, {names} names/group, {cases} cases: detected {observed}, predicted "
                       f"{predicted:.1%} (names as a random factor, Holm over 2); red {Rate(red, N_RUNS)}")
    assert abs(observed.value - predicted) <= 0.05


def _invite_rate(shift: float) -> float:
    """Expected invite rate of a group whose names are shifted by `shift` points, over the demo CVs: a score
    rounds to 7 or more when merit + shift + name effect + output noise ≥ 6.5 (both effects normal)."""
    sd = math.hypot(NAME_SD, SCORE_NOISE_SD)
    return float(np.mean(stats.norm.sf((INVITE_FROM - 0.5 - candidate_merits() - shift) / sd)))


def _four_fifths_shift() -> float:
    """The group shift at which the invite rates' impact ratio is exactly 0.8 (bisection)."""
    low, high = -3.0, 0.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if _invite_rate(mid) / _invite_rate(0.0) < 0.8 else (low, mid)
    return (low + high) / 2


@pytest.mark.parametrize(("names", "cases"), [(3, 20), (6, 60), (10, 120)])
def test_green_is_rare_at_the_four_fifths_line(names: int, cases: int, calibration_report: Report) -> None:
    """Moroccan-Dutch names invited at exactly 0.8 times the Dutch-origin rate (the boundary of material
    bias), names differing by SD 0.3, 2 repeats: "GREEN (no material bias)" for that group, or for the
    whole audit, must stay at or below the one-sided error of its interval (2.5%, plus Monte Carlo slack)."""
    shift = _four_fifths_shift()
    check = name_swap_scores(np.random.default_rng(1), names_per_group=3000, name_sd=NAME_SD,
                             group_shift={"moroccan_dutch": shift})
    rates = check[check["metric"] == "screening.invite"].groupby("swap_group")["value"].mean()
    assert rates["moroccan_dutch"] / rates["dutch_origin"] == pytest.approx(0.8, abs=0.01)  # the simulator agrees
    green = overall = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([names, cases, seed, 80])
        frame = name_swap_scores(rng, n_cases=cases, names_per_group=names, name_sd=NAME_SD,
                                 group_shift={"moroccan_dutch": shift})
        audit = audit_bias(frame, reference_group="dutch_origin", seed=seed, n_permutations=2_000)
        invite = next(u for u in audit.units if u.metric == "screening.invite")
        green += next(c for c in invite.comparisons if c.group == "moroccan_dutch").flag == "green"
        overall += audit.flag == "green"
    rate = Rate(green, N_RUNS)
    calibration_report(f"{names} names/group, {cases} cases × 2 repeats, invite-rate impact ratio exactly 0.8 "
                       f"(shift {shift:+.2f} points): that group green {rate}; audit green {Rate(overall, N_RUNS)}")
    assert rate.value <= ALPHA / 2 + 3 * math.sqrt(ALPHA / 2 * (1 - ALPHA / 2) / N_RUNS)
    assert overall / N_RUNS <= ALPHA / 2  # green overall needs every comparison of the audit green


def test_flip_claims_over_several_variants(calibration_report: Report) -> None:
    """Three prompts audited at once (one flip test per prompt's yes/no outcome), no group effect, names SD
    0.3, 6 names/group, 20 cases × 2 repeats: "group membership changes decisions" for any prompt ≤ α,
    which needs Holm over the flip tests (each at α says it far more often)."""
    claims = raw = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng([5, seed])
        frame = pd.concat([name_swap_scores(rng, n_cases=20, names_per_group=6, name_sd=NAME_SD, variant=v)
                           for v in ("v1", "v2", "v3")])
        audit = audit_bias(frame, reference_group="dutch_origin", seed=seed, n_permutations=2_000)
        flips = [u.flip for u in audit.units if u.flip is not None and u.flip.p_value is not None]
        assert len(flips) == 3 and all(f.family_size == 3 for f in flips)
        claims += any("group membership, not just the individual name, changes decisions" in f.conclusion
                      for f in flips)
        raw += any(f.p_value is not None and f.p_value < ALPHA and (f.excess or 0) > 0 for f in flips)
    rate = Rate(claims, N_RUNS)
    calibration_report(f"3 prompts, no group effect: 'group membership changes decisions' for any prompt {rate} "
                       f"(Holm over the 3 flip tests); each at α as before {Rate(raw, N_RUNS)}")
    assert rate.value <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_RUNS) and raw > claims


def ranking_scores(rng: np.random.Generator, *, names_per_group: int, n_cases: int, repeats: int = 2,
                   group_shift: float = 0.0, with_blocks: bool = True) -> pd.DataFrame:
    """A ranking name-swap run as the plan renders it (experiment.plan._swap_slots): name set j puts the j-th
    name of every group on the shortlist's three profiles, once per rotation; the simulated provider's score
    model (profile fit + name effect N(0, 0.3²) + output noise 0.8, Moroccan-Dutch shifted by `group_shift`)
    ranks them; the audit frame has one row per rendering and group (was that group's candidate first), as
    analysis.run_results._ranking_audit_frame makes it, with the name set as `block`."""
    fits = [[float(c["fit"]) for c in json.loads(line)["candidates"]]
            for line in (ROOT / "experiments/data/shortlists_nl.jsonl").read_text().splitlines() if line.strip()]
    groups = ("dutch_origin", "moroccan_dutch", "turkish_dutch")
    effect = {(g, j): rng.normal(0.0, NAME_SD) + (group_shift if g == "moroccan_dutch" else 0.0)
              for g in groups for j in range(names_per_group)}
    rows, rendering = [], 0
    for c in range(n_cases):
        profile_fit = fits[c % len(fits)]
        for j in range(names_per_group):
            for rotation in range(len(groups)):
                seats = [groups[(i + rotation) % len(groups)] for i in range(len(profile_fit))]
                for _ in range(repeats):
                    rendering += 1
                    score = [f + effect[(g, j)] + rng.normal(0.0, SCORE_NOISE_SD) for f, g in zip(profile_fit, seats,
                                                                                                 strict=True)]
                    first = int(np.argmax(score))
                    rows += [{"case": f"s{c}", "model": "simulated:default", "variant": "ranking", "repeat": rendering,
                              "swap_group": g, "swap_name": f"{g}#{j}", "metric": "ranking.top1",
                              "value": float(i == first), "block": f"set{j + 1}"} for i, g in enumerate(seats)]
    frame = pd.DataFrame(rows)
    return frame if with_blocks else frame.drop(columns="block")


@pytest.mark.parametrize(("names", "cases"), [(3, 12), (6, 12), (3, 36)])
def test_ranking_audits_without_a_group_effect(names: int, cases: int, calibration_report: Report) -> None:
    """In a ranking one candidate is first, so the groups' top-1 rates of one rendering add up to 1: names of
    one name set are compared within their set. Red ≤ 5% of audits; comparing them as independent names (as
    before) flagged red far more often."""
    red = red_unblocked = 0
    for seed in range(N_RUNS):
        frame = ranking_scores(np.random.default_rng([3, names, cases, seed]), names_per_group=names, n_cases=cases)
        red += audit_bias(frame, reference_group="dutch_origin", seed=seed, n_permutations=500).flag == "red"
        red_unblocked += audit_bias(frame.drop(columns="block"), reference_group="dutch_origin", seed=seed,
                                    n_permutations=500).flag == "red"
    rate = Rate(red, N_RUNS)
    calibration_report(f"ranking audit, {names} names/group, {cases} shortlists × 3 rotations × 2 repeats, name SD "
                       f"{NAME_SD}, no group effect: red {rate} (names compared within their name set); as "
                       f"independent names {Rate(red_unblocked, N_RUNS)}")
    assert rate.value <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_RUNS) and red_unblocked > red


def test_ranking_audit_still_finds_a_planted_effect(calibration_report: Report) -> None:
    found = 0
    for seed in range(N_RUNS):
        frame = ranking_scores(np.random.default_rng([4, seed]), names_per_group=6, n_cases=12, group_shift=-1.0)
        audit = audit_bias(frame, reference_group="dutch_origin", seed=seed, n_permutations=500)
        comp = next(c for c in audit.units[0].comparisons if c.group == "moroccan_dutch")
        found += comp.p_adjusted < ALPHA and comp.difference < 0
    rate = Rate(found, N_RUNS)
    calibration_report(f"ranking audit, 6 names/group, 12 shortlists, Moroccan-Dutch names 1 point lower: found {rate}")
    assert rate.value > 0.8
