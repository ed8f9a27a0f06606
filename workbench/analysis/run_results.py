"""Everything the report and the UI show about one run, computed from the store in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.sequential_looks import SequentialOutcome, apply_to_analysis, load_outcome
from workbench.errors import WorkbenchError
from workbench.experiment.spec import ExperimentSpec
from workbench.scoring.catalogue import is_flag, is_headline, metric_info, metric_mask
from workbench.scoring.judge import JudgeProvenance, judge_provenance
from workbench.scoring.pairwise_judge import JUDGE_RATER_PREFIX, consolidated_ratings
from workbench.scoring.registry import default_primary_metrics
from workbench.stats import Analysis, BiasAudit, PreferenceAnalysis, analyse, analyse_preferences, audit_bias
from workbench.stats.binary import clustered_rate_interval
from workbench.store.db import Store, StoreSession
from workbench.store.dismissals import apply_adjustments, dismissal_adjustments, run_dismissals
from workbench.store.frames import (
    all_metric_names,
    numeric_scores,
    pair_ratings,
    ratings_frame,
    run_header,
    scores_frame,
    truncated_outputs,
)
from workbench.store.queries import resolve_run_id

# Headline metrics (shown first in verdict tables) and lint flags are declared by their scorers
# (`scoring.catalogue`); other metrics (characters, counts) are analysed too.
SCREENING_OUTCOMES = ("screening.invite", "screening.score")


@dataclass(frozen=True)
class Truncation:
    """Outputs cut off at max_tokens in one run, and what the analysis did with them."""

    count: int
    outputs: int  # successful outputs of the run
    by_variant: dict[str, int]
    excluded: bool  # left out of the text metrics (spec `truncated_outputs: exclude`, the default)
    output_ids: frozenset[int] = field(default_factory=frozenset, repr=False)

    def apply(self, scores: pd.DataFrame) -> pd.DataFrame:
        """`scores` as the analysis sees them: without the cut-off outputs' text metrics when excluded."""
        return drop_truncated(scores, self.output_ids) if self.excluded else scores

    @property
    def where(self) -> str:
        """The cut-off outputs per variant, e.g. " (formal 4, inclusive 1)"."""
        return " (" + ", ".join(f"{v} {n}" for v, n in self.by_variant.items()) + ")" if self.by_variant else ""

    def sentence(self) -> str:
        """The warning shown with the verdicts (terminal and reports; the UI has it in EN and NL)."""
        where = self.where
        what = (
            "they are left out of the text metrics (truncated_outputs: include keeps them)"
            if self.excluded
            else "they are scored as they are (truncated_outputs: include)"
        )
        return (
            f"{self.count} of {self.outputs} outputs{where} were cut off at max_tokens — raise max_tokens; {what}"
        )


@dataclass
class RunInfo:
    run_id: int
    experiment: str
    status: str
    simulated: bool
    total_calls: int
    outputs: int
    errors: int
    cost_usd: float
    baseline: str
    alpha: float
    correction: str
    spec: ExperimentSpec
    started_at: Any
    primary: list[str] = field(default_factory=list)  # the confirmatory metrics (Holm family)
    family: str = "run"
    unpriced: int = 0  # outputs whose price is unknown: cost_usd is a lower bound
    judge: JudgeProvenance | None = None  # who scored the judge.* metrics


@dataclass
class RunAnalysis:
    info: RunInfo
    analysis: Analysis | None
    lint_rates: pd.DataFrame
    bias: BiasAudit | None = None
    preferences: PreferenceAnalysis | None = None
    warnings: list[str] = field(default_factory=list)
    # Flags users dismissed as false (workbench/store/dismissals.py): left out of lint rates and verdicts.
    dismissed: pd.DataFrame = field(default_factory=pd.DataFrame)
    truncation: Truncation | None = None  # None when no output was cut off
    # Runs started with --until-decided: the looks and the stop (its primary verdicts are anytime-valid).
    sequential: SequentialOutcome | None = None
    # The pairwise LLM judge (`judge: {mode: pairwise}`), per rubric: sign tests / Bradley–Terry on its
    # consolidated (position-swapped) verdicts; position bias from its raw answers.
    judge_preferences: dict[str, PreferenceAnalysis] = field(default_factory=dict)
    # One mean per model × variant × case of each headline metric (repeats and names averaged; the same
    # outputs and values as the verdicts): Compare's distribution chart, without a query per metric.
    case_means: pd.DataFrame = field(default_factory=pd.DataFrame)

    def headline_verdicts(self) -> pd.DataFrame:
        if self.analysis is None:
            return pd.DataFrame()
        frame = self.analysis.to_frame()
        if frame.empty:
            return frame
        return frame[metric_mask(frame, is_headline)].reset_index(drop=True)


def lint_rates(scores: pd.DataFrame) -> pd.DataFrame:
    """Per model × variant: share of outputs flagged by each wording lint, with a 95% CI over cases.

    Repeats of a case are not independent: a Wilson interval on the effective sample size from the
    cluster-robust variance over cases, exact Clopper–Pearson over cases when no or every output is
    flagged (stats.binary.clustered_rate_interval).
    """
    columns = ["model", "variant", "metric", "rate", "ci_low", "ci_high", "n_outputs", "n_cases"]
    flags = scores[metric_mask(scores, is_flag)] if not scores.empty else scores
    rows = []
    for (model, variant, metric), group in flags.groupby(["model", "variant", "metric"], sort=True):
        valid = group.dropna(subset=["value"])
        if valid.empty:
            continue
        per_case = valid.groupby("case")["value"].agg(["sum", "count"])
        rate, low, high = clustered_rate_interval(per_case["sum"].to_numpy(), per_case["count"].to_numpy())
        rows.append([model, variant, metric, rate, low, high, len(valid), len(per_case)])
    return pd.DataFrame(rows, columns=columns)


def display_metrics(metrics: Sequence[str], spec: ExperimentSpec) -> list[str]:
    """Headline metrics, lint flags and the bias outcome: what the UI shows.

    The stats engine seeds and corrects each (model, metric) table on its own, so leaving out the other
    metrics (character counts, raw counts) changes no verdict; it only saves time on very large runs.
    """
    swap = spec.swap
    outcomes = {swap.outcome} if swap and swap.outcome else set(SCREENING_OUTCOMES)
    return [
        m for m in metrics
        if is_headline(m) or is_flag(m) or m in outcomes or metric_info(m).audit
    ]


def metric_families(spec: ExperimentSpec, metrics: Sequence[str]) -> tuple[list[str], list[str]]:
    """(primary, secondary) metrics of a run: one place that decides which family a p-value belongs to.

    Primary: the spec's `primary`, else the first judge rubric, else the first scorer's headline
    metric. Secondary: every other metric the pages show (headlines, wording flags, outcomes). The rest
    (character counts, raw counts) is "supplementary" when analysed, corrected among itself, so asking
    for every metric never changes a primary or secondary p-value.
    """
    primary = list(spec.primary) if spec.primary else default_primary_metrics(spec.scorers, metrics)
    secondary = [m for m in display_metrics(metrics, spec) if m not in primary]
    return primary, secondary


def analyse_run(
    store: Store,
    run_ref: str | int | None = None,
    *,
    seed: int = 0,
    metrics: Sequence[str] | None = None,
    shown_only: bool = False,
    baseline: str | None = None,
) -> RunAnalysis:
    """Verdicts, lint rates, bias audit and preferences of one run (`metrics` limits what is analysed,
    `shown_only` limits it to the primary and secondary metrics; the primary metrics are always included;
    `baseline` compares with another variant than the spec's baseline)."""
    with store.session() as session:
        run_id = resolve_run_id(session, run_ref)
        header = run_header(session, run_id)
        if baseline is not None and baseline not in header.variants:
            raise WorkbenchError(f"baseline {baseline!r} is not a variant of run {run_id} "
                                 f"(variants: {', '.join(header.variants)})", field="--baseline")
        present = all_metric_names(session, run_id)
        primary, secondary = metric_families(header.spec, present)
        if shown_only:
            metrics = display_metrics(present, header.spec)
        chosen = list(dict.fromkeys([*primary, *metrics])) if metrics is not None else present
        # Flags users dismissed as false are left out of the lint values (rates and verdicts alike).
        scores = apply_adjustments(numeric_scores(session, run_id, chosen), dismissal_adjustments(session, run_id))
        dismissed = run_dismissals(session, run_id)
        ratings = ratings_frame(session, run_id)
        judge_raw = pd.DataFrame()
        if ratings["rater"].astype(str).str.startswith(JUDGE_RATER_PREFIX).any():
            ratings = ratings[~ratings["rater"].astype(str).str.startswith(JUDGE_RATER_PREFIX)]
            judge_raw = pair_ratings(session, run_id)
            judge_raw = judge_raw[judge_raw["rater"].astype(str).str.startswith(JUDGE_RATER_PREFIX)]
        names = _ranking_names(session, run_id) if header.spec.swap and header.spec.swap.mode == "ranking" else None
        truncated = truncated_outputs(session, run_id)
    spec = header.spec
    info = RunInfo(
        run_id=run_id, experiment=header.experiment, status=header.status, simulated=header.simulated,
        total_calls=header.total_calls, outputs=header.outputs, errors=header.errors, cost_usd=header.cost_usd,
        baseline=baseline or header.baseline, alpha=spec.alpha, correction=spec.correction, spec=spec,
        started_at=header.started_at, primary=primary, family=spec.family, unpriced=header.unpriced,
        judge=judge_provenance(spec),
    )
    truncation = _truncation(truncated, info.outputs, spec)
    if truncation is not None:
        scores = truncation.apply(scores)
    result = RunAnalysis(info=info, analysis=None, lint_rates=lint_rates(scores), dismissed=dismissed,
                         truncation=truncation)
    result.sequential = load_outcome(store, run_id)
    expected = info.total_calls
    if result.sequential is not None:
        # What the looks so far drew; a run that stopped early has no "missing" outputs beyond them.
        expected = min(expected, result.sequential.cases * int(result.sequential.design["calls_per_case"]))
        result.warnings.append(result.sequential.explanation())
        info.correction = "bonferroni"  # the primary family of a sequential run (see apply_to_analysis)
    if expected and info.outputs < expected:
        result.warnings.append(
            f"{expected - info.outputs} of {expected} planned outputs are missing or failed; "
            "verdicts use complete cases only (resume the run to fill them)."
        )
    if truncation is not None:
        result.warnings.append(truncation.sentence())
    if scores.empty:
        result.warnings.append("no scores yet")
        return result
    result.case_means = case_means_of(scores[metric_mask(scores, is_headline)])
    infos = {m: metric_info(m) for m in scores["metric"].unique()}
    scores["kind"] = scores["metric"].map({m: info.stats_kind for m, info in infos.items()})
    if spec.swap:
        result.bias = audit_run_bias(scores, spec, seed, names)
        # For the variant comparison, average over names first: the names are part of the case design.
        scores = scores.drop(columns=["swap_name", "swap_group"])
    directions = {m: info.higher_is_better for m, info in infos.items()}
    cols = ["case", "variant", "model", "repeat", "metric", "value", "kind"]
    frame = scores[[*cols, "cluster"]] if scores["cluster"].notna().all() else scores[cols]
    if spec.swap:
        # Several names per case and repeat: make each (name, repeat) its own replicate.
        frame = frame.assign(repeat=frame.groupby(["case", "variant", "model", "metric"]).cumcount())
    result.analysis = analyse(
        frame, info.baseline, alpha=spec.alpha, correction=spec.correction, metric_directions=directions, seed=seed,
        family=spec.family, primary=primary, secondary=secondary, margins=spec.non_inferiority,
    )
    if spec.swap:  # each case's outputs are names × repeats: say so instead of "× 18 repeats"
        for verdict in result.analysis.verdicts:
            verdict.n_names = spec.swap.names_per_group * len(spec.swap.groups)
    if result.sequential is not None:
        apply_to_analysis(result.analysis, result.sequential)
    if not ratings.empty:
        result.preferences = analyse_preferences(ratings, alpha=spec.alpha, reference=info.baseline, seed=seed)
    if not judge_raw.empty:
        result.judge_preferences = judge_preference_analyses(judge_raw, spec.alpha, info.baseline, seed)
    return result


def case_means_of(scores: pd.DataFrame) -> pd.DataFrame:
    """Columns model, variant, case, value, metric: the mean per model × variant × case × metric."""
    keys = ["model", "variant", "case", "metric"]
    means = scores.groupby(keys, sort=True)["value"].mean().dropna().reset_index()
    return means[["model", "variant", "case", "value", "metric"]]


def judge_preference_analyses(raw: pd.DataFrame, alpha: float, baseline: str, seed: int
                              ) -> dict[str, PreferenceAnalysis]:
    """Per rubric: the pairwise judge's consolidated verdicts analysed like recruiter ratings; the position
    bias test runs on its raw answers (each pair asked in both orders)."""
    out = {}
    consolidated = consolidated_ratings(raw)
    for rater, verdicts in consolidated.groupby("rater", sort=True):
        analysis = analyse_preferences(verdicts, alpha=alpha, reference=baseline, seed=seed)
        answers = raw[raw["rater"] == rater].copy()
        answers["left"] = np.where(answers["left"] == "a", answers["variant_a"], answers["variant_b"])
        analysis.position_bias = analyse_preferences(answers, alpha=alpha, reference=baseline, seed=seed,
                                                     n_bootstrap=0).position_bias
        out[str(rater).removeprefix(JUDGE_RATER_PREFIX)] = analysis
    return out


def _truncation(truncated: list[tuple[int, str, str]], outputs: int, spec: ExperimentSpec) -> Truncation | None:
    if not truncated:
        return None
    by_variant: dict[str, int] = {}
    for _, variant, _ in truncated:
        by_variant[variant] = by_variant.get(variant, 0) + 1
    ids = frozenset(oid for oid, _, _ in truncated)
    return Truncation(len(truncated), outputs, by_variant, spec.truncated_outputs == "exclude", ids)


def drop_truncated(scores: pd.DataFrame, truncated_ids: frozenset[int]) -> pd.DataFrame:
    """The scores without the text metrics of cut-off outputs (their parsed outcomes stay)."""
    if scores.empty or not truncated_ids:
        return scores
    text_metric = metric_mask(scores, lambda m: not metric_info(m).outcome)
    keep = ~(scores["output_id"].isin(truncated_ids) & text_metric)
    return scores[keep].reset_index(drop=True)


def _ranking_names(session: StoreSession, run_id: int) -> pd.Series:
    """Which name each ranking.top1.<group> score belongs to, keyed "output_id|metric"."""
    ranking = scores_frame(session, run_id, with_detail=True, metric_prefix="ranking.top1.")
    return pd.Series(
        [d.get("name") if isinstance(d, dict) else None for d in ranking["detail"]],
        index=ranking["output_id"].astype(str) + "|" + ranking["metric"],
    )


def audit_run_bias(
    scores: pd.DataFrame, spec: ExperimentSpec, seed: int, ranking_names: pd.Series | None = None
) -> BiasAudit | None:
    """The name-swap audit of a run's scores (single names, or rankings with several candidates)."""
    assert spec.swap is not None
    cols = ["case", "model", "variant", "repeat", "swap_group", "swap_name", "metric", "value"]
    if spec.swap.mode == "ranking":
        audit = _ranking_audit_frame(scores, ranking_names)
    else:
        outcomes = [spec.swap.outcome] if spec.swap.outcome else list(SCREENING_OUTCOMES)
        audit = scores[scores["metric"].isin(outcomes) & (scores["swap_group"] != "")]
    if audit.empty:
        return None
    if "block" in audit.columns:
        cols.append("block")
    result = audit_bias(audit[cols].dropna(subset=["value"]), alpha=spec.alpha, margin=spec.swap.margin, seed=seed,
                        reference_group=spec.swap.reference_group)
    if spec.swap.mode == "ranking":
        # In a ranking the same name meets a different profile and rivals in every rendering, so two
        # renderings with one name are not reruns: there is no same-name noise baseline for flip rates.
        for unit in result.units:
            unit.flip = None
    return result


def _ranking_audit_frame(scores: pd.DataFrame, names: pd.Series | None) -> pd.DataFrame:
    """One row per (rendering, group): was that group's candidate ranked first, and under which name."""
    top = scores[scores["metric"].astype(str).str.startswith("ranking.top1.")].copy()
    if top.empty or names is None:
        return top
    top["swap_group"] = top["metric"].str.removeprefix("ranking.top1.")
    # the name set of the rendering ("set2-rot1" → "set2"): its names are ranked against each other
    top["block"] = top["swap_name"].astype(str).str.split("-rot").str[0]
    top["swap_name"] = top["output_id"].astype(str) + "|" + top["metric"]
    top["swap_name"] = top["swap_name"].map(names)
    # Each output (a rendering: name set × rotation × repeat) is one replicate of the case.
    top["repeat"] = top["output_id"]
    top["metric"] = "ranking.top1"
    return top
