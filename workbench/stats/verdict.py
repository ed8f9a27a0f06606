"""The Verdict: every number behind one "variant vs baseline" decision, plus a plain sentence."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from workbench.number_format import NA, decimals_for, number, p_relation

from .diagnostics import StatWarning
from .multiplicity import CORRECTION_NAMES, family_text
from .serialize import dataclass_dict

_VERBS = {
    "better": "beats",
    "worse": "is worse than",
    "higher": "scores higher than",
    "lower": "scores lower than",
    "equal": "scores the same as",
}


@dataclass
class Verdict:
    """Comparison of ``variant`` with ``baseline`` on one (model, metric), analysed per test case.

    ``estimate`` is the mean over cases of (variant − baseline) case means; for binary metrics these
    are proportions (0.12 = 12 percentage points). CI and ``p_value`` are the primary inference
    (t-interval + permutation, or Newcombe CI + exact McNemar); ``p_adjusted`` is corrected within the
    comparison's ``family`` ("primary": confirmatory, Holm by default; "secondary" and "supplementary":
    exploratory, Benjamini–Hochberg) of ``family_size`` tests; ``significant`` = p_adjusted < alpha and
    not ``descriptive_only``. ``outcome`` is what the verdict says in one word (see there).
    """

    model: str
    metric: str
    variant: str
    baseline: str
    kind: str  # "numeric" | "binary"
    higher_is_better: bool | None
    estimate: float
    ci_low: float | None
    ci_high: float | None
    confidence: float
    ci_method: str
    p_value: float | None
    p_method: str
    p_adjusted: float | None
    correction: str  # holm | bh | bonferroni | none
    alpha: float
    significant: bool
    direction: str  # better | worse (declared direction), higher | lower (undeclared), equal
    descriptive_only: bool
    n_cases: int
    n_repeats: int  # median number of valid repeats per case and variant
    n_dropped: int  # cases left out because the variant or the baseline had no valid result
    n_better: int  # cases where the variant is better (or higher, if no direction is declared)
    n_worse: int
    n_tied: int
    variant_mean: float
    baseline_mean: float
    sd_diff: float | None = None
    se: float | None = None
    t_statistic: float | None = None
    t_df: float | None = None
    t_p_value: float | None = None
    wilcoxon_v: float | None = None
    wilcoxon_p: float | None = None
    bootstrap_ci_low: float | None = None
    bootstrap_ci_high: float | None = None
    d_z: float | None = None
    rank_biserial: float | None = None
    hodges_lehmann: float | None = None
    mde: float | None = (
        None  # minimum detectable effect (raw units) at ``mde_power``; only if not significant
    )
    mde_power: float = 0.8
    n_clusters: int | None = None
    se_iid: float | None = None
    design_effect: float | None = None
    sigma2_between: float | None = None  # pilot variance split (needs ≥ 2 repeats) for planning
    sigma2_within: float | None = None
    family: str = "primary"  # primary (confirmatory) | secondary | supplementary (both exploratory)
    family_size: int | None = None  # tests in the family p_adjusted was corrected over
    mde_alpha: float | None = None  # per-test level the MDE assumes (α/m for a family of m, see power)
    mde_df: float | None = None  # degrees of freedom the MDE assumes (n − 1, or G − 1 with clusters)
    wilcoxon_method: str | None = None  # "exact" | "normal approximation with continuity correction"
    harm_bound: float | None = None  # not significant, but the CI reaches this much worse (> MDE / margin)
    margin: float | None = None  # declared non-inferiority / equivalence margin (raw units)
    ni_p: float | None = None  # one-sided test of "worse by at least the margin"
    ni_p_adjusted: float | None = None  # Holm over every margin test of the run
    tost_p: float | None = None  # two one-sided tests of "differs by at least the margin"
    tost_p_adjusted: float | None = None
    non_inferior: bool = False
    equivalent: bool = False
    warnings: list[StatWarning] = field(default_factory=list)
    # Name-swap runs: names per case, so that n_repeats (outputs per case) reads "9 names × 2 repeats".
    n_names: int = 0

    @property
    def outcome(self) -> str:
        """better | worse | higher | lower (significant) | equivalent | non_inferior (margin tests) |
        possible_harm (not significant, but the CI reaches an adverse effect larger than the MDE or
        margin) | not_significant | descriptive."""
        if self.descriptive_only:
            return "descriptive"
        if self.significant:
            return self.direction
        if self.equivalent:
            return "equivalent"
        if self.non_inferior:
            return "non_inferior"
        if self.harm_bound is not None:
            return "possible_harm"
        return "not_significant"

    @property
    def family_text(self) -> str:
        """E.g. "primary family, Holm over 6 tests" / "secondary (exploratory), Benjamini–Hochberg over 40 tests"."""
        return family_text(self.family, self.correction, self.family_size)

    @property
    def unit(self) -> str:
        return "percentage points" if self.kind == "binary" else "points"

    @property
    def _scale(self) -> float:
        return 100.0 if self.kind == "binary" else 1.0

    @property
    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]

    def _counts_text(self) -> str:
        good, bad = ("better", "worse") if self.higher_is_better is not None else ("higher", "lower")
        return f"{self.n_better} {good} / {self.n_worse} {bad} / {self.n_tied} tied"

    def _n_text(self) -> str:
        if self.n_names > 1 and self.n_repeats % self.n_names == 0:
            repeats = self.n_repeats // self.n_names
            return f"n={self.n_cases} cases × {self.n_names} names × {repeats} repeat{'s' if repeats != 1 else ''}"
        rep = "repeat" if self.n_repeats == 1 else "repeats"
        return f"n={self.n_cases} cases × {self.n_repeats} {rep}"

    def _metric_text(self) -> str:
        if self.higher_is_better is False:
            return f"{self.metric} (lower is better)"
        return self.metric

    def sentence(self) -> str:
        """One plain-language sentence; never claims "no difference", only "no significant difference"."""
        s = self._scale
        dec = decimals_for(_mul(self.ci_low, s), _mul(self.ci_high, s), self.estimate * s)
        est = number(self.estimate * s, dec, signed=True, missing=NA)
        conf = f"{self.confidence:.0%}"
        lo, hi = number(_mul(self.ci_low, s), dec, missing=NA), number(_mul(self.ci_high, s), dec, missing=NA)
        kind = "CS" if self.ci_method.startswith("anytime-valid") else "CI"  # sequential runs: confidence sequence
        ci = f"{conf} {kind} {lo} to {hi}"
        counts, n_text = self._counts_text(), self._n_text()
        if self.descriptive_only:
            return (
                f"{self.variant} vs {self.baseline} on {self._metric_text()}: descriptive only "
                f"(too few cases for a test): mean difference {est} {self.unit}, {counts}, {n_text}"
            )
        p_label = "exact McNemar p" if self.p_method.startswith("exact McNemar") else "p"
        p_text = f"{p_label}{p_relation(self.p_value)}"
        if self.correction != "none" and self.p_adjusted is not None:
            p_text += f", {CORRECTION_NAMES[self.correction]}-adjusted p{p_relation(self.p_adjusted)}"
            if self.family_size is not None:
                p_text += f" ({self.family_text})"
        elif self.family_size is not None:
            p_text += f" ({self.family_text})"
        dz = f", d_z={self.d_z:.2f}" if self.d_z is not None and math.isfinite(self.d_z) else ""
        what = self._metric_text()
        outcome = self.outcome
        if self.significant:
            verb = _VERBS[self.direction]
            return (
                f"{self.variant} {verb} {self.baseline} on {what} by {est} {self.unit} "
                f"({ci}), {p_text}{dz}, {counts}, {n_text}"
            )
        if self.mde is not None and math.isfinite(self.mde):
            mde_text = (
                f"minimum detectable effect at {self.mde_power:.0%} power: "
                f"{number(self.mde * s, dec, missing=NA)} {self.unit}"
            )
        else:
            mde_text = "minimum detectable effect not estimable (no variation between cases)"
        detail = f"{est} {self.unit} ({ci}), {p_text}, {counts}, {n_text}"
        if outcome in ("equivalent", "non_inferior") and self.margin is not None:
            m = number(self.margin * s, decimals_for(None, None, self.margin * s), missing=NA)
            if outcome == "equivalent":
                claim = (f"{self.variant} is equivalent to {self.baseline} on {what} within ±{m} {self.unit} "
                         f"(TOST Holm-adjusted p{p_relation(self.tost_p_adjusted)})")
            else:
                claim = (f"{self.variant} is not worse than {self.baseline} on {what} by more than {m} "
                         f"{self.unit} (non-inferiority Holm-adjusted p{p_relation(self.ni_p_adjusted)})")
            return f"{claim}: {detail}"
        if outcome == "possible_harm" and self.harm_bound is not None:
            bound = number(self.harm_bound * s, dec, missing=NA)
            return (
                f"inconclusive: {self.variant} could be up to {bound} {self.unit} worse than {self.baseline} "
                f"on {what}, no significant difference: {detail}; {mde_text}"
            )
        return (
            f"no significant difference between {self.variant} and {self.baseline} on "
            f"{what}: {detail}; {mde_text}"
        )

    def to_dict(self) -> dict[str, Any]:
        out = dataclass_dict(self)
        out["unit"] = self.unit
        out["outcome"] = self.outcome
        out["sentence"] = self.sentence()
        return out


def _mul(v: float | None, s: float) -> float | None:
    return None if v is None else v * s
