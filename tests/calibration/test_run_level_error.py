"""Run-level error rates of what users read: verdicts, the report's omnibus sentences, the decision
summary, margin claims.

Under no effect at all, a run may report a primary difference at most α = 5% of the time (Holm over
every primary metric × comparison × model), whatever the number of metrics, variants, repeats and
clusters. Each figure: ≥ 400 independent simulated runs, Wilson 95% interval printed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.calibration.conftest import Rate, Report
from tests.calibration.simulate import ROOT, plan_for, simulate, variant_scores, write_variant
from workbench.analysis.decision_summary import decision_summary
from workbench.analysis.run_results import metric_families
from workbench.scoring.catalogue import metric_direction
from workbench.stats import adjust_pvalues, analyse

pytestmark = [pytest.mark.slow, pytest.mark.calibration]

ALPHA = 0.05
N_RUNS = 400
# A test at exactly α rejects in α of the runs; "stays at α" for such a single test means consistent
# with α: its Wilson interval covers α and the rate is within 3 Monte Carlo standard errors of it.
MC_SLACK = 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_RUNS)
CLAIMS = ("adopt", "reject", "promising", "differs")


def test_aa_runs_of_the_simulated_provider_rarely_report_a_primary_difference(
    tmp_path: Path, calibration_report: Report
) -> None:
    """Two identical prompts on the real simulated provider (texts written and scored), 20 cases × 2
    repeats, the wording scorers; four primary metrics (two counts, a score, a yes/no flag)."""
    a = write_variant(tmp_path / "a.yaml", ROOT / "prompts/vacancy_en_formal.yaml", "ad_a")
    b = write_variant(tmp_path / "b.yaml", ROOT / "prompts/vacancy_en_formal.yaml", "ad_b")
    scorers = ["length", "readability", "gender_coded", "age_coded", "exclusion", "gendered_title"]
    plan = plan_for(f"""name: aa
variants: [{a}, {b}]
dataset: {ROOT}/experiments/data/vacancies_en.csv
models: [simulated:default]
repeats: 2
baseline: ad_a
scorers: [{", ".join(scorers)}]
primary: [words, readability, gender_coded.masculine, age_coded.flagged]
""", tmp_path)
    primary_hits = exploratory_hits = claims = harm = 0
    n_metrics = family_size = 0
    for seed in range(N_RUNS):
        frame = simulate(plan, seed, scorers)
        metrics = sorted(frame["metric"].unique())
        primary, secondary = metric_families(plan.spec, metrics)
        frame = frame[frame["metric"].isin([*primary, *secondary])]
        analysis = analyse(frame, "ad_a", primary=primary, secondary=secondary, seed=seed, n_bootstrap=0,
                           metric_directions={m: metric_direction(m) for m in metrics})
        primary_hits += any(v.significant for v in analysis.primary_verdicts())
        exploratory_hits += any(v.significant for v in analysis.verdicts if v.family == "secondary")
        summary = decision_summary(analysis, simulated=True)
        claims += any(d.recommendation in CLAIMS or d.exploratory for d in summary.decisions)
        harm += any(d.possible_harm for d in summary.decisions)
        n_metrics = len(primary) + len(secondary)
        family_size = analysis.families[0].size
    primary_rate, exploratory_rate = Rate(primary_hits, N_RUNS), Rate(exploratory_hits, N_RUNS)
    calibration_report(f"A/A, {n_metrics} metrics ({family_size} primary tests, Holm): any primary difference "
                       f"{primary_rate}")
    calibration_report(f"A/A: any exploratory (secondary, Benjamini–Hochberg) difference {exploratory_rate}")
    calibration_report(f"A/A: decision summary claims anything (adopt/reject/differs or an exploratory finding) "
                       f"{Rate(claims, N_RUNS)}")
    calibration_report(f"A/A: 'possible harm' shown (informational, not a claim) {Rate(harm, N_RUNS)}")
    assert primary_rate.value <= ALPHA and primary_rate.ci[1] <= 0.07
    assert exploratory_rate.value <= ALPHA + 0.02  # BH under the complete null controls the FWER too


def test_four_variants_five_metrics(calibration_report: Report) -> None:
    """4 variants (3 comparisons) × 5 primary metrics (one a yes/no flag) = 15 tests, correlated metrics,
    correlated repeats, 24 cases. (Clusters: test_engine_calibration; with 8 clusters no permutation
    p-value could pass α/15 at all, which the verdicts warn about.)"""
    variants, metrics = ("base", "b", "c", "d"), ("m1", "m2", "m3", "m4", "flag")
    hits = hits_per_metric = differ = differ_raw = either = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng(10_000 + seed)
        frame = variant_scores(rng, n_cases=24, variants=variants, metrics=metrics, repeats=2, binary=("flag",))
        analysis = analyse(frame, "base", seed=seed, n_bootstrap=0)
        hits += any(v.significant for v in analysis.verdicts)
        # what the earlier per-metric families (Holm within each metric only) would have reported
        hits_per_metric += any(
            (adjust_pvalues([v.p_value for v in analysis.verdicts if v.metric == m], "holm") < ALPHA).any()
            for m in metrics
        )
        # the report's omnibus sentences ("4 variants differ on m1 …"), one per metric
        differ += any(" variants differ on " in o.sentence() for o in analysis.omnibus)
        differ_raw += any(o.p_value < ALPHA for o in analysis.omnibus)  # each at α, as before the correction
        # anything in the report saying a difference: a significant verdict or an omnibus "differ"
        either += any(v.significant for v in analysis.verdicts) or any(o.significant for o in analysis.omnibus)
    rate, differ_rate = Rate(hits, N_RUNS), Rate(differ, N_RUNS)
    calibration_report(f"4 variants × 5 metrics, null: any significant {rate} (Holm over 15 in the run); "
                       f"with the old per-metric families {Rate(hits_per_metric, N_RUNS)}")
    calibration_report(f"4 variants × 5 metrics, null: any 'N variants differ on <metric>' in the report "
                       f"{differ_rate} (Holm over the 5 omnibus tests); each at α as before "
                       f"{Rate(differ_raw, N_RUNS)}; a verdict or an omnibus 'differ', either "
                       f"{Rate(either, N_RUNS)}")
    assert rate.value <= ALPHA and rate.ci[1] <= 0.075
    assert differ_rate.value <= ALPHA and differ_rate.ci[1] <= 0.075
    assert differ_raw > differ  # the correction is what keeps it at α
    assert either / N_RUNS <= ALPHA + MC_SLACK  # the two families together stay consistent with α


def test_correlated_repeats_are_never_independent_cases(calibration_report: Report) -> None:
    """5 repeats per case that share most of their variation (case × variant ICC ≈ 0.9): the case is the
    unit, so the null rejection rate stays at α; counting repeats as cases would not."""
    hits = naive = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng(20_000 + seed)
        frame = variant_scores(rng, n_cases=20, repeats=5, sd_interaction=1.0, sd_noise=0.35)
        hits += analyse(frame, "a", seed=seed, n_bootstrap=0).get("b").significant
        as_cases = frame.assign(case=frame["case"] + "/" + frame["repeat"].astype(str), repeat=0)
        naive += analyse(as_cases, "a", seed=seed, n_bootstrap=0, n_permutations=2_000).get("b").significant
    rate = Rate(hits, N_RUNS)
    calibration_report(f"correlated repeats (ICC ≈ 0.9), null: significant {rate}; treating repeats as cases "
                       f"would give {Rate(naive, N_RUNS)}")
    assert rate.ci[0] <= ALPHA and rate.value <= ALPHA + MC_SLACK
    assert naive / N_RUNS > 0.2


def test_non_inferiority_and_equivalence_claims_at_the_margin(calibration_report: Report) -> None:
    """A variant exactly `margin` worse (the boundary of the non-inferiority null): "not worse by more than
    the margin" must appear at most α of the time; the same for "equivalent" at exactly +margin."""
    margin = 0.5
    ni = eq = 0
    for seed in range(N_RUNS):
        rng = np.random.default_rng(30_000 + seed)
        frame = variant_scores(rng, n_cases=30, variants=("a", "worse", "better"), repeats=2,
                               shifts={("worse", "m1"): -margin, ("better", "m1"): margin})
        analysis = analyse(frame, "a", seed=seed, n_bootstrap=0, metric_directions={"m1": True},
                           margins={"m1": margin})
        ni += analysis.get("worse").non_inferior
        eq += analysis.get("better").equivalent
    ni_rate, eq_rate = Rate(ni, N_RUNS), Rate(eq, N_RUNS)
    calibration_report(f"true difference = −margin: 'non-inferior' claimed {ni_rate}")
    calibration_report(f"true difference = +margin: 'equivalent' claimed {eq_rate}")
    for rate in (ni_rate, eq_rate):  # tests at exactly α on the boundary of their null
        assert rate.ci[0] <= ALPHA and rate.value <= ALPHA + MC_SLACK


@pytest.mark.parametrize("cases", [30, 60])
def test_non_inferiority_on_a_yes_no_metric_at_the_margin(cases: int, calibration_report: Report) -> None:
    """A yes/no flag (lower is better) one repeat per case, the candidate's flag rate exactly 10 points above
    the baseline's (≈ 30%): "not worse by more than 10 points" — what `workbench gate` passes on — at most α.
    1,000 runs (the permutation p of the verdict itself is not used by the margin test)."""
    from scipy import optimize, stats

    sd = math.sqrt(1.0 + 0.5**2 + 1.0)  # case + interaction + noise SDs of variant_scores' latent value
    base = float(stats.norm.sf(0.8 / sd))
    shift = optimize.brentq(lambda x: stats.norm.sf((0.8 - x) / sd) - base - 0.10, 0.0, 3.0)
    runs, claimed = 1_000, 0
    for seed in range(runs):
        frame = variant_scores(np.random.default_rng([40_000, cases, seed]), n_cases=cases, variants=("a", "worse"),
                               metrics=("flag",), repeats=1, binary=("flag",), shifts={("worse", "flag"): shift})
        analysis = analyse(frame, "a", seed=seed, n_bootstrap=0, n_permutations=100,
                           metric_directions={"flag": False}, margins={"flag": 0.10})
        claimed += bool(analysis.get("worse").non_inferior)
    rate = Rate(claimed, runs)
    calibration_report(f"yes/no metric (flag rate {base:.0%} vs {base + 0.10:.0%}), {cases} cases × 1 repeat, "
                       f"true difference exactly the 10-point margin: 'non-inferior' {rate}")
    assert rate.ci[0] <= ALPHA and rate.value <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / runs)


def test_non_inferiority_with_clustered_cases_at_the_margin(calibration_report: Report) -> None:
    """12 clusters of 5 cases (similar vacancies share a cluster × variant effect, SD 0.5), the candidate
    exactly the margin worse: "not worse by more than the margin" — the gate's pass — at most α, with the
    clustered SE and G − 1 df. 1,000 runs."""
    runs, claimed, margin = 1_000, 0, 0.5
    for seed in range(runs):
        frame = variant_scores(np.random.default_rng([50_000, seed]), n_cases=60, variants=("a", "worse"), repeats=2,
                               cluster_size=5, sd_cluster=0.5, shifts={("worse", "m1"): -margin})
        verdict = analyse(frame, "a", seed=seed, n_bootstrap=0, n_permutations=200, metric_directions={"m1": True},
                          margins={"m1": margin}).get("worse")
        assert verdict.n_clusters == 12
        claimed += bool(verdict.non_inferior)
    rate = Rate(claimed, runs)
    calibration_report(f"12 clusters of 5 cases, true difference exactly −margin: 'non-inferior' {rate}")
    assert rate.ci[0] <= ALPHA and rate.value <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / runs)
