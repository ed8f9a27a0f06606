"""Top-level entry point: ``analyse(scores, baseline)`` → Analysis with one Verdict per comparison.

Pipeline per (model, metric): aggregate repeats to case means → omnibus test when ≥ 3 variants →
paired comparisons (variant − baseline, complete cases only); then, over the whole analysis:
multiplicity correction per family → margin (non-inferiority / equivalence) tests → verdicts with
warnings, minimum detectable effect, possible harm and a sentence.

Families (what a p-value is corrected over):

* **primary** metrics (declared; confirmatory): one family across every primary metric × comparison
  × model (``family="run"``, the default), corrected with ``correction`` (Holm by default), so the
  chance that a run with no real difference reports *any* primary difference is at most α;
* **secondary** metrics: exploratory, Benjamini–Hochberg (false discovery rate) over all of them;
* **supplementary**: metrics in neither list (e.g. character counts, when asked for), exploratory,
  Benjamini–Hochberg among themselves, so that analysing them never changes a primary or secondary p.

``family="model"`` makes each model its own family, ``family="model_metric"`` each (model, metric)
(the per-metric correction of earlier versions; not error-controlled at the level of a run).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .aggregate import CellTable, aggregate_scores
from .binary import mcnemar_exact, paired_proportion_ci
from .diagnostics import StatWarning
from .multiplicity import CORRECTION_NAMES, adjust_pvalues, correction_key
from .omnibus import OmnibusResult, omnibus_test
from .paired import PairedBatch, WilcoxonMethod, paired_batch, snap_zeros
from .power import AllocationPlan, VarianceSplit, mde_from_se, per_test_alpha, plan_allocation, variance_split
from .serialize import to_jsonable
from .verdict import Verdict

MIN_TEST_CASES = 6  # ≤ 5 paired cases: descriptive only (an exact sign-flip p can't get below 1/16)
FEW_CLUSTERS = 10
FAMILY_SCOPES = ("run", "model", "model_metric")
FamilyScope = Literal["run", "model", "model_metric"]
FAMILY_NAMES = ("primary", "secondary", "supplementary")


@dataclass(frozen=True)
class FamilyInfo:
    """One multiplicity family: which comparisons a p-value was corrected over."""

    name: str  # primary | secondary | supplementary | margin
    correction: str
    size: int  # number of tests (p-values) in the family
    scope: str  # run | model | model_metric
    model: str | None  # the model, when each model is its own family
    metric: str | None  # the metric, when each (model, metric) is its own family
    metrics: tuple[str, ...]  # metrics whose comparisons are in it

    def describe(self) -> str:
        """E.g. "primary: Holm over 6 tests (2 metrics × comparisons × models in the run)"."""
        label = {"primary": "primary (confirmatory)", "secondary": "secondary (exploratory)",
                 "supplementary": "supplementary (exploratory)",
                 "margin": "non-inferiority / equivalence"}.get(self.name, self.name)
        where = {"run": "in the run", "model": f"for model {self.model}",
                 "model_metric": f"for {self.model} / {self.metric}"}[self.scope]
        how = "unadjusted" if self.correction == "none" else CORRECTION_NAMES[self.correction]
        noun = "metric" if len(self.metrics) == 1 else "metrics"
        return (f"{label}: {how} over {self.size} test{'s' if self.size != 1 else ''} "
                f"({len(self.metrics)} {noun} × comparisons × models {where})")

    def to_dict(self) -> dict[str, Any]:
        return {**to_jsonable(dataclasses.asdict(self)), "description": self.describe()}


@dataclass
class Analysis:
    """All verdicts and omnibus results of one ``analyse`` call."""

    baseline: str
    alpha: float
    correction: str  # of the primary family
    family: str  # scope: run | model | model_metric
    comparisons: str
    seed: int
    exploratory_correction: str = "bh"  # of the secondary and supplementary families
    primary: list[str] | None = None  # None: every metric is primary
    secondary: list[str] | None = None  # None: every non-primary metric is secondary
    margins: dict[str, float] = field(default_factory=dict)
    power: float = 0.8
    verdicts: list[Verdict] = field(default_factory=list)
    omnibus: list[OmnibusResult] = field(default_factory=list)
    families: list[FamilyInfo] = field(default_factory=list)
    warnings: list[StatWarning] = field(default_factory=list)

    def primary_verdicts(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.family == "primary"]

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
        settings = ("baseline", "alpha", "correction", "family", "comparisons", "seed", "exploratory_correction",
                    "primary", "secondary", "margins")
        return {
            **{name: getattr(self, name) for name in settings},
            "families": [f.to_dict() for f in self.families],
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
    family: str = "run",
    primary: Sequence[str] | None = None,
    secondary: Sequence[str] | None = None,
    exploratory_correction: str = "bh",
    margins: dict[str, float] | None = None,
    wilcoxon: WilcoxonMethod = "auto",
    cluster_se: str = "CR1",
    n_permutations: int = 10_000,
    n_bootstrap: int = 9_999,
    power: float = 0.8,
) -> Analysis:
    """Decide which prompt variants differ from ``baseline``, per model and metric, with honest uncertainty.

    ``scores`` is long format (case, variant, model, repeat, metric, value[, cluster][, kind]).
    ``primary`` metrics form the confirmatory family, corrected with ``correction`` (holm | bh |
    bonferroni | none) across every primary metric × comparison × model (``family="run"``; "model" or
    "model_metric" for smaller families); ``None`` makes every metric primary. ``secondary`` metrics
    (``None``: all others) and any remaining "supplementary" ones are exploratory, corrected with
    ``exploratory_correction`` (Benjamini–Hochberg) within their own family. ``margins`` maps metric →
    non-inferiority / equivalence margin (raw units; binary metrics as proportions, 0.05 = 5 pp).
    ``comparisons="all_pairs"`` compares every pair of variants. ``metric_directions`` maps metric →
    higher_is_better (True / False / None = no direction). ``wilcoxon`` picks the Wilcoxon convention
    (see ``paired.wilcoxon_signed_rank``), ``cluster_se`` the small-sample factor of clustered SEs
    (CR1 or CR0). Resampling is seeded by ``seed``.
    """
    corr = correction_key(correction)
    expl = correction_key(exploratory_correction)
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if comparisons not in ("baseline", "all_pairs"):
        raise ValueError("comparisons must be 'baseline' or 'all_pairs'")
    if family not in FAMILY_SCOPES:
        raise ValueError(f"family must be one of {', '.join(FAMILY_SCOPES)}")
    if cluster_se not in ("CR1", "CR0"):
        raise ValueError("cluster_se must be 'CR1' or 'CR0'")
    margins = dict(margins or {})
    bad = [m for m, x in margins.items() if not (x > 0 and math.isfinite(x))]
    if bad:
        raise ValueError(f"margins must be positive numbers: {bad}")
    directions = metric_directions or {}
    result = Analysis(
        baseline, alpha, corr, family, comparisons, seed, expl,
        None if primary is None else list(primary), None if secondary is None else list(secondary), margins, power,
    )
    primary_set = None if primary is None else set(primary)
    secondary_set = None if secondary is None else set(secondary)
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
        fam = _family_of(tab.metric, primary_set, secondary_set)
        if len(tab.variants) >= 3:
            result.omnibus.append(
                dataclasses.replace(_omnibus(tab, alpha), family=fam, correction=corr if fam == "primary" else expl)
            )
        pairs = _pairs(tab, baseline, comparisons)
        verdicts = _compare(
            tab,
            pairs,
            directions.get(tab.metric),
            alpha=alpha,
            corr=corr if fam == "primary" else expl,
            seed=seed,
            n_permutations=n_permutations,
            n_bootstrap=n_bootstrap,
            wilcoxon=wilcoxon,
            cluster_se=cluster_se,
        )
        for v in verdicts:
            v.family = fam
            v.margin = margins.get(tab.metric)
        result.verdicts.extend(verdicts)
    if primary_set is not None:
        present = {v.metric for v in result.verdicts}
        missing = sorted(primary_set - present)
        if missing and result.verdicts:
            result.warnings.append(
                StatWarning("missing_primary", f"primary metric(s) {missing} have no comparisons in this analysis")
            )
    result.families = _adjust(result.verdicts, family)
    result.omnibus = _adjust_omnibus(result.omnibus, family, alpha)
    result.families += _margin_tests(result.verdicts, family, alpha)
    for v in result.verdicts:
        _finalise(v, power)
    return result


def _family_of(metric: str, primary: set[str] | None, secondary: set[str] | None) -> str:
    if primary is None or metric in primary:
        return "primary"
    if secondary is None or metric in secondary:
        return "secondary"
    return "supplementary"


def _scope(v: Verdict | OmnibusResult, family: str) -> tuple[str, ...]:
    if family == "run":
        return ()
    return (v.model,) if family == "model" else (v.model, v.metric)


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
    wilcoxon: WilcoxonMethod,
    cluster_se: str,
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
                wilcoxon=wilcoxon,
                cluster_se=cluster_se,
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
        wilcoxon_method=batch.wilcoxon_method[col],
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


def _adjust(verdicts: list[Verdict], family: str) -> list[FamilyInfo]:
    """Multiplicity correction within each family (name × scope); each verdict carries its correction."""
    groups: dict[tuple[str, ...], list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[(v.family, *_scope(v, family))].append(v)
    infos = []
    for key, members in groups.items():
        tested = [v for v in members if v.p_value is not None]
        corr = members[0].correction
        if tested:
            adj = adjust_pvalues([float(v.p_value) for v in tested if v.p_value is not None], corr)
            for v, a in zip(tested, adj, strict=True):
                v.p_adjusted = float(a)
        for v in members:
            v.family_size = len(tested)
        scope_model = key[1] if len(key) > 1 else None
        scope_metric = key[2] if len(key) > 2 else None
        metrics = tuple(sorted({v.metric for v in members}))
        infos.append(FamilyInfo(key[0], corr, len(tested), family, scope_model, scope_metric, metrics))
    order = {name: i for i, name in enumerate(FAMILY_NAMES)}
    infos.sort(key=lambda f: (order.get(f.name, 9), f.model or "", f.metric or ""))
    return infos


def _adjust_omnibus(results: list[OmnibusResult], family: str, alpha: float) -> list[OmnibusResult]:
    """Each "N variants differ on <metric>" claim corrected over the omnibus tests of its family and scope,
    as the pairwise verdicts are: without it, a run with several headline metrics would say "differ" for
    some metric in far more than α of runs without any real difference (tests/calibration)."""
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, o in enumerate(results):
        groups[(o.family, *_scope(o, family))].append(i)
    out = list(results)
    for members in groups.values():
        tested = [i for i in members if math.isfinite(results[i].p_value)]
        if not tested:
            continue
        adjusted = adjust_pvalues([results[i].p_value for i in tested], results[tested[0]].correction)
        for i, p in zip(tested, adjusted, strict=True):
            out[i] = dataclasses.replace(results[i], p_adjusted=float(p), family_size=len(tested),
                                         significant=bool(p < alpha))
    return out


def _margin_tests(verdicts: list[Verdict], family: str, alpha: float) -> list[FamilyInfo]:
    """Non-inferiority and equivalence (TOST) against each declared margin, Holm within their own family.

    With benefit b = estimate oriented so that positive is better, SE and df of the primary analysis
    (clustered if clusters were given): non-inferiority rejects "b ≤ −margin" with the one-sided t
    p = P(T ≥ (b + margin)/SE); equivalence (TOST) also rejects "b ≥ margin" and uses the larger of the two
    p-values. Undirected metrics get only the equivalence test. A claim needs the Holm-adjusted p < α.
    """
    groups: dict[tuple[str, ...], list[Verdict]] = defaultdict(list)
    for v in verdicts:
        if v.margin is None or v.descriptive_only or v.se is None or v.t_df is None:
            continue
        sign = -1.0 if v.higher_is_better is False else 1.0
        b = sign * v.estimate
        if v.se > 0:
            p_low = float(stats.t.sf((b + v.margin) / v.se, v.t_df))
            p_high = float(stats.t.cdf((b - v.margin) / v.se, v.t_df))
        else:  # every case has the same difference: the margin test is decided by the estimate itself
            p_low = 0.0 if b > -v.margin else 1.0
            p_high = 0.0 if b < v.margin else 1.0
        v.ni_p = p_low if v.higher_is_better is not None else None
        v.tost_p = max(p_low, p_high)
        groups[_scope(v, family)].append(v)
    infos = []
    for key, members in groups.items():
        tost = adjust_pvalues([float(v.tost_p) for v in members if v.tost_p is not None], "holm")
        for v, a in zip(members, tost, strict=True):
            v.tost_p_adjusted = float(a)
            v.equivalent = bool(a < alpha)
        directed = [v for v in members if v.ni_p is not None]
        if directed:
            ni = adjust_pvalues([float(v.ni_p) for v in directed if v.ni_p is not None], "holm")
            for v, a in zip(directed, ni, strict=True):
                v.ni_p_adjusted = float(a)
                v.non_inferior = bool(a < alpha)
        infos.append(FamilyInfo("margin", "holm", len(members), family, key[0] if key else None,
                                key[1] if len(key) > 1 else None, tuple(sorted({v.metric for v in members}))))
    return infos


def _finalise(v: Verdict, power: float) -> None:
    """Significance, minimum detectable effect, possible harm, robustness cross-checks."""
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
    if v.descriptive_only or not v.se or v.t_df is None:
        return
    # The smallest effect this comparison could detect, tested where it is tested: at the level one
    # real effect faces in its family (α/m for Holm/Bonferroni/BH), with the clustered SE and G − 1 df.
    v.mde_alpha = per_test_alpha(v.alpha, max(v.family_size or 1, 1), v.correction)
    v.mde_df = v.t_df
    if v.p_method.startswith("exact") and "sign-flip" in v.p_method:
        # an exact sign-flip p-value over G units can never be below 2 / 2^G
        units = v.n_clusters or v.n_cases
        min_p = 2.0 ** (1 - units)
        if min_p >= v.mde_alpha:
            what = "clusters" if v.n_clusters else "cases"
            need = math.floor(1 - math.log2(v.mde_alpha)) + 1
            v.warnings.append(StatWarning(
                "cannot_reach_alpha",
                f"with {units} {what} the smallest possible permutation p is {min_p:.2g}, not below the "
                f"{v.mde_alpha:.2g} this comparison needs in its family of {v.family_size}: it cannot come out "
                f"significant; use at least {need} {what}",
            ))
    v.mde = _f(mde_from_se(v.se, v.t_df, power, v.mde_alpha))
    v.mde_power = power
    if v.significant or v.higher_is_better is None:
        return
    threshold = v.margin if v.margin is not None else v.mde
    adverse = v.ci_low if v.higher_is_better else v.ci_high
    if threshold is None or adverse is None:
        return
    worse_by = -adverse if v.higher_is_better else adverse
    if worse_by > threshold and not (v.equivalent or v.non_inferior):
        v.harm_bound = worse_by
