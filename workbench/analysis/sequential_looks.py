"""Sequential runs (issue #19): the seeded case order, each look's anytime-valid tests from the store,
the stop sentence every surface shows, and the final report's intervals.

The statistics are pure (workbench.stats.sequential); the SQL is in workbench.store.sequential; the
runner loop is workbench.runner.sequential. This module joins them: scores in, decisions and words out.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.i18n import SEQUENTIAL_TEXT
from workbench.experiment.spec import ExperimentSpec, SequentialSpec
from workbench.number_format import NA, count, decimals_for, money, number
from workbench.scoring.catalogue import metric_direction, metric_kind
from workbench.scoring.registry import default_primary_metrics
from workbench.stats.aggregate import aggregate_scores
from workbench.stats.compare_variants import Analysis
from workbench.stats.sequential import Design, LookResult, TestState, prior_sd_for, update_test
from workbench.store.db import Store
from workbench.store.dismissals import apply_adjustments, dismissal_adjustments
from workbench.store.frames import numeric_scores, truncated_outputs
from workbench.store.sequential import calls_made, looks, stored_design

CS_METHOD = ("anytime-valid confidence sequence (asymptotic normal mixture; Howard et al. 2021, "
             "Waudby-Smith et al. 2021)")


def case_order(case_ids: Sequence[str], seed: int) -> list[str]:
    """The seeded random order in which a sequential run draws its cases (same seed, same order)."""
    order = list(case_ids)
    random.Random(f"{seed}|sequential-order").shuffle(order)
    return order


def primary_metrics(spec: ExperimentSpec) -> list[str]:
    """The primary metrics a sequential run tests: the spec's `primary`, else the default one."""
    return list(spec.primary) if spec.primary else default_primary_metrics(spec.scorers)


def new_design(
    spec: ExperimentSpec, block: SequentialSpec, order: list[str], *, baseline: str, candidates: list[str],
    models: list[str], calls_per_case: int, judge_rubrics: int,
) -> dict[str, Any]:
    """Everything about the design that is fixed before the first case is drawn (stored with the run)."""
    metrics = primary_metrics(spec)
    return {
        "order": order[: block.max_cases], "max_cases": block.max_cases, "look_every": block.look_every,
        "alpha": block.alpha if block.alpha is not None else spec.alpha, "min_cases": block.min_cases,
        "baseline": baseline, "candidates": candidates, "models": models, "metrics": metrics,
        "n_tests": max(1, len(candidates) * len(models) * len(metrics)),
        "calls_per_case": calls_per_case, "judge_rubrics": judge_rubrics,
        "margins": {m: spec.non_inferiority[m] for m in metrics if m in spec.non_inferiority},
    }


def design_of(stored: dict[str, Any]) -> Design:
    return Design(max_cases=int(stored["max_cases"]), look_every=int(stored["look_every"]),
                  alpha=float(stored["alpha"]), n_tests=int(stored["n_tests"]), min_cases=int(stored["min_cases"]))


def _look_scores(store: Store, run_id: int, spec: ExperimentSpec, metrics: list[str], cases: set[str]) -> pd.DataFrame:
    """The primary scores of the drawn cases, as the fixed-n analysis sees them (dismissed flags and,
    by default, cut-off outputs left out)."""
    from workbench.analysis.run_results import drop_truncated

    with store.session() as session:
        scores = apply_adjustments(numeric_scores(session, run_id, metrics), dismissal_adjustments(session, run_id))
        cut = truncated_outputs(session, run_id)
    if spec.truncated_outputs == "exclude" and cut:
        scores = drop_truncated(scores, frozenset(oid for oid, _, _ in cut))
    return scores[scores["case"].isin(cases)] if not scores.empty else scores


def compute_look(
    store: Store, run_id: int, spec: ExperimentSpec, stored: dict[str, Any], look: int, previous: list[TestState],
) -> LookResult:
    """The anytime-valid tests after `look` (cases order[:n]), continuing from the previous look's states."""
    design = design_of(stored)
    n_cases = design.looks()[look - 1]
    drawn = set(stored["order"][:n_cases])
    metrics: list[str] = list(stored["metrics"])
    scores = _look_scores(store, run_id, spec, metrics, drawn)
    before = {t.key: t for t in previous}
    tables = {}
    if not scores.empty:
        frame = scores.assign(kind=scores["metric"].map(metric_kind))
        tables = {(t.model, t.metric): t for t in aggregate_scores(frame[["case", "variant", "model", "repeat",
                                                                         "metric", "value", "kind"]])}
    margins: dict[str, float] = dict(stored.get("margins") or {})
    tests = []
    for model in stored["models"]:
        for metric in metrics:
            hib = metric_direction(metric)
            sign = -1.0 if hib is False else 1.0
            tab = tables.get((model, metric))
            for candidate in stored["candidates"]:
                key = (model, metric, candidate)
                state = before.get(key, TestState(key))
                if tab is None or candidate not in tab.variants or stored["baseline"] not in tab.variants:
                    tests.append(state)
                    continue
                j, b = tab.column(candidate), tab.column(stored["baseline"])
                pair = tab.means[:, [j, b]]
                mask = np.isfinite(pair).all(axis=1)
                benefit = sign * (pair[mask, 0] - pair[mask, 1])
                prior = state_prior(state, pair[mask], tab.kind == "binary")
                updated = update_test(state, benefit, design, prior_sd=prior, margin=margins.get(metric),
                                      directed=hib is not None)
                tests.append(replace(updated, prior_sd=prior))
    return LookResult(look, n_cases, design.max_cases, tests)


def state_prior(state: TestState, values: np.ndarray, binary: bool) -> float:
    """The pseudo-observation's spread, fixed at the first look that has data (then kept, so every look of
    a test uses the same regularisation)."""
    if state.prior_sd is not None:
        return state.prior_sd
    return prior_sd_for(values.ravel(), binary)


# -- words (English and Dutch: the CLI and reports use English, the UI the user's language) -------------


def _t(key: str, lang: str, **values: Any) -> str:
    entry = SEQUENTIAL_TEXT[key]
    return (entry.get(lang) or entry["en"]).format(**values)


def _amount(test: TestState, binary: bool, lang: str = "en") -> tuple[str, str, str]:
    """(estimate, low, high) as raw differences (candidate − baseline), in the metric's units."""
    lo_raw, hi_raw = raw_interval(test)
    est = -test.estimate if _lower_is_better(test.key[1]) else test.estimate
    scale = 100.0 if binary else 1.0
    lo_s = lo_raw * scale if lo_raw is not None else None
    hi_s = hi_raw * scale if hi_raw is not None else None
    dec = decimals_for(lo_s, hi_s, est * scale if math.isfinite(est) else None)
    suffix = " pp" if binary else ""
    low = number(lo_s, dec, lang=lang, missing=NA) if lo_s is not None else "−∞"
    high = number(hi_s, dec, lang=lang, missing=NA) if hi_s is not None else "∞"
    estimate = number(est * scale, dec, signed=True, lang=lang, missing=NA) + suffix if math.isfinite(est) else NA
    return estimate, low, high


def _lower_is_better(metric: str) -> bool:
    return metric_direction(metric) is False


def raw_interval(test: TestState) -> tuple[float | None, float | None]:
    """The running interval as a raw difference (candidate − baseline); None for an unbounded side."""
    lo, hi = test.low, test.high
    if _lower_is_better(test.key[1]):
        lo, hi = -hi, -lo
    return (lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None)


def test_clause(test: TestState, confidence: float, *, with_model: bool, lang: str = "en") -> str:
    """E.g. "inclusive is better on judge.clarity (+0.8, 95% CS 0.3…1.3)"."""
    model, metric, candidate = test.key
    est, lo, hi = _amount(test, metric_kind(metric) == "binary", lang)
    where = _t("with_model", lang, model=model) if with_model else ""
    return _t("clause", lang, candidate=candidate, verb=_t(test.decision, lang), metric=metric, where=where, est=est,
              conf=f"{confidence:.0%}", lo=lo, hi=hi)


@dataclass
class NotSpent:
    calls: int
    cost_usd: float


def not_spent(store: Store, run_id: int, stored: dict[str, Any], cases: int) -> NotSpent:
    """Calls the undrawn cases would have needed (generation and judge), at this run's cost per call so far."""
    left = max(0, int(stored["max_cases"]) - cases)
    calls = left * int(stored["calls_per_case"]) * (1 + int(stored.get("judge_rubrics") or 0))
    with store.session() as session:
        outputs, judged, spent = calls_made(session, run_id)
    per_call = spent / (outputs + judged) if outputs + judged else 0.0
    return NotSpent(calls, calls * per_call)


def stop_sentence(
    tests: Sequence[TestState], cases: int, max_cases: int, alpha: float, spared: NotSpent | None, *,
    several_models: bool, lang: str = "en",
) -> str:
    """The stop explained: always contains "stopped after N of M cases" or "ran all M cases" (in English)."""
    head = _t("stopped", lang, n=cases, m=max_cases) if cases < max_cases else _t("ran_all", lang, m=max_cases)
    clauses = "; ".join(test_clause(t, 1 - alpha, with_model=several_models, lang=lang) for t in tests)
    text = f"{head}: {clauses or _t('nothing_yet', lang)}"
    if spared is not None and spared.calls:
        text += "; " + _t("not_spent", lang, calls=count(spared.calls, lang), cost=money(spared.cost_usd, lang=lang))
    return text


def look_sentence(result: LookResult, lang: str = "en") -> str:
    """Where an interim look that does not stop the run left it."""
    return _t("look", lang, look=result.look, n=result.cases, m=result.max_cases,
              decided=sum(t.decided for t in result.tests), tests=len(result.tests))


# -- reading a finished (or interrupted) sequential run back -----------------------------------------


@dataclass
class SequentialOutcome:
    """What the report, the UI and the terminal show about a sequential run."""

    design: dict[str, Any]
    looks: list[dict[str, Any]] = field(default_factory=list)  # look, cases, stop, reason
    tests: list[TestState] = field(default_factory=list)  # after the last look

    @property
    def alpha(self) -> float:
        return float(self.design["alpha"])

    @property
    def max_cases(self) -> int:
        return int(self.design["max_cases"])

    @property
    def cases(self) -> int:
        return int(self.looks[-1]["cases"]) if self.looks else 0

    @property
    def stopped(self) -> bool:
        return bool(self.looks) and bool(self.looks[-1]["stop"])

    @property
    def stopped_early(self) -> bool:
        return self.stopped and self.cases < self.max_cases

    def explanation(self, lang: str = "en") -> str:
        """The stop sentence (or where the run is), plus what the intervals are (English or Dutch)."""
        k, m = self.design["look_every"], self.max_cases
        if not self.looks:
            return _t("no_look", lang, m=m, k=k)
        last = self.looks[-1]
        several = len(self.design.get("models") or []) > 1
        if self.stopped:
            spared = NotSpent(int(last.get("spared_calls") or 0), float(last.get("spared_usd") or 0.0))
            where = stop_sentence(self.tests, self.cases, m, self.alpha, spared, several_models=several, lang=lang)
        else:
            progress = _t("look", lang, look=last["look"], n=self.cases, m=m,
                          decided=sum(t.decided for t in self.tests), tests=len(self.tests))
            where = _t("unfinished", lang, where=progress)
        n = int(self.design["n_tests"])
        tests = _t("tests" if n == 1 else "tests_plural", lang, n=n)
        return _t("design", lang, where=where, k=k, m=m, conf=f"{1 - self.alpha:.0%}", tests=tests)


def load_outcome(store: Store, run_id: int) -> SequentialOutcome | None:
    with store.session() as session:
        design = stored_design(session, run_id)
        if design is None:
            return None
        rows = looks(session, run_id)
        records = [{"look": r.look, "cases": r.cases, "stop": r.stop, "reason": r.reason,
                    "spared_calls": r.spared_calls, "spared_usd": r.spared_usd} for r in rows]
        tests = [TestState.from_dict(t) for t in rows[-1].tests] if rows else []
    return SequentialOutcome(design, records, tests)


def apply_to_analysis(analysis: Analysis, outcome: SequentialOutcome) -> None:
    """The primary verdicts of a sequential run take their interval, p-value and decision from the
    anytime-valid tests (the fixed-n t-interval and permutation p are not valid under optional stopping)."""
    by_key = {t.key: t for t in outcome.tests}
    k = int(outcome.design["n_tests"])
    analysis.families = [dataclasses.replace(f, correction="bonferroni", size=k) if f.name == "primary" else f
                         for f in analysis.families]
    for v in analysis.verdicts:
        test = by_key.get((v.model, v.metric, v.variant))
        if v.family != "primary" or test is None or v.baseline != outcome.design["baseline"]:
            continue
        low, high = raw_interval(test)
        v.ci_low, v.ci_high, v.ci_method = low, high, CS_METHOD
        v.confidence = 1 - outcome.alpha
        v.p_value, v.p_method = test.p_value, "anytime-valid (mixture martingale) p"
        v.p_adjusted, v.correction, v.family_size = min(1.0, k * test.p_value), "bonferroni", k
        v.significant = test.decision in ("better", "worse", "higher", "lower")
        v.equivalent = test.decision == "equivalent"
        v.non_inferior = bool(test.directed and v.margin is not None and test.low > -v.margin)
        v.harm_bound = None
        v.descriptive_only = v.descriptive_only and not test.n
