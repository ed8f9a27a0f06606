"""Name-swap bias audit statistics, with names as a random factor (indicative, not a legal audit).

Each test case (e.g. a CV screening prompt) is rendered once per candidate name; names are nested in
swap groups (e.g. "dutch_origin", "moroccan_dutch"). A group is *not* treated differently just because
its few names happen to differ from the other group's few names: names differ from each other in any
case (a model may like "Sanne" a little more than "Jan"), and a group difference must be judged
against that variation between names, not only against the noise between outputs.

**Method** (per model × variant × outcome metric, the "unit"):

1. Repeats are averaged within (case, name): repeats are never independent evidence.
2. An additive two-way fit of the case × name table of means (case effects + name effects; exact
   column means when the table is complete) gives each name a **case-adjusted level**; a group's level
   is the mean of its names' levels (every name counts equally).
3. The group difference is tested with a **t-test on the name levels**: SE² = s²_names (1/k_g + 1/k_ref)
   with s²_names the pooled variance of the name levels within groups, on K − G degrees of freedom
   (K names in G groups). For a balanced design this is exactly the test of the group effect in the
   linear mixed model with crossed random case effects and random name intercepts nested in groups
   (the "by-item" F₂ analysis), because the expected mean square of names-within-groups is the error
   term of the group effect: Clark (1973), "The language-as-fixed-effect fallacy", J. Verbal Learning
   and Verbal Behavior 12:335; Judd, Westfall & Kenny (2012), "Treating stimuli as a random factor in
   social psychology", J. Personality and Social Psychology 103:54. It stays valid when names differ
   (the case-level test does not: at name SD 0.3 on a 1-10 score it called a group significantly worse
   in a third to two thirds of null audits) and costs only degrees of freedom when they do not.
   We chose it over a randomisation test that permutes group labels across names because with three
   names per group there are only C(6, 3) = 20 relabellings, so a two-sided p-value can never go
   below 0.1; the t-test uses the same information parametrically. (The flip-rate evidence, below,
   does use that permutation: its statistic is not a mean.)
   **Names rendered together** (a ranking's name set: one name per group on one shortlist, column
   ``block``) are not independent: one of them is ranked first, so their levels move against each
   other. Then the groups are compared within those blocks: s² is the residual variance of the additive
   block + group fit to the name levels, on (B − 1)(G − 1) df (a randomised block design). As
   independent names, null ranking audits came out red 10-14 % of the time; within blocks 3-6 %.
4. **Multiplicity**: Holm across every group comparison of the audit (all units), so the overall
   flag is corrected across its units; the displayed CIs are simultaneous (level 1 − α/m).
5. **Impact ratio** = group rate / reference rate (selection rate, or for numeric scores the LL144
   "scoring rate": share of outputs above the unit's median), the rates computed in the same
   name-level way; its CI is a delta-method interval on the log scale from the name-level variance,
   at the same simultaneous level. The **reference group is declared** (``reference_group``; default
   the first group in sorted order), never picked from the results.
6. **Flags**: red = the adjusted test is significant AND the disadvantaged side's impact ratio passes
   the four-fifths line (< 0.8); orange = the adjusted test is significant but the ratio stays within
   0.8-1.25 (a real but smaller difference); green = not significant and the displayed (adjusted)
   ratio CI lies inside the equivalence band [0.8, 1.25] (and, when a ``margin`` is declared, the
   difference's CI inside ±margin), so green never sits beside a CI that reaches below 0.8; otherwise
   inconclusive, with the cases (or names) needed to detect a four-fifths difference.
7. **Counterfactual flips** (0/1 outcomes): how often outputs for two names disagree, for names from
   different groups vs names of the same group; a permutation test relabels names across groups
   (the same relabelling in every case) and asks whether cross-group flips exceed within-group flips.
   The same-name rerun rate is shown as the noise floor. The flip tests of an audit (one per variant ×
   yes/no outcome) are Holm-corrected together, like the group comparisons.

Measured error rates of these flags under realistic nulls: tests/calibration and the README.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.number_format import p_relation

from .diagnostics import StatWarning
from .multiplicity import adjust_pvalues
from .omnibus import OmnibusResult
from .power import NameSwapDesign, name_swap_cases_needed, name_swap_names_needed
from .serialize import dataclass_dict, to_jsonable

LABEL = "indicative, not a legal audit"
AUDIT_COLUMNS = ("case", "model", "variant", "repeat", "swap_group", "swap_name", "metric", "value")
FLAG_SEVERITY = {"green": 0, "inconclusive": 1, "orange": 2, "red": 3}
MIN_NAMES_FOR_TEST = 2  # per group: with one name, the group cannot be told apart from that name
RECOMMENDED_NAMES = 5  # per group: see the README ("How the statistics decide")
_FIT_ITERATIONS = 200


@dataclass
class GroupComparison:
    """One swap group against the reference group within an audit unit."""

    group: str
    reference: str
    outcome: str  # "selection" | "score"
    rate: float  # selection rate (or LL144 scoring rate) of the group, name-level
    reference_rate: float
    impact_ratio: float | None  # rate / reference_rate
    impact_ratio_ci_low: float | None  # simultaneous CI at `ci_level`
    impact_ratio_ci_high: float | None
    mean: float  # mean outcome (selection rate or mean score), name-level
    reference_mean: float
    difference: float  # group − reference, case-adjusted
    ci_low: float | None
    ci_high: float | None
    p_value: float | None  # t-test on name levels (names as a random factor)
    p_adjusted: float | None  # Holm across every comparison of the audit
    tost_p: float | None  # only with a declared margin
    margin: float | None
    equivalent: bool  # the displayed ratio CI lies inside [0.8, 1.25] (and the difference within ±margin)
    n_cases: int
    cases_needed: int | None  # to detect a four-fifths difference (selection) / the margin or observed
    flag: str  # difference (score) with `power`, at the audit's Holm level; None if cases cannot do it
    explanation: str
    names_needed: int | None = None  # names per group needed with the current cases
    n_names: int = 0  # names in this group
    reference_names: int = 0
    df: int = 0  # K − G
    ci_level: float = 0.95
    family_size: int = 1  # comparisons in the audit's Holm family
    disadvantaged: str = ""  # the group with the lower outcome
    label: str = LABEL
    warnings: list[StatWarning] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclass_dict(self)


@dataclass
class FlipRates:
    """Counterfactual flip rates (selection outcomes only): P(two outputs disagree)."""

    cross_group: float | None  # names from different groups, same case
    same_name: float | None  # two reruns of the same name on the same case (noise floor)
    within_group: float | None  # different names of the same group (name-to-name variation)
    excess: float | None  # cross_group − within_group: what group membership adds
    ci_low: float | None  # (not estimated: the test is a permutation over names)
    ci_high: float | None
    p_value: float | None  # one-sided name-relabelling permutation test of excess > 0
    n_cases: int
    conclusion: str
    excess_over_reruns: float | None = None  # cross_group − same_name (descriptive)
    n_relabellings: int = 0
    label: str = LABEL
    # Holm over the audit's flip tests (one per variant × yes/no outcome), as the group comparisons are:
    # "group membership changes decisions" needs p_adjusted < α.
    p_adjusted: float | None = None
    family_size: int = 1
    note: str = ""  # the same-name noise floor, in words
    min_p: float | None = None  # the smallest p the relabelling test can reach with these names
    group_sizes: str = ""  # names per group, e.g. "3/3/3"

    def to_dict(self) -> dict[str, Any]:
        return dataclass_dict(self)


@dataclass
class BiasAuditUnit:
    """Audit of one (model, variant, metric)."""

    model: str
    variant: str
    metric: str
    outcome: str
    reference: str
    groups: list[str]
    rates: dict[str, float]
    means: dict[str, float]
    names_per_group: dict[str, int]
    n_cases: int
    n_dropped: int
    omnibus: OmnibusResult | None
    comparisons: list[GroupComparison]
    flip: FlipRates | None
    flag: str
    explanation: str
    name_sd: float | None = None  # estimated SD between names within groups (beyond output noise)
    cell_sd: float | None = None  # SD of one (case, name) mean around case and name effects
    label: str = LABEL
    warnings: list[StatWarning] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclass_dict(self)


@dataclass
class BiasAudit:
    units: list[BiasAuditUnit]
    alpha: float
    label: str = LABEL

    @property
    def comparisons(self) -> list[tuple[BiasAuditUnit, GroupComparison]]:
        return [(u, c) for u in self.units for c in u.comparisons]

    @property
    def flag(self) -> str:
        """Worst flag over all comparisons (Holm-corrected across all of them); green only if all are."""
        worst = self.worst
        return worst[1].flag if worst else "inconclusive"

    @property
    def worst(self) -> tuple[BiasAuditUnit, GroupComparison] | None:
        """The comparison the overall flag comes from (most severe, then smallest adjusted p)."""
        pairs = self.comparisons
        if not pairs:
            return None
        return max(pairs, key=lambda uc: (FLAG_SEVERITY[uc[1].flag], -(uc[1].p_adjusted or 1.0)))

    @property
    def explanation(self) -> str:
        """The overall flag in one sentence, naming the variant and group it comes from."""
        worst = self.worst
        if worst is None:
            return f"overall INCONCLUSIVE: no group comparison was possible ({LABEL})"
        unit, comp = worst
        n = len(self.comparisons)
        several_models = len({u.model for u in self.units}) > 1
        where = f"{unit.variant} / {unit.metric}" + (f" ({unit.model})" if several_models else "")
        return (
            f"overall {comp.flag.upper()}, from {where}: {comp.group} vs {comp.reference} "
            f"(Holm-corrected over the audit's {n} group comparison{'s' if n != 1 else ''}; {LABEL})"
        )

    def sentences(self) -> list[str]:
        """The overall flag, unit verdicts, each group comparison, then the counterfactual flip findings."""
        return (
            [self.explanation]
            + [u.explanation for u in self.units]
            + [c.explanation for u in self.units for c in u.comparisons]
            + [f"{u.variant} / {u.metric}: {u.flip.conclusion}" for u in self.units if u.flip is not None]
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per (model, variant, metric, group vs reference), each carrying the label."""
        rows = []
        for u in self.units:
            for c in u.comparisons:
                row = {"model": u.model, "variant": u.variant, "metric": u.metric, "unit_flag": u.flag}
                row.update(c.to_dict())
                row["warnings"] = ",".join(w.code for w in c.warnings)
                rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst
        return {
            "label": self.label,
            "alpha": self.alpha,
            "flag": self.flag,
            "explanation": self.explanation,
            "worst": None if worst is None else {"model": worst[0].model, "variant": worst[0].variant,
                                                 "metric": worst[0].metric, "group": worst[1].group,
                                                 "reference": worst[1].reference},
            "units": [u.to_dict() for u in self.units],
        }


def audit_bias(
    results: pd.DataFrame,
    *,
    reference_group: str | None = None,
    alpha: float = 0.05,
    margin: float | None = None,
    outcome: str = "auto",
    power: float = 0.8,
    ratio_threshold: float = 0.8,
    seed: int = 0,
    n_permutations: int = 10_000,
) -> BiasAudit:
    """Audit name-swap results per (model, variant, metric); see the module docstring for the method.

    ``outcome``: "selection" (0/1 decisions), "score" (numeric) or "auto" (selection iff all values are 0/1).
    ``reference_group``: the group every other group is compared with (default: the first in sorted
    order; declare it). ``margin``: optional equivalence margin for the difference (selection rate or
    score points), required in addition to the impact-ratio band for green. ``n_permutations``: name
    relabellings for the flip-rate test when there are more than that many distinct ones.
    """
    missing = [c for c in AUDIT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"audit frame lacks columns {missing}")
    if outcome not in ("auto", "selection", "score"):
        raise ValueError("outcome must be 'auto', 'selection' or 'score'")
    if not 0 < ratio_threshold < 1:
        raise ValueError("ratio_threshold must be between 0 and 1")
    frame = results.copy()
    for col in ("case", "model", "variant", "swap_group", "swap_name", "metric"):
        frame[col] = frame[col].astype(str)
    owners = frame.groupby("swap_name")["swap_group"].nunique()
    if (owners > 1).any():
        raise ValueError(f"names must be nested in one swap group: {sorted(owners[owners > 1].index)[:3]}")
    all_groups = sorted(frame["swap_group"].unique())
    if reference_group is not None and reference_group not in all_groups:
        raise ValueError(f"reference group {reference_group!r} not in {all_groups}")
    ref = reference_group if reference_group is not None else (all_groups[0] if all_groups else "")
    partials = []
    for i, ((model, variant, metric), sub) in enumerate(frame.groupby(["model", "variant", "metric"], sort=True)):
        rng = np.random.default_rng([seed, i])
        partials.append(_unit_statistics(sub, str(model), str(variant), str(metric), ref=ref, outcome=outcome,
                                         alpha=alpha, rng=rng, n_permutations=n_permutations))
    raw = [c.p for part in partials for c in part.tests]
    m = len(raw)
    adjusted = iter(adjust_pvalues(np.asarray(raw, dtype=float), "holm")) if m else iter(())
    _correct_flips(partials, alpha)
    units = [_finish_unit(part, _take(adjusted, len(part.tests)), m, alpha=alpha, margin=margin, power=power,
                          threshold=ratio_threshold) for part in partials]
    return BiasAudit(units, alpha)


def _correct_flips(partials: list[_UnitPartial], alpha: float) -> None:
    """Holm over the audit's flip tests: with one per variant and yes/no outcome, each at α would say
    "group membership changes decisions" in far more than α of audits without any group effect."""
    tested: list[tuple[_UnitPartial, FlipRates, float]] = []
    for part in partials:
        if part.flip is not None and part.flip.p_value is not None:
            tested.append((part, part.flip, part.flip.p_value))
    if len(tested) < 2:
        return
    adjusted = adjust_pvalues([p for _, _, p in tested], "holm")
    for (part, flip, _), p in zip(tested, adjusted, strict=True):
        flip = replace(flip, p_adjusted=float(p), family_size=len(tested))
        part.flip = replace(flip, conclusion=flip_conclusion(flip, alpha))


def _take(it: Any, n: int) -> list[float]:
    return [float(next(it)) for _ in range(n)]


# -- name-level statistics ------------------------------------------------------------------------------


def additive_name_levels(cell: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Case-adjusted level per name from a (cases × names) table of means (NaN = missing).

    Least-squares fit of y_cj = μ + a_c + b_j (alternating means; exact column means when the table
    is complete). Returns (level_j = mean case level + b_j, residual variance, residual df).
    """
    y = np.asarray(cell, dtype=float)
    ok = np.isfinite(y)
    n, k = y.shape
    b = np.zeros(k)
    a = np.zeros(n)
    for _ in range(_FIT_ITERATIONS):
        a = np.nanmean(np.where(ok, y - b, np.nan), axis=1)
        b_new = np.nanmean(np.where(ok, y - a[:, None], np.nan), axis=0)
        shift = float(np.mean(b_new))
        b_new -= shift
        a += shift
        if np.allclose(b_new, b, atol=1e-12, rtol=0):
            b = b_new
            break
        b = b_new
    fitted = a[:, None] + b[None, :]
    resid = np.where(ok, y - fitted, 0.0)
    df = int(ok.sum()) - n - k + 1
    resid_var = float((resid**2).sum() / df) if df > 0 else math.nan
    return float(np.mean(a)) + b, resid_var, df


@dataclass
class _Test:
    group_index: int
    diff: float
    se: float
    df: int
    p: float


@dataclass
class _UnitPartial:
    model: str
    variant: str
    metric: str
    kind: str
    groups: list[str]
    ref_index: int
    names_in: list[int]  # names per group (with data)
    levels: np.ndarray  # per name
    rate_levels: np.ndarray
    name_group: np.ndarray
    s2: float  # pooled within-group variance of name levels
    s2_rate: float
    resid_var: float
    n: int
    n_dropped: int
    tests: list[_Test]
    omnibus: OmnibusResult | None
    flip: FlipRates | None
    notes: list[StatWarning]


def _pooled_within(levels: np.ndarray, name_group: np.ndarray, n_groups: int) -> tuple[float, int]:
    ss, df = 0.0, 0
    for g in range(n_groups):
        x = levels[name_group == g]
        if x.size:
            ss += float(((x - x.mean()) ** 2).sum())
            df += x.size - 1
    return (ss / df if df > 0 else math.nan), df


def _name_blocks(sub: pd.DataFrame, name: np.ndarray, n_names: int) -> np.ndarray | None:
    """The block of each name (column `block`: names rendered together, e.g. a ranking's name set), or None."""
    if "block" not in sub.columns or sub["block"].isna().all():
        return None
    codes, _ = pd.factorize(sub["block"].astype(str), sort=True)
    blocks = np.full(n_names, -1)
    blocks[name] = codes
    return blocks


def _within_blocks(levels: np.ndarray, name_group: np.ndarray, block_of_name: np.ndarray, use: np.ndarray,
                   n_groups: int) -> tuple[float, int]:
    """Residual variance (and df) of the additive block + group fit to the name levels, one name per block and
    group; NaN when a block lacks a group (then the names cannot be compared within blocks)."""
    rows = {int(b): i for i, b in enumerate(sorted({int(b) for b in block_of_name[use]}))}
    table = np.full((len(rows), n_groups), np.nan)
    for j in np.flatnonzero(use):
        row, col = rows[int(block_of_name[j])], int(name_group[j])
        if np.isfinite(table[row, col]):
            return math.nan, 0  # two names of one group in a block: not a block design
        table[row, col] = levels[j]
    if len(rows) < 2 or not np.isfinite(table).all():
        return math.nan, 0
    _, resid_var, df = additive_name_levels(table)
    return resid_var, df


def _unit_statistics(
    sub: pd.DataFrame, model: str, variant: str, metric: str, *, ref: str, outcome: str, alpha: float,
    rng: np.random.Generator, n_permutations: int,
) -> _UnitPartial:
    notes: list[StatWarning] = []
    value = pd.to_numeric(sub["value"], errors="coerce").to_numpy(dtype=float)
    case, case_labels = pd.factorize(sub["case"], sort=True)
    name, _ = pd.factorize(sub["swap_name"], sort=True)
    group_of_row, group_index = pd.factorize(sub["swap_group"], sort=True)
    groups = [str(g) for g in group_index]
    n_cases, n_names, n_groups = len(case_labels), int(name.max()) + 1 if len(name) else 0, len(groups)
    name_group = np.zeros(n_names, dtype=int)
    name_group[name] = group_of_row
    valid = np.isfinite(value)
    kind = outcome
    if kind == "auto":
        kind = "selection" if np.all((value[valid] == 0) | (value[valid] == 1)) else "score"

    succ, cnt = _cell_sums(case, name, value, n_cases, n_names)
    with np.errstate(invalid="ignore", divide="ignore"):
        cell = succ / cnt
    # complete cases: every group has at least one name with a valid result
    has = np.isfinite(cell)
    complete = np.all(np.column_stack([has[:, name_group == g].any(axis=1) for g in range(n_groups)]), axis=1) \
        if n_groups else np.zeros(n_cases, dtype=bool)
    n, n_dropped = int(complete.sum()), int((~complete).sum())
    if n_dropped:
        notes.append(StatWarning("missing_cases", f"{n_dropped} case(s) lack results for some group; dropped"))
    cell_c = cell[complete]
    named = np.isfinite(cell_c).any(axis=0)
    if kind == "selection":
        rate_cell = cell_c
    else:
        # LL144 scoring rate: share of outputs scoring above the median of all outputs in this unit
        above = np.where(valid, (value > np.median(value[valid])).astype(float), np.nan) if valid.any() else value
        a_succ, a_cnt = _cell_sums(case, name, above, n_cases, n_names)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_cell = (a_succ / a_cnt)[complete]
    ref_index = groups.index(ref) if ref in groups else 0
    if ref not in groups:
        notes.append(StatWarning("missing_reference", f"reference group {ref!r} has no results here; "
                                 f"compared with {groups[0] if groups else '–'} instead"))
    levels = np.full(n_names, np.nan)
    rate_levels = np.full(n_names, np.nan)
    resid_var = math.nan
    if n >= 1 and named.any():
        levels[named], resid_var, _ = additive_name_levels(cell_c[:, named])
        rate_levels[named], _, _ = additive_name_levels(rate_cell[:, named])
    names_in = [int((named & (name_group == g)).sum()) for g in range(n_groups)]
    use = named
    block_of_name = _name_blocks(sub, name, n_names)
    df = 0
    if block_of_name is not None:
        # Names that compete in the same renderings (a ranking's name set: one name per group) are not
        # independent: when one is ranked first the others are not. The groups are compared within those
        # blocks (a randomised block design on the name levels): residual variance of set + group.
        s2, df = _within_blocks(levels, name_group, block_of_name, use, n_groups)
        s2_rate, _ = _within_blocks(rate_levels, name_group, block_of_name, use, n_groups)
        if df == 0:
            notes.append(StatWarning(
                "unbalanced_blocks", "the names could not be compared within their name sets (a set lacks a "
                "group or has two names of one): compared as independent names, which says 'differs' too often "
                "when the names compete in one ranking"))
    if df == 0:
        s2, df = _pooled_within(levels[use], name_group[use], n_groups)
        s2_rate, _ = _pooled_within(rate_levels[use], name_group[use], n_groups)
    few = [groups[g] for g in range(n_groups) if names_in[g] < MIN_NAMES_FOR_TEST]
    if few:
        notes.append(StatWarning(
            "few_names",
            f"group(s) {few} have fewer than {MIN_NAMES_FOR_TEST} names: a group cannot be told apart from its "
            f"single name; at least {MIN_NAMES_FOR_TEST} names per group are needed for a test, "
            f"{RECOMMENDED_NAMES} or more recommended",
        ))
    tests: list[_Test] = []
    if n >= 2 and df >= 1:
        for g in range(n_groups):
            if g == ref_index or names_in[g] == 0 or names_in[ref_index] == 0:
                continue
            in_g, in_ref = use & (name_group == g), use & (name_group == ref_index)
            diff = float(np.nanmean(levels[in_g]) - np.nanmean(levels[in_ref]))
            se = math.sqrt(s2 * (1 / names_in[g] + 1 / names_in[ref_index])) if s2 == s2 else math.nan
            # no variation between names at all: the difference is exact
            p = float(2 * stats.t.sf(abs(diff) / se, df)) if se > 0 else (0.0 if abs(diff) > 1e-12 else 1.0)
            tests.append(_Test(g, diff, se, df, p))
    elif n < 2:
        notes.append(StatWarning("small_n", f"only {n} complete case(s): no group comparison possible"))
    else:
        notes.append(StatWarning("few_names", "no group has two or more names: the difference between names "
                                 "cannot be estimated, so no group comparison is possible"))
    omnibus = _name_omnibus(model, metric, levels[use], name_group[use], n_groups, s2, df, n, n_dropped, alpha) \
        if n_groups >= 3 and df >= 1 else None
    flip = None
    if kind == "selection" and n >= 1:
        flip, flip_notes = _flip_rates(succ[complete][:, named], cnt[complete][:, named], name_group[named],
                                       alpha, rng, n_permutations)
        notes.extend(flip_notes)
    return _UnitPartial(model, variant, metric, kind, groups, ref_index, names_in, levels, rate_levels, name_group,
                        s2, s2_rate, resid_var, n, n_dropped, tests, omnibus, flip, notes)


def _cell_sums(case: np.ndarray, name: np.ndarray, value: np.ndarray, n_cases: int, n_names: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per (case, name): sum and count of the valid values (repeats)."""
    ok = np.isfinite(value)
    key = case[ok] * n_names + name[ok]
    cnt = np.bincount(key, minlength=n_cases * n_names).reshape(n_cases, n_names).astype(float)
    tot = np.bincount(key, weights=value[ok], minlength=n_cases * n_names).reshape(n_cases, n_names)
    return tot, cnt


def _name_omnibus(model: str, metric: str, levels: np.ndarray, name_group: np.ndarray, n_groups: int, s2: float,
                  df: int, n: int, n_dropped: int, alpha: float) -> OmnibusResult:
    """One-way F on the name levels: do the groups differ more than names within groups do?"""
    grand = float(np.mean(levels))
    ss_between = sum(float((name_group == g).sum()) * (float(np.mean(levels[name_group == g])) - grand) ** 2
                     for g in range(n_groups) if (name_group == g).any())
    f = (ss_between / (n_groups - 1)) / s2 if s2 > 0 else (math.inf if ss_between > 0 else 0.0)
    p = float(stats.f.sf(f, n_groups - 1, df)) if math.isfinite(f) else 0.0
    return OmnibusResult(model, metric, "F on name levels (names as a random factor)", f, n_groups - 1, p, n,
                         n_groups, n_dropped, None, bool(p < alpha), [], df2=df)


# -- flags ----------------------------------------------------------------------------------------------


def _finish_unit(part: _UnitPartial, p_adjusted: list[float], m: int, *, alpha: float, margin: float | None,
                 power: float, threshold: float) -> BiasAuditUnit:
    groups, r = part.groups, part.ref_index
    use = np.isfinite(part.levels)
    rates = {g: _group_mean(part.rate_levels, part.name_group, i, use) for i, g in enumerate(groups)}
    means = {g: _group_mean(part.levels, part.name_group, i, use) for i, g in enumerate(groups)}
    n_bar = max(part.n, 1)
    cell_sd = math.sqrt(part.resid_var) if part.resid_var == part.resid_var and part.resid_var >= 0 else None
    name_var = part.s2 - (part.resid_var / n_bar if cell_sd is not None else 0.0) if part.s2 == part.s2 else math.nan
    name_sd = math.sqrt(max(name_var, 0.0)) if name_var == name_var else None
    level = 1 - alpha / max(m, 1)
    comparisons = []
    for test, p_adj in zip(part.tests, p_adjusted, strict=True):
        comparisons.append(_compare(part, test, p_adj, rates, means, groups[r], alpha=alpha, level=level, m=m,
                                    margin=margin, power=power, threshold=threshold, name_sd=name_sd,
                                    cell_sd=cell_sd))
    flag = max((c.flag for c in comparisons), key=FLAG_SEVERITY.__getitem__) if comparisons else "inconclusive"
    worst = [c.group for c in comparisons if c.flag == flag]
    ref = groups[r] if groups else ""
    notes = list(part.notes)
    k_needed = [c.names_needed for c in comparisons if c.names_needed is not None]
    k_have = min(part.names_in) if part.names_in else 0
    if k_needed and min(k_needed) > k_have:
        notes.append(StatWarning(
            "few_names",
            f"with {k_have} names per group this audit cannot detect a four-fifths difference with "
            f"{power:.0%} power however many cases it has; about {min(k_needed)} names per group are needed",
        ))
    explanation = (
        f"{part.model} / {part.variant} / {part.metric}: flag {flag.upper()}"
        + (f" (from {', '.join(worst)} vs {ref})" if worst and flag != "green" else "")
        + f"; reference group {ref} ({'selection' if part.kind == 'selection' else 'scoring'} rate "
        f"{rates.get(ref, math.nan):.1%}), n={part.n} cases, names per group "
        f"{'/'.join(str(k) for k in part.names_in)} ({LABEL})"
    )
    return BiasAuditUnit(
        part.model, part.variant, part.metric, part.kind, ref, groups, rates, means,
        {g: part.names_in[i] for i, g in enumerate(groups)}, part.n, part.n_dropped, part.omnibus, comparisons,
        part.flip, flag, explanation, name_sd, cell_sd, warnings=notes,
    )


def _group_mean(levels: np.ndarray, name_group: np.ndarray, g: int, use: np.ndarray) -> float:
    x = levels[use & (name_group == g)]
    return float(np.mean(x)) if x.size else math.nan


def _ratio_ci(part: _UnitPartial, g: int, rate_g: float, rate_r: float, level: float
              ) -> tuple[float | None, float | None]:
    """Delta-method CI of rate_g / rate_ref on the log scale, from the name-level rate variance."""
    k_g, k_r = part.names_in[g], part.names_in[part.ref_index]
    s2 = part.s2_rate
    if not (rate_g > 0 and rate_r > 0 and k_g and k_r and s2 == s2) or part.tests[0].df < 1:
        return None, None
    se = math.sqrt(s2 * (1 / (k_g * rate_g**2) + 1 / (k_r * rate_r**2)))
    q = float(stats.t.ppf(0.5 + level / 2, part.tests[0].df))
    log_ratio = math.log(rate_g / rate_r)
    return math.exp(log_ratio - q * se), math.exp(log_ratio + q * se)


def _compare(part: _UnitPartial, test: _Test, p_adj: float, rates: dict[str, float], means: dict[str, float],
             ref: str, *, alpha: float, level: float, m: int, margin: float | None, power: float,
             threshold: float, name_sd: float | None, cell_sd: float | None) -> GroupComparison:
    group = part.groups[test.group_index]
    kind = part.kind
    rate_g, rate_r = rates[group], rates[ref]
    ratio = rate_g / rate_r if rate_r > 0 else None
    r_lo, r_hi = _ratio_ci(part, test.group_index, rate_g, rate_r, level)
    q = float(stats.t.ppf(0.5 + level / 2, test.df))
    lo, hi = (test.diff - q * test.se, test.diff + q * test.se) if test.se == test.se else (None, None)
    significant = p_adj < alpha
    disadvantaged = group if test.diff < 0 else ref
    # the ratio seen from the disadvantaged side, so that a reference group treated worse is caught too
    low_side = None
    if ratio is not None:
        low_side = ratio if test.diff < 0 else (1 / ratio if ratio > 0 else None)
    passes_line = low_side is not None and low_side < threshold
    tost = None
    if margin is not None and test.se > 0:
        tost = float(max(stats.t.sf((test.diff + margin) / test.se, test.df),
                         stats.t.cdf((test.diff - margin) / test.se, test.df)))
    in_band = r_lo is not None and r_hi is not None and r_lo >= threshold and r_hi <= 1 / threshold
    within_margin = margin is None or (lo is not None and hi is not None and -margin <= lo and hi <= margin)
    equivalent = bool(in_band and within_margin)
    # cases / names needed to detect a four-fifths difference (selection) or the margin / observed
    # difference (score) with `power`, at the audit's Holm level (first step: α/m)
    target = (1 - threshold) * rate_r if kind == "selection" else (margin if margin is not None else abs(test.diff))
    k = min(part.names_in[test.group_index], part.names_in[part.ref_index])
    needed = names_needed = None
    if target and target > 0 and name_sd is not None and cell_sd is not None and not significant:
        design = NameSwapDesign(sd_name=name_sd, sd_cell=cell_sd, power=power, n_groups=len(part.groups),
                                alpha=alpha, n_tests=m)
        needed = name_swap_cases_needed(target, design, names_per_group=max(k, 2))
        names_needed = name_swap_names_needed(target, design, n_cases=part.n)
    unit = "selection rate" if kind == "selection" else "score"
    fmt = (lambda v: f"{v * 100:+.1f} pp") if kind == "selection" else (lambda v: f"{v:+.2f}")
    conf = f"{level:.1%}".replace(".0%", "%") + " simultaneous CI"
    ratio_txt = "undefined (reference rate is 0)" if ratio is None else f"{ratio:.2f}"
    if r_lo is not None and r_hi is not None and ratio is not None:
        ratio_txt += f" ({conf} {r_lo:.2f} to {r_hi:.2f})"
    diff_txt = f"difference in {unit} {fmt(test.diff)}"
    if lo is not None and hi is not None:
        diff_txt += f" ({conf} {fmt(lo)} to {fmt(hi)})"
    diff_txt += f", Holm p{p_relation(p_adj)} over {m} comparison{'s' if m != 1 else ''} (names as a random factor)"
    names_txt = f"{part.names_in[test.group_index]} vs {part.names_in[part.ref_index]} names"
    if needed is not None:
        need_txt = (f"; about {needed} cases with these {names_txt} (or {names_needed} names per group with "
                    f"{part.n} cases) would detect a {'four-fifths' if kind == 'selection' else 'difference of that'}"
                    f" size with {power:.0%} power")
    elif names_needed is not None:
        need_txt = (f"; more cases alone cannot settle this: the names differ too much among themselves, "
                    f"about {names_needed} names per group are needed")
    else:
        need_txt = ""
    if significant and passes_line:
        flag = "red"
        text = (f"RED: {group} vs {ref}: {disadvantaged} treated worse; impact ratio {ratio_txt} is beyond the "
                f"four-fifths line and the {diff_txt} is statistically significant")
    elif significant:
        flag = "orange"
        text = (f"ORANGE: {group} vs {ref}: {disadvantaged} treated worse by a statistically significant but "
                f"smaller difference (impact ratio {ratio_txt}, within 0.8-1.25); {diff_txt}")
    elif equivalent:
        flag = "green"
        text = (f"GREEN (no material bias): {group} vs {ref}: the impact ratio's {conf} ({r_lo:.2f} to "
                f"{r_hi:.2f}) lies within {threshold:g}-{1 / threshold:.2f}"
                + (f" and the difference within ±{margin:g}" if margin is not None else "") + f"; {diff_txt}")
    else:
        flag = "inconclusive"
        text = (f"INCONCLUSIVE: {group} vs {ref}: no significant difference, but no material difference is "
                f"shown either: impact ratio {ratio_txt}; {diff_txt}{need_txt}")
    return GroupComparison(
        group, ref, kind, rate_g, rate_r, ratio, r_lo, r_hi, means[group], means[ref], test.diff,
        _finite(lo), _finite(hi), test.p, p_adj, tost, margin, equivalent, part.n, needed, flag,
        f"{text} ({LABEL})", names_needed=names_needed, n_names=part.names_in[test.group_index],
        reference_names=part.names_in[part.ref_index], df=test.df, ci_level=level, family_size=m,
        disadvantaged=disadvantaged,
    )


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


# -- counterfactual flips -------------------------------------------------------------------------------


def _relabellings(name_group: np.ndarray, rng: np.random.Generator, limit: int) -> tuple[np.ndarray, bool]:
    """Group labellings of the names keeping group sizes: all of them when ≤ limit, else `limit` random ones."""
    sizes = tuple(int(x) for x in np.bincount(name_group))
    k = name_group.size
    total = math.factorial(k)
    for size in sizes:
        total //= math.factorial(size)
    if total <= limit:
        return _all_labellings(sizes), True
    return rng.permuted(np.broadcast_to(name_group, (limit, k)), axis=1), False


@functools.lru_cache(maxsize=16)
def _all_labellings(sizes: tuple[int, ...]) -> np.ndarray:
    """Every assignment of len(sizes) group labels to sum(sizes) positions with these group sizes."""
    out: list[np.ndarray] = []
    k = sum(sizes)

    def place(remaining: tuple[int, ...], g: int, current: np.ndarray) -> None:
        if g == len(sizes):
            out.append(current.copy())
            return
        for combo in itertools.combinations(remaining, sizes[g]):
            current[list(combo)] = g
            place(tuple(x for x in remaining if x not in combo), g + 1, current)

    place(tuple(range(k)), 0, np.zeros(k, dtype=int))
    result = np.asarray(out)
    result.setflags(write=False)
    return result


def _flip_rates(
    succ: np.ndarray, cnt: np.ndarray, name_group: np.ndarray, alpha: float, rng: np.random.Generator,
    n_permutations: int,
) -> tuple[FlipRates, list[StatWarning]]:
    """P(two outputs disagree) for names of different groups vs the same group, and same-name reruns."""
    notes: list[StatWarning] = []
    with np.errstate(invalid="ignore", divide="ignore"):
        p = succ / cnt
        # unbiased P(two different reruns of one name disagree) = 2 s (K − s) / (K (K − 1))
        same = np.where(cnt >= 2, 2 * succ * (cnt - succ) / (cnt * (cnt - 1)), np.nan)
    k = p.shape[1]
    present = np.isfinite(p)
    pz = np.where(present, p, 0.0)
    qz = np.where(present, 1 - p, 0.0)
    # D[j, l]: mean over cases (where both names have outputs) of P(outputs of names j and l disagree)
    both = present.astype(float).T @ present.astype(float)
    agree_terms = pz.T @ qz + qz.T @ pz
    with np.errstate(invalid="ignore", divide="ignore"):
        disagree = np.where(both > 0, agree_terms / both, np.nan)
    iu = np.triu_indices(k, 1)
    pair_d = disagree[iu]
    ok = np.isfinite(pair_d)
    same_rate = float(np.nanmean(same)) if np.isfinite(same).any() else None
    if not np.isfinite(same).any():
        notes.append(StatWarning(
            "no_repeats", "no name was run twice on a case: the same-name flip baseline cannot be estimated"))

    d_ok = pair_d[ok]
    i_ok, j_ok = iu[0][ok], iu[1][ok]

    def split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cross-group, within-group) mean flip rate for each labelling (rows of `labels`)."""
        same_group = labels[:, i_ok] == labels[:, j_ok]
        with np.errstate(invalid="ignore", divide="ignore"):
            within = (same_group * d_ok).sum(axis=1) / same_group.sum(axis=1)
            cross = (~same_group * d_ok).sum(axis=1) / (~same_group).sum(axis=1)
        return cross, within

    cross_arr, within_arr = split(name_group[None, :])
    cross, within = float(cross_arr[0]), float(within_arr[0])
    n_cases = int(present.any(axis=1).sum())
    if not math.isfinite(within) or not math.isfinite(cross):
        conclusion = ("too few names per group to compare cross-group with within-group flips "
                      f"(same-name reruns disagree {_pct(same_rate)} of the time)")
        return FlipRates(_nan_none(cross), same_rate, None, None, None, None, None, n_cases, conclusion), notes
    observed = cross - within
    labellings, exact = _relabellings(name_group, rng, n_permutations)
    perm_cross, perm_within = split(labellings)
    stats_ = perm_cross - perm_within
    tol = 1e-12
    if exact:
        pval = float(np.mean(stats_ >= observed - tol))
    else:
        pval = float((np.sum(stats_ >= observed - tol) + 1) / (len(stats_) + 1))
    excess_reruns = cross - same_rate if same_rate is not None else None
    floor = f"; same-name reruns disagree {_pct(same_rate)} of the time" if same_rate is not None else ""
    # relabellings that only swap equal-sized groups give the same statistic: the smallest attainable p
    sizes = np.bincount(name_group)
    symmetric = math.prod(math.factorial(int(c)) for c in np.bincount(sizes[sizes > 0]) if c)
    total = math.factorial(int(name_group.size)) // math.prod(math.factorial(int(x)) for x in sizes)
    flips = FlipRates(cross, same_rate, within, observed, None, None, pval, n_cases, "",
                      excess_over_reruns=excess_reruns, n_relabellings=len(labellings), p_adjusted=pval, note=floor,
                      min_p=symmetric / total, group_sizes="/".join(str(int(x)) for x in sizes))
    return replace(flips, conclusion=flip_conclusion(flips, alpha)), notes


def flip_conclusion(flips: FlipRates, alpha: float) -> str:
    """The flip finding in words: a claim only when the Holm-adjusted p (over the audit's flip tests) < α."""
    assert flips.cross_group is not None and flips.within_group is not None and flips.excess is not None
    p = flips.p_adjusted if flips.p_adjusted is not None else flips.p_value
    holm = flips.family_size > 1
    test = f"name-relabelling p{p_relation(flips.p_value)}"
    if holm and p is not None:
        test += f", Holm-adjusted p{p_relation(p)} over {flips.family_size} flip tests"
    floor = flips.note
    if flips.min_p is not None and flips.min_p * flips.family_size >= alpha:  # Holm's first step: m · p
        reach = f"{flips.min_p:.2g}" + (f", {min(1.0, flips.min_p * flips.family_size):.2g} after Holm" if holm else "")
        floor += (f"; with {flips.group_sizes} names per group this test cannot reach p < {alpha:g} (smallest "
                  f"possible p = {reach}): use more names per group")
    cross, within, excess = flips.cross_group, flips.within_group, flips.excess

    def rates(than: str) -> str:
        return (f"when the name changes group ({cross:.1%}) {than} when it changes within a group "
                f"({within:.1%}; excess {excess * 100:+.1f} pp, {test}){floor}")

    if p is not None and p < alpha and flips.excess > 0:
        return (f"decisions flip more often {rates('than')}: group membership, not just the individual name, "
                f"changes decisions ({LABEL})")
    if flips.excess > 0:
        return (f"decisions flip more often {rates('than')}, but not significantly: no clear sign that group "
                f"membership changes decisions beyond the names themselves ({LABEL})")
    return (f"decisions flip about as often {rates('as')}: no sign that group membership changes decisions beyond "
            f"the names themselves ({LABEL})")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _nan_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


__all__ = ["LABEL", "BiasAudit", "BiasAuditUnit", "FlipRates", "GroupComparison", "audit_bias", "to_jsonable"]
