"""Plain sentences about results in the UI language, built from the statistics engine's fields.

The engine's own `.sentence()` methods write English for the CLI; the UI writes the same facts from
the same numbers in English or Dutch, with the language's number format. Nothing is recomputed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from workbench import number_format as nf
from workbench.scoring.catalogue import metric_info
from workbench.stats import PairPreference, PositionBias, Verdict
from workbench.stats.multiplicity import CORRECTION_NAMES
from workbench.ui.i18n import STRINGS, group_label, lang, lower_first, metric_label, metric_unit, t


def _percent(value: float | None) -> str:
    """A share in whole percent, in the UI language ("27%")."""
    return nf.percent(value, 0, lang=lang())


def p_text(p: float | None) -> str:
    """"= 0.012" / "< 0.0001" (Dutch: "= 0,012"), to follow a "p"."""
    text = nf.p_value(p, lang())
    return text if text.startswith("<") else f"= {text}"


def correction_name(method: str) -> str:
    return t("correction_none") if method == "none" else CORRECTION_NAMES.get(method, method)


def _scaled(value: float | None, scale: float) -> float | None:
    x = nf.finite(value)
    return None if x is None else x * scale


def family_text(verdict: Verdict) -> str:
    """" (primary, Holm over 2 tests)": the family the adjusted p-value was corrected over."""
    family = t(f"family_{verdict.family}") if f"family_{verdict.family}" in STRINGS else verdict.family
    if verdict.correction == "none" or not verdict.family_size:
        return f" ({family})"
    return t("family_text", family=family, how=correction_name(verdict.correction), n=verdict.family_size)


def verdict_sentence(verdict: Verdict) -> str:
    """One verdict in a plain sentence (significant or not), binary measures in percentage points."""
    code = lang()
    scale = 100.0 if verdict.kind == "binary" else 1.0
    unit = t("unit_pp") if verdict.kind == "binary" else (metric_unit(verdict.metric) or t("unit_points"))
    fmt = {
        "variant": verdict.variant, "baseline": verdict.baseline, "metric": lower_first(metric_label(verdict.metric)),
        "estimate": nf.number(verdict.estimate * scale, 2, signed=True, lang=code), "unit": unit,
        "low": nf.number(_scaled(verdict.ci_low, scale), 2, lang=code),
        "high": nf.number(_scaled(verdict.ci_high, scale), 2, lang=code),
        "p": p_text(verdict.p_adjusted) + family_text(verdict), "better": verdict.n_better, "worse": verdict.n_worse,
        "tied": verdict.n_tied,
        "cases": verdict.n_cases, "repeats": verdict.n_repeats,
        "good": t("cases_better" if verdict.higher_is_better is not None else "cases_higher"),
        "bad": t("cases_worse" if verdict.higher_is_better is not None else "cases_lower"),
    }
    if verdict.descriptive_only:
        return t("sentence_descriptive", **fmt)
    if verdict.significant:
        exploratory = t("sentence_exploratory") if verdict.family != "primary" else ""
        return t(f"sentence_{verdict.direction}", **fmt) + exploratory
    fmt["margin"] = nf.number(_scaled(verdict.margin, scale), 2, lang=code)
    fmt["bound"] = nf.number(_scaled(verdict.harm_bound, scale), 2, lang=code)
    if verdict.outcome in ("equivalent", "non_inferior", "possible_harm"):
        return t(f"sentence_{verdict.outcome}", **fmt)
    mde = _scaled(verdict.mde, scale)
    fmt["mde"] = nf.number(mde, 2, lang=code) if mde is not None and math.isfinite(mde) else "–"
    return t("sentence_ns", **fmt)


def preference_sentence(pair: PairPreference) -> str:
    """Sign test of one pair of prompts in the blind review."""
    decided = pair.cases_x + pair.cases_y
    if decided == 0:
        return t("pref_no_decided", x=pair.variant_x, y=pair.variant_y, tied=pair.cases_tied, n=pair.n_ratings)
    x_leads = pair.cases_x >= pair.cases_y
    leader, other, wins = ((pair.variant_x, pair.variant_y, pair.cases_x) if x_leads
                           else (pair.variant_y, pair.variant_x, pair.cases_y))
    low, high = (pair.ci_low, pair.ci_high) if x_leads else (
        None if pair.ci_high is None else 1 - pair.ci_high, None if pair.ci_low is None else 1 - pair.ci_low)
    ci = t("pref_ci", low=_percent(low), high=_percent(high)) if low is not None and high is not None else ""
    head = t("pref_head", leader=leader, other=other, wins=wins, decided=decided,
             share=_percent(wins / decided), ci=ci, tied=pair.cases_tied, n=pair.n_ratings)
    if pair.descriptive_only:
        return head + t("pref_descriptive")
    adjusted = ""
    if pair.correction != "none" and pair.p_adjusted is not None:
        adjusted = t("pref_adjusted", method=correction_name(pair.correction), p=p_text(pair.p_adjusted))
    verdict = t("significant") if pair.significant else t("not_significant")
    return head + t("pref_test", p=p_text(pair.p_value), adjusted=adjusted, verdict=verdict)


def position_bias_sentence(bias: PositionBias) -> str:
    if not bias.n_decided:
        return t("pos_none")
    if bias.p_value is None:  # every pair shown was even: no side ahead anywhere, nothing to test
        return t("pos_text_even", wins=bias.left_wins, n=bias.n_decided, share=_percent(bias.left_win_rate),
                 even=bias.pairs_even) + "."
    text = t("pos_text", wins=bias.left_wins, n=bias.n_decided, share=_percent(bias.left_win_rate),
             left=bias.pairs_left, right=bias.pairs_right, even=bias.pairs_even,
             low=_percent(bias.ci_low), high=_percent(bias.ci_high), p=p_text(bias.p_value))
    return text + t("pos_significant" if bias.significant else "pos_not_significant")


def bias_explanation(row: Mapping[str, Any]) -> str:
    """One plain sentence per name-swap comparison (group vs reference), in the UI language."""
    code = lang()
    flag = str(row.get("flag", "inconclusive"))
    needed = row.get("cases_needed")
    needed_text = "" if (nf.finite(needed) is None) else t("explain_needed", n=int(needed))  # type: ignore[arg-type]
    is_score = row.get("outcome") == "score"
    return t(
        f"explain_{flag}" if f"explain_{flag}" in STRINGS else "explain_inconclusive",
        group=group_label(str(row.get("group", ""))),
        reference=group_label(str(row.get("reference", ""))),
        rate=_percent(row.get("rate")) + (t("above_median") if is_score else ""),
        ref_rate=_percent(row.get("reference_rate")),
        ratio=nf.number(row.get("impact_ratio"), 2, lang=code),
        needed=needed_text,
    )


# -- name-swap audits ------------------------------------------------------------------------------------

FLAG_SEVERITY = {"green": 0, "inconclusive": 1, "orange": 2, "red": 3}
def task_texts(task: str | None) -> str:
    """The texts a task produces, plural ("rejection emails" / "afwijzingsmails")."""
    return t(f"task_texts_{task}") if f"task_texts_{task}" in STRINGS else t("task_texts_other")


def direction_phrase(metric: str, task: str | None, difference: float, outcome: str) -> str:
    """How a group fares, in words that fit the outcome ("are invited less often", "get shorter rejection emails")."""
    phrases = metric_info(metric).phrases  # declared by the metric's scorer, else a generic phrase
    values = {"texts": task_texts(task), "metric": lower_first(metric_label(metric))}
    if phrases is not None:
        return phrases.direction(lang(), difference < 0).format(**values)
    generic = ("phrase_selected_less", "phrase_selected_more") if outcome == "selection" \
        else ("phrase_lower", "phrase_higher")
    return t(generic[0] if difference < 0 else generic[1], **values)


def outcome_phrase(metric: str, task: str | None) -> str:
    """The outcome as a noun phrase ("the invitation decision", "the length of the rejection emails")."""
    phrases = metric_info(metric).phrases
    if phrases is not None and phrases.noun_en:
        return phrases.noun(lang()).format(texts=task_texts(task))
    return lower_first(metric_label(metric))


def _value(c: Any, which: str, code: str) -> str:
    """A group's outcome: a rate (selection) or a mean (score)."""
    if c.outcome == "selection":
        return _percent(c.rate if which == "group" else c.reference_rate)
    return nf.number(c.mean if which == "group" else c.reference_mean, 1, lang=code)


def comparison_clause(c: Any, metric: str) -> str:
    """"Moroccan-Dutch names 18% against 68% for Turkish-Dutch names (−50 pp, 95% CI −65 to −35)"."""
    code = lang()
    selection = c.outcome == "selection"
    scale, digits = (100.0, 0) if selection else (1.0, 1)
    unit = "" if selection else metric_unit(metric)
    return t("clause_selection" if selection else "clause_score", group=group_label(c.group),
             unit=f" {unit}" if unit else "", level=_percent(getattr(c, "ci_level", 0.95)),
             value=_value(c, "group", code), ref_value=_value(c, "reference", code),
             reference=group_label(c.reference), diff=nf.number(c.difference * scale, digits, signed=True, lang=code),
             low=nf.number(_scaled(c.ci_low, scale), digits, signed=True, lang=code),
             high=nf.number(_scaled(c.ci_high, scale), digits, signed=True, lang=code))


def _needed(c: Any) -> str:
    """"; about 1,394 test cases would be needed to tell" (or the names per group when cases cannot do it)."""
    if nf.finite(c.cases_needed) is not None:
        return t("explain_needed", n=int(c.cases_needed))
    names = getattr(c, "names_needed", None)
    return "" if names is None or (nf.finite(names) is None) else t("explain_names_needed", n=int(names))


def flag_basis(c: Any, alpha: float) -> str:
    """Why a comparison got its colour, in the terms of the audit's rules (workbench.stats.bias_audit)."""
    code = lang()
    values = {"group": group_label(c.group), "ratio": nf.number(c.impact_ratio, 2, lang=code),
              "p": p_text(c.p_adjusted),
              "alpha": nf.number(alpha, 2, lang=code), "low": nf.number(c.impact_ratio_ci_low, 2, lang=code),
              "high": nf.number(c.impact_ratio_ci_high, 2, lang=code), "n": getattr(c, "family_size", 1),
              "needed": _needed(c)}
    return t(f"basis_{c.flag}" if c.flag in FLAG_SEVERITY else "basis_inconclusive", **values)


def _worst(comparisons: list[Any]) -> Any:
    return max(comparisons, key=lambda c: (FLAG_SEVERITY.get(c.flag, 0), -(c.p_adjusted if c.p_adjusted is not None
                                                                            else 1.0)))


def unit_sentence(unit: Any, task: str | None, alpha: float) -> str:
    """One prompt's audit in one sentence: the finding, each group against the reference, why this colour."""
    if not unit.comparisons:
        return t("unit_no_comparisons")
    worst = _worst(unit.comparisons)
    if unit.flag in ("red", "orange"):
        head = t("unit_head_difference", group=group_label(worst.group), reference=group_label(worst.reference),
                 phrase=direction_phrase(unit.metric, task, worst.difference, unit.outcome))
    else:
        head = t(f"unit_head_{unit.flag}" if unit.flag in FLAG_SEVERITY else "unit_head_inconclusive")
    clauses = "; ".join(comparison_clause(c, unit.metric) for c in unit.comparisons)
    bases = " ".join(flag_basis(c, alpha) for c in unit.comparisons if c.flag == unit.flag)
    return f"{head}: {clauses}. {bases}"


def flip_sentence(flip: Any, alpha: float) -> str:
    """Decisions that change when only the name changes: names of different groups against names of the same
    group (the test), and reruns with the same name (the noise floor). "" when there is no flip evidence."""
    if flip is None or flip.cross_group is None:
        return ""
    code = lang()
    # Holm over the audit's flip tests (stats.bias_audit._correct_flips), as the report and the CLI say it
    p = flip.p_adjusted if flip.p_adjusted is not None else flip.p_value
    family = flip.family_size
    excess = flip.excess or 0
    significant = p is not None and p < alpha and excess > 0
    adjusted = t("flip_adjusted", n=family, p=p_text(p)) if family > 1 else ""
    conclusion = "flip_significant" if significant else ("flip_not_shown" if excess > 0 else "flip_noise")
    return t("flip_text", cross=_percent(flip.cross_group), within=_percent(flip.within_group),
             same=_percent(flip.same_name), excess=nf.number(_scaled(flip.excess, 100.0), 1, signed=True, lang=code),
             p=p_text(flip.p_value), adjusted=adjusted, conclusion=t(conclusion))


def overall_sentence(audit: Any, task: str | None) -> str:
    """The overall flag in words, naming the prompt and the group it comes from (`BiasAudit.worst`)."""
    worst = audit.worst
    if worst is None:
        return t("overall_inconclusive")
    unit, comparison = worst
    if comparison.flag in ("red", "orange"):
        return t(f"overall_{comparison.flag}_named", variant=unit.variant, group=group_label(comparison.group),
                 reference=group_label(comparison.reference),
                 phrase=direction_phrase(unit.metric, task, comparison.difference, unit.outcome),
                 n=len(audit.comparisons))
    if comparison.flag == "green":
        return t("overall_green_all", n=len(audit.comparisons))
    return t("overall_inconclusive_named", variant=unit.variant, group=group_label(comparison.group))
