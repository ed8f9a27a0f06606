"""Top-level entry point: ``analyse(scores, baseline)`` → Analysis with one Verdict per comparison.

Pipeline per (model, metric): aggregate repeats to case means → omnibus test when ≥ 3 variants →
paired comparisons (variant − baseline, complete cases only) → multiplicity correction within each
family → verdicts with warnings, minimum detectable effect and a sentence.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .aggregate import CellTable, aggregate_scores
from .binary import mcnemar_exact, paired_proportion_ci
from .diagnostics import StatWarning
from .multiplicity import adjust_pvalues, correction_key
from .omnibus import OmnibusResult, omnibus_test
from .paired import PairedBatch, paired_batch, snap_zeros
from .power import AllocationPlan, VarianceSplit, minimum_detectable_effect, plan_allocation, variance_split
from .serialize import to_jsonable
from .verdict import Verdict

MIN_TEST_CASES = 6  # ≤ 5 paired cases: descriptive only (an exact sign-flip p can't get below 1/16)
FEW_CLUSTERS = 10


@dataclass
class Analysis:
    """All verdicts and omnibus results of one ``analyse`` call."""

    baseline: str
    alpha: float
    correction: str
    family: str
    comparisons: str
    seed: int
    verdicts: list[Verdict] = field(default_factory=list)
    omnibus: list[OmnibusResult] = field(default_factory=list)
    warnings: list[StatWarning] = field(default_factory=list)

    def get(self, variant: str, metric: str | None = None, model: str | None = None) -> Verdict:
        """The unique verdict for ``variant`` (narrow down with metric / model when ambiguous)."""
        hits = [
            v
            for v in self.verdicts
            if v.variant == variant and metric in (None, v.metric) and model in (None, v.model)
        ]
        if len(hits) != 1:
            raise KeyError(
                f"{len(hits)} verdicts match variant={variant!r}, metric={metric!r}, model={model!r}"
            )
        return hits[0]

    def significant(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.significant]

    def sentences(self) -> list[str]:
        return [o.sentence() for o in self.omnibus] + [v.sentence() for v in self.verdicts]

    def plan(
        self,
        variant: str,
        budget_calls: int,
        metric: str | None = None,
        model: str | None = None,
        **kwargs: Any,
    ) -> AllocationPlan | None:
        """ "More cases or more repeats?" for a follow-up of this comparison, from its variance split.

        Needs a pilot with ≥ 2 repeats per cell (otherwise None). ``kwargs`` go to ``plan_allocation``.
        """
        v = self.get(variant, metric, model)
        if v.sigma2_between is None or v.sigma2_within is None:
            return None
        split = VarianceSplit(v.sigma2_between, v.sigma2_within, v.n_cases, v.n_repeats)
        kwargs.setdefault("alpha", v.alpha)
        kwargs.setdefault("unit", v.unit)
        return plan_allocation(split, budget_calls, **kwargs)

    def to_frame(self) -> pd.DataFrame:
        """One row per verdict (flat columns; warnings as a comma-separated code list)."""
        rows = []
        for v in self.verdicts:
            row = v.to_dict()
            row["warnings"] = ",".join(v.warning_codes)
            rows.append(row)
        return pd.DataFrame(rows)

    def omnibus_frame(self) -> pd.DataFrame:
        rows = []
        for o in self.omnibus:
            row = o.to_dict()
            row["warnings"] = ",".join(w.code for w in o.warnings)
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (NaN → None); ``json.dumps(analysis.to_dict())`` works."""
        return {
            "baseline": self.baseline,
            "alpha": self.alpha,
            "correction": self.correction,
            "family": self.family,
            "comparisons": self.comparisons,
            "seed": self.seed,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "omnibus": [o.to_dict() for o in self.omnibus],
            "warnings": to_jsonable(self.warnings),
        }


def analyse(
    scores: pd.DataFrame,
    baseline: str,
    *,
    alpha: float = 0.05,
    correction: str = "holm",
    metric_directions: dict[str, bool | None] | None = None,
    seed: int = 0,
    comparisons: Literal["baseline", "all_pairs"] = "baseline",
    family: Literal["model_metric", "model"] = "model_metric",
    n_permutations: int = 10_000,
    n_bootstrap: int = 9_999,
    power: float = 0.8,
) -> Analysis:
    """Decide which prompt variants differ from ``baseline``, per model and metric, with honest uncertainty.

    ``scores`` is long format (case, variant, model, repeat, metric, value[, cluster][, kind]).
    ``correction`` (holm | bh | bonferroni | none) is applied within each family: every (model, metric)
    by default, or every model across all its metrics with ``family="model"``. ``comparisons="all_pairs"``
    compares every pair of variants (exploratory: prefer ``correction="bh"``). ``metric_directions`` maps
    metric → higher_is_better (True / False / None = no direction). Resampling is seeded by ``seed``.
    """
    corr = correction_key(correction)
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if comparisons not in ("baseline", "all_pairs"):
        raise ValueError("comparisons must be 'baseline' or 'all_pairs'")
    if family not in ("model_metric", "model"):
        raise ValueError("family must be 'model_metric' or 'model'")
    directions = metric_directions or {}
    result = Analysis(baseline, alpha, corr, family, comparisons, seed)
    for tab in aggregate_scores(scores):
        if baseline not in tab.variants:
            result.warnings.append(
                StatWarning(
                    "missing_baseline",
                    f"baseline {baseline!r} has no results for "
                    f"model={tab.model!r}, metric={tab.metric!r}; skipped",
                )
            )
            continue
        if len(tab.variants) >= 3:
            result.omnibus.append(_omnibus(tab, alpha))
        pairs = _pairs(tab, baseline, comparisons)
        result.verdicts.extend(
            _compare(
                tab,
                pairs,
                directions.get(tab.metric),
                alpha=alpha,
                corr=corr,
                seed=seed,
                n_permutations=n_permutations,
                n_bootstrap=n_bootstrap,
            )
        )
    _adjust(result.verdicts, corr, family)
    for v in result.verdicts:
        _finalise(v, power)
    return result


def _pairs(tab: CellTable, baseline: str, comparisons: str) -> list[tuple[int, int]]:
    """(variant column, reference column) pairs; baseline mode puts the baseline as reference."""
    b = tab.column(baseline)
    if comparisons == "baseline":
        return [(j, b) for j in range(len(tab.variants)) if j != b]
    order = [b] + [j for j in range(len(tab.variants)) if j != b]
    return [(j, i) for i, j in itertools.combinations(order, 2)]


def _omnibus(tab: CellTable, alpha: float) -> OmnibusResult:
    complete = np.all(np.isfinite(tab.means), axis=1)
    binary_single = tab.kind == "binary" and complete.any() and int(tab.counts[complete].max()) == 1
    return omnibus_test(
        tab.model,
        tab.metric,
        tab.means[complete],
        binary=bool(binary_single),
        alpha=alpha,
        n_dropped=int((~complete).sum()),
    )


def _rng(seed: int, tab: CellTable) -> np.random.Generator:
    # stable per-table stream: results don't depend on which other models/metrics were analysed
    return np.random.default_rng([seed, zlib.crc32(tab.model.encode()), zlib.crc32(tab.metric.encode())])


def _compare(
    tab: CellTable,
    pairs: list[tuple[int, int]],
    hib: bool | None,
    *,
    alpha: float,
    corr: str,
    seed: int,
    n_permutations: int,
    n_bootstrap: int,
) -> list[Verdict]:
    rng = _rng(seed, tab)
    finite = np.isfinite(tab.means)
    scale = float(np.nanmax(np.abs(tab.means))) if finite.any() else 1.0
    # comparisons with the same complete-case set share one batch (one sign-flip / bootstrap matrix)
    batches: dict[bytes, list[int]] = defaultdict(list)
    masks = []
    for k, (j, r) in enumerate(pairs):
        mask = finite[:, j] & finite[:, r]
        masks.append(mask)
        batches[mask.tobytes()].append(k)
    out: list[Verdict | None] = [None] * len(pairs)
    confidence = 1 - alpha
    for members in batches.values():
        mask = masks[members[0]]
        n = int(mask.sum())
        d = np.column_stack([tab.means[mask, pairs[k][0]] - tab.means[mask, pairs[k][1]] for k in members])
        d = snap_zeros(d, scale)
        clusters = tab.clusters[mask] if tab.clusters is not None else None
        batch = (
            paired_batch(
                d,
                rng=rng,
                confidence=confidence,
                clusters=clusters,
                n_permutations=n_permutations,
                n_bootstrap=n_bootstrap,
            )
            if n >= 1
            else None
        )
        for col, k in enumerate(members):
            j, r = pairs[k]
            out[k] = _verdict(
                tab,
                j,
                r,
                mask,
                d[:, col] if n else np.empty(0),
                batch,
                col,
                hib,
                alpha=alpha,
                corr=corr,
                confidence=confidence,
            )
    return [v for v in out if v is not None]


def _f(x: Any) -> float | None:
    """Finite float or None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _verdict(
    tab: CellTable,
    j: int,
    r: int,
    mask: np.ndarray,
    d: np.ndarray,
    batch: PairedBatch | None,
    col: int,
    hib: bool | None,
    *,
    alpha: float,
    corr: str,
    confidence: float,
) -> Verdict:
    n = int(mask.sum())
    notes: list[StatWarning] = []
    relevant = (tab.planned[:, j] > 0) | (tab.planned[:, r] > 0)
    n_dropped = int(relevant.sum() - n)
    cnt = tab.counts[mask][:, [j, r]]
    planned = tab.planned[mask][:, [j, r]]
    n_repeats = round(float(np.median(cnt))) if n else 0
    if n_dropped:
        notes.append(
            StatWarning(
                "missing_cases",
                f"{n_dropped} case(s) without a valid result for "
                f"{tab.variants[j]} or {tab.variants[r]} were dropped",
            )
        )
    failed = int((planned - cnt).sum())
    if failed:
        notes.append(
            StatWarning(
                "missing_outputs",
                f"{failed} of {int(planned.sum())} outputs of the analysed "
                "cases failed (NaN) and were left out of the case means",
            )
        )
    if n and cnt.min() != cnt.max():
        notes.append(
            StatWarning(
                "unbalanced_repeats",
                f"valid repeats per case range from {int(cnt.min())} to {int(cnt.max())}",
            )
        )
    descriptive = n < MIN_TEST_CASES
    if descriptive:
        notes.append(
            StatWarning(
                "small_n",
                f"only {n} paired case(s): descriptive only, no p-value verdict (need ≥ {MIN_TEST_CASES})",
            )
        )
    base: dict[str, Any] = dict(
        model=tab.model,
        metric=tab.metric,
        variant=tab.variants[j],
        baseline=tab.variants[r],
        kind=tab.kind,
        higher_is_better=hib,
        confidence=confidence,
        correction=corr,
        alpha=alpha,
        n_cases=n,
        n_repeats=n_repeats,
        n_dropped=n_dropped,
        variant_mean=float(np.mean(tab.means[mask, j])) if n else math.nan,
        baseline_mean=float(np.mean(tab.means[mask, r])) if n else math.nan,
    )
    if batch is None:
        return Verdict(
            **base,
            estimate=math.nan,
            ci_low=None,
            ci_high=None,
            ci_method="none",
            p_value=None,
            p_method="none",
            p_adjusted=None,
            significant=False,
            direction="equal",
            descriptive_only=True,
            n_better=0,
            n_worse=0,
            n_tied=0,
            warnings=notes,
        )

    est = float(batch.mean[col])
    sd = _f(batch.sd[col])
    n_pos, n_neg, n_zero = int(batch.n_pos[col]), int(batch.n_neg[col]), int(batch.n_zero[col])
    if sd == 0 and n >= 2:
        notes.append(
            StatWarning(
                "zero_variance", "every case has the same difference: t-interval and d_z are degenerate"
            )
        )
    if n and n_zero / n > 0.5:
        notes.append(
            StatWarning(
                "heavy_ties",
                f"{n_zero} of {n} cases ({n_zero / n:.0%}) are tied; rank-based results rest on few cases",
            )
        )
    if batch.n_clusters is not None and batch.n_clusters < FEW_CLUSTERS:
        notes.append(
            StatWarning(
                "few_clusters",
                f"only {batch.n_clusters} clusters: the cluster-robust SE is imprecise (t with G−1 df used)",
            )
        )

    ci_low, ci_high = _f(batch.ci_low[col]), _f(batch.ci_high[col])
    p, p_method, ci_method = _f(batch.p_perm[col]), batch.perm_method, batch.ci_method
    single_binary = tab.kind == "binary" and tab.clusters is None and n > 0 and int(cnt.max()) == 1
    if single_binary:
        v, b = tab.means[mask, j], tab.means[mask, r]
        n11, n00 = int(np.sum((v == 1) & (b == 1))), int(np.sum((v == 0) & (b == 0)))
        p = mcnemar_exact(n_pos, n_neg)
        p_method = "exact McNemar (binomial test on discordant pairs)"
        ci_low, ci_high = paired_proportion_ci(n11, n_pos, n_neg, n00, confidence)
        ci_method = "Newcombe square-and-add interval for paired proportions"

    if est > 0:
        direction = "higher" if hib is None else ("better" if hib else "worse")
    elif est < 0:
        direction = "lower" if hib is None else ("worse" if hib else "better")
    else:
        direction = "equal"
    n_better, n_worse = (n_neg, n_pos) if hib is False else (n_pos, n_neg)

    split = variance_split(d, tab.within_var[mask, j], tab.within_var[mask, r], cnt[:, 0], cnt[:, 1])
    return Verdict(
        **base,
        estimate=est,
        ci_low=ci_low,
        ci_high=ci_high,
        ci_method=ci_method,
        p_value=None if descriptive else p,
        p_method=p_method,
        p_adjusted=None,
        significant=False,
        direction=direction,
        descriptive_only=descriptive,
        n_better=n_better,
        n_worse=n_worse,
        n_tied=n_zero,
        sd_diff=sd,
        se=_f(batch.se[col]),
        t_statistic=_f(batch.t[col]),
        t_df=float(batch.df),
        t_p_value=_f(batch.p_t[col]),
        wilcoxon_v=_f(batch.wilcoxon_v[col]),
        wilcoxon_p=_f(batch.wilcoxon_p[col]),
        bootstrap_ci_low=_f(batch.boot_low[col]),
        bootstrap_ci_high=_f(batch.boot_high[col]),
        d_z=_f(batch.d_z[col]),
        rank_biserial=_f(batch.rank_biserial[col]),
        hodges_lehmann=_f(batch.hodges_lehmann[col]),
        n_clusters=batch.n_clusters,
        se_iid=_f(batch.se_iid[col]) if batch.se_iid is not None else None,
        design_effect=_f(batch.design_effect[col]) if batch.design_effect is not None else None,
        sigma2_between=split.sigma2_between if split else None,
        sigma2_within=split.sigma2_within if split else None,
        warnings=notes,
    )


def _adjust(verdicts: list[Verdict], corr: str, family: str) -> None:
    """Multiplicity correction within each family (each model is always its own family)."""
    groups: dict[tuple[str, ...], list[Verdict]] = defaultdict(list)
    for v in verdicts:
        if v.p_value is not None:
            groups[(v.model, v.metric) if family == "model_metric" else (v.model,)].append(v)
    for members in groups.values():
        adj = adjust_pvalues([float(v.p_value) for v in members if v.p_value is not None], corr)
        for v, a in zip(members, adj, strict=True):
            v.p_adjusted = float(a)


def _finalise(v: Verdict, power: float) -> None:
    """Significance, minimum detectable effect when not significant, robustness cross-checks."""
    v.significant = bool(v.p_adjusted is not None and not v.descriptive_only and v.p_adjusted < v.alpha)
    if v.significant:
        checks = []
        if v.wilcoxon_p is not None and v.wilcoxon_p >= v.alpha:
            checks.append(f"Wilcoxon p={v.wilcoxon_p:.2g}")
        lo, hi = v.bootstrap_ci_low, v.bootstrap_ci_high
        if lo is not None and hi is not None and lo <= 0 <= hi:
            checks.append("BCa bootstrap CI includes 0")
        if checks:
            v.warnings.append(
                StatWarning(
                    "robustness_disagreement",
                    "significant by the primary test, but " + " and ".join(checks) + "; treat as fragile",
                )
            )
    elif not v.descriptive_only and v.sd_diff:
        # clustering inflates the variance of the mean by the design effect
        sd = v.sd_diff * math.sqrt(v.design_effect) if v.design_effect else v.sd_diff
        v.mde = _f(minimum_detectable_effect(v.n_cases, sd, power, v.alpha))
        v.mde_power = power
