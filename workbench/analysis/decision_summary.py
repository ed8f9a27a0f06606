"""The decision per variant against the baseline, as a typed structure and as sentences (English, Dutch).

This is what the terminal summary, the HTML/Markdown report and the Compare page put first. It is
built only from an `Analysis` (no store, no UI), so every surface shows the same decision:

    summary = decision_summary(result.analysis, simulated=result.info.simulated)
    for line in summary_lines(summary, lang="nl", label=metric_label):
        ...

Per (variant, model) a `VariantDecision` lists the **primary** (confirmatory) metrics the variant is
better on, worse on, changed on (metrics without a better/worse direction), unclear on, and where a
non-significant result still allows **possible harm** ("could be up to X worse": the confidence
interval reaches an adverse effect larger than the minimum detectable effect or the declared
margin). "Equivalent" and "non-inferior" appear only from the margin (TOST / non-inferiority) tests.
Secondary metrics that reach significance are listed apart as **exploratory** (Benjamini–Hochberg).
Each decision names the family its p-values were corrected over and the smallest difference the run
could detect per primary metric. Error rates of these sentences are measured in tests/calibration.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.analysis.i18n import DECISION_TEXT
from workbench.number_format import NA, decimals_for, number, p_value
from workbench.stats.compare_variants import Analysis, FamilyInfo
from workbench.stats.serialize import to_jsonable
from workbench.stats.verdict import Verdict

Recommendation = Literal["adopt", "reject", "promising", "equivalent", "differs", "no_decision", "descriptive"]
Language = Literal["en", "nl"]
Label = Callable[[str], str]


@dataclass(frozen=True)
class Finding:
    """One metric of one variant-vs-baseline comparison, as the decision uses it."""

    metric: str
    model: str
    kind: str  # numeric | binary (binary differences are proportions: 0.05 = 5 percentage points)
    higher_is_better: bool | None
    family: str  # primary | secondary | supplementary
    outcome: str  # Verdict.outcome
    estimate: float
    ci_low: float | None
    ci_high: float | None
    p_adjusted: float | None
    correction: str
    family_size: int | None
    mde: float | None  # smallest true difference detectable at mde_power, in the family's test
    mde_power: float
    harm_bound: float | None  # "could be up to this much worse" (raw units), when possible harm
    margin: float | None
    anytime_valid: bool = False  # the interval is a confidence sequence (sequential run, --until-decided)

    @classmethod
    def from_verdict(cls, v: Verdict) -> Finding:
        return cls(
            v.metric, v.model, v.kind, v.higher_is_better, v.family, v.outcome, v.estimate, v.ci_low, v.ci_high,
            v.p_adjusted, v.correction, v.family_size, v.mde, v.mde_power, v.harm_bound, v.margin,
            v.ci_method.startswith("anytime-valid"),
        )


@dataclass(frozen=True)
class VariantDecision:
    """Everything the summary says about one variant against the baseline on one model."""

    variant: str
    baseline: str
    model: str
    recommendation: Recommendation
    better: tuple[Finding, ...] = ()
    worse: tuple[Finding, ...] = ()
    changed: tuple[Finding, ...] = ()  # significant, but the metric has no better/worse direction
    unclear: tuple[Finding, ...] = ()  # not significant, no harm beyond the MDE / margin in the CI
    possible_harm: tuple[Finding, ...] = ()  # not significant, but "could be up to harm_bound worse"
    equivalent: tuple[Finding, ...] = ()  # TOST within ±margin (Holm over the margin tests)
    non_inferior: tuple[Finding, ...] = ()  # not worse by more than the margin
    descriptive: tuple[Finding, ...] = ()  # too few cases for a test
    exploratory: tuple[Finding, ...] = ()  # secondary metrics that reached BH significance
    family: FamilyInfo | None = None  # the primary family these p-values were corrected over
    exploratory_family: FamilyInfo | None = None
    alpha: float = 0.05

    @property
    def primary(self) -> tuple[Finding, ...]:
        return (self.better + self.worse + self.changed + self.unclear + self.possible_harm + self.equivalent
                + self.non_inferior + self.descriptive)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "variant": self.variant, "baseline": self.baseline, "model": self.model,
            "recommendation": self.recommendation,
        }
        for name in ("better", "worse", "changed", "unclear", "possible_harm", "equivalent", "non_inferior",
                     "descriptive", "exploratory"):
            out[name] = [to_jsonable(vars(f)) for f in getattr(self, name)]
        out["alpha"] = self.alpha
        out["family"] = self.family.to_dict() if self.family else None
        out["exploratory_family"] = self.exploratory_family.to_dict() if self.exploratory_family else None
        return out


@dataclass(frozen=True)
class DecisionSummary:
    """The decisions of one analysis, best read top to bottom."""

    baseline: str
    alpha: float
    primary_metrics: tuple[str, ...]
    decisions: tuple[VariantDecision, ...]
    families: tuple[FamilyInfo, ...] = ()
    simulated: bool = False
    models: tuple[str, ...] = field(default=())

    def for_variant(self, variant: str, model: str | None = None) -> VariantDecision:
        hits = [d for d in self.decisions if d.variant == variant and model in (None, d.model)]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} decisions match variant={variant!r}, model={model!r}")
        return hits[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline, "alpha": self.alpha, "primary_metrics": list(self.primary_metrics),
            "simulated": self.simulated, "models": list(self.models),
            "families": [f.to_dict() for f in self.families],
            "decisions": [d.to_dict() for d in self.decisions],
        }


def decision_summary(analysis: Analysis, *, simulated: bool = False) -> DecisionSummary:
    """One `VariantDecision` per (variant, model) compared with the baseline, in the analysis' order."""
    keys: dict[tuple[str, str, str], list[Verdict]] = {}
    for v in analysis.verdicts:
        keys.setdefault((v.variant, v.baseline, v.model), []).append(v)
    decisions = []
    for (variant, baseline, model), verdicts in keys.items():
        decisions.append(_decide(variant, baseline, model, verdicts, analysis.families, analysis.alpha))
    primary = analysis.primary if analysis.primary is not None else sorted({v.metric for v in analysis.verdicts})
    return DecisionSummary(
        analysis.baseline, analysis.alpha, tuple(primary), tuple(decisions), tuple(analysis.families), simulated,
        tuple(dict.fromkeys(v.model for v in analysis.verdicts)),
    )


def _family_for(families: Sequence[FamilyInfo], name: str, model: str, metric: str | None) -> FamilyInfo | None:
    for f in families:
        if f.name == name and f.model in (None, model) and (f.metric is None or f.metric == metric):
            return f
    return None


def _decide(variant: str, baseline: str, model: str, verdicts: list[Verdict],
            families: Sequence[FamilyInfo], alpha: float) -> VariantDecision:
    lists: dict[str, list[Finding]] = {k: [] for k in (
        "better", "worse", "changed", "unclear", "possible_harm", "equivalent", "non_inferior", "descriptive",
        "exploratory")}
    for v in verdicts:
        f = Finding.from_verdict(v)
        if v.family != "primary":
            # only the secondary family: supplementary metrics (asked for with --all-metrics) would make
            # the summary depend on what was analysed
            if v.significant and v.family == "secondary":
                lists["exploratory"].append(f)
            continue
        outcome = v.outcome
        if outcome in ("better", "worse"):
            lists[outcome].append(f)
        elif outcome in ("higher", "lower", "equal"):
            lists["changed"].append(f)
        elif outcome == "descriptive":
            lists["descriptive"].append(f)
        elif outcome in ("equivalent", "non_inferior", "possible_harm"):
            lists[outcome].append(f)
        else:
            lists["unclear"].append(f)
    if lists["worse"]:
        rec: Recommendation = "reject"
    elif lists["better"]:
        rec = "promising" if lists["possible_harm"] else "adopt"
    elif (lists["equivalent"] or lists["non_inferior"]) and not (lists["possible_harm"] or lists["unclear"]):
        rec = "equivalent"
    elif lists["changed"]:
        rec = "differs"
    elif lists["descriptive"] and not any(lists[k] for k in ("unclear", "possible_harm", "equivalent",
                                                             "non_inferior")):
        rec = "descriptive"
    else:
        rec = "no_decision"
    first_primary = next((v.metric for v in verdicts if v.family == "primary"), None)
    first_secondary = next((v.metric for v in verdicts if v.family == "secondary"), None)
    return VariantDecision(
        variant, baseline, model, rec, **{k: tuple(x) for k, x in lists.items()},
        family=_family_for(families, "primary", model, first_primary),
        exploratory_family=_family_for(families, "secondary", model, first_secondary), alpha=alpha,
    )


# -- sentences -----------------------------------------------------------------------------------------

_PLURAL = {"en": "s", "nl": "en"}


def _t(key: str, lang: Language, **values: Any) -> str:
    entry = DECISION_TEXT[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def _num(value: float | None, decimals: int, lang: Language, *, signed: bool = False) -> str:
    return number(value, decimals, signed=signed, lang=lang, missing=NA)


def _join(items: Sequence[str], lang: Language) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {_t('and', lang)} " + items[-1]


def _scale_unit(f: Finding, lang: Language) -> tuple[float, str]:
    return (100.0, _t("pp", lang)) if f.kind == "binary" else (1.0, _t("points", lang))


def _effect(f: Finding, lang: Language) -> str:
    """"+6.2 points, 95% CI 3.1 to 9.4"."""
    s, unit = _scale_unit(f, lang)
    lo = None if f.ci_low is None else f.ci_low * s
    hi = None if f.ci_high is None else f.ci_high * s
    dec = decimals_for(lo, hi, f.estimate * s)
    est = _num(f.estimate * s, dec, lang, signed=True)
    if lo is None or hi is None:
        return f"{est} {unit}"
    label = _t("cs" if f.anytime_valid else "ci", lang)
    return f"{est} {unit}, {label} {_num(lo, dec, lang)} {_t('to', lang)} {_num(hi, dec, lang)}"


def _estimate(f: Finding, lang: Language) -> str:
    s, unit = _scale_unit(f, lang)
    lo = None if f.ci_low is None else f.ci_low * s
    hi = None if f.ci_high is None else f.ci_high * s
    return f"{_num(f.estimate * s, decimals_for(lo, hi, f.estimate * s), lang, signed=True)} {unit}"


def _p(p: float | None, lang: Language) -> str:
    return p_value(p, lang, missing=NA)


def _amount(value: float, f: Finding, lang: Language) -> str:
    s, unit = _scale_unit(f, lang)
    dec = decimals_for(None, None, value * s)
    return f"{_num(value * s, dec, lang)} {unit}"


def decision_sentence(
    decision: VariantDecision, lang: Language = "en", label: Label | None = None, *, show_model: bool = False
) -> str:
    """One paragraph: the recommendation, then better / worse / unclear / harm / equivalent, the family, the MDE."""
    name = label or (lambda m: m)
    d = decision

    def metrics(findings: Sequence[Finding]) -> str:
        return _join([name(f.metric) for f in findings], lang)

    def with_effect(findings: Sequence[Finding]) -> str:
        return _join([f"{name(f.metric)} ({_effect(f, lang)})" for f in findings], lang)

    harm = _join([_t("harm_item", lang, bound=_amount(f.harm_bound or 0.0, f, lang), metric=name(f.metric))
                  for f in d.possible_harm], lang)
    head = _t(d.recommendation, lang, better=metrics(d.better), worse=metrics(d.worse),
              harm=metrics(d.possible_harm), same=metrics(d.equivalent + d.non_inferior), changed=metrics(d.changed))
    model = f" ({d.model})" if show_model else ""
    parts = [f"{d.variant} {_t('vs', lang)} {d.baseline}{model}: {head}."]
    if d.better:
        parts.append(_t("better_on", lang, items=with_effect(d.better)))
    if d.worse:
        parts.append(_t("worse_on", lang, items=with_effect(d.worse)))
    if d.changed:
        parts.append(_t("changed_on", lang, items=with_effect(d.changed)))
    if d.possible_harm:
        parts.append(_t("harm_on", lang, items=harm))
    if d.unclear:
        items = [_t("unclear_item", lang, metric=name(f.metric), estimate=_estimate(f, lang), p=_p(f.p_adjusted, lang))
                 for f in d.unclear]
        parts.append(_t("unclear_on", lang, items=_join(items, lang)))
    if d.equivalent:
        items = [_t("equivalent_item", lang, metric=name(f.metric), margin=_amount(f.margin or 0.0, f, lang))
                 for f in d.equivalent]
        parts.append(_t("equivalent_on", lang, items=_join(items, lang)))
    if d.non_inferior:
        items = [_t("equivalent_item", lang, metric=name(f.metric), margin=_amount(f.margin or 0.0, f, lang))
                 .replace("±", "") for f in d.non_inferior]
        parts.append(_t("non_inferior_on", lang, items=_join(items, lang)))
    if d.descriptive:
        parts.append(_t("descriptive_on", lang, items=metrics(d.descriptive)))
    if d.exploratory:
        how = _t(d.exploratory[0].correction, lang)
        items = [f"{name(f.metric)} {_t(f.outcome, lang)} ({_effect(f, lang)})" for f in d.exploratory]
        parts.append(_t("exploratory_on", lang, how=how, items=_join(items, lang)))
    if d.family is not None and d.family.size:
        plural = _PLURAL[lang] if d.family.size != 1 else ""
        how = _t(d.family.correction, lang)
        if d.family.correction in ("holm", "bonferroni"):
            alpha = _num(d.alpha * 100, decimals_for(None, None, d.alpha * 100) - 1, lang) + "%"
            parts.append(_t("family", lang, how=how, n=d.family.size, s=plural, alpha=alpha))
        else:
            parts.append(_t("family_plain", lang, how=how, n=d.family.size, s=plural))
    mdes = [f for f in d.primary if f.mde is not None and math.isfinite(f.mde)]
    if mdes:
        power = f"{mdes[0].mde_power:.0%}"
        items = [f"{name(f.metric)} {_amount(f.mde or 0.0, f, lang)}" for f in mdes]
        parts.append(_t("mde", lang, power=power, items=_join(items, lang)))
    return " ".join(parts)


def summary_lines(summary: DecisionSummary, lang: Language = "en", label: Label | None = None) -> list[str]:
    """A header line, the SIMULATED note when it applies, then one paragraph per decision."""
    name = label or (lambda m: m)
    primary = _join([name(m) for m in summary.primary_metrics], lang) or "–"
    lines = [_t("header", lang, baseline=summary.baseline, primary=primary)]
    if summary.simulated:
        lines.append(_t("simulated", lang))
    several = len(summary.models) > 1
    lines += [decision_sentence(d, lang, label, show_model=several) for d in summary.decisions]
    return lines
