"""Is the LLM judge trustworthy? Its agreement with the recruiters' blind A/B ratings, per rubric.

Every blind rating says which of two outputs of one case is better (or a tie). The judge says the same
for that pair in one of two ways: its 1-10 rubric scores of the two outputs (the higher one wins, equal
scores tie), or, with ``judge: {mode: pairwise}``, its own position-swapped pairwise verdict. Each rating
becomes a preference on the ordinal scale (second better, tie, first better) of the pair ordered by output
id, so every rater and the judge speak about the same pair in the same orientation.

* **judge–human**: Cohen's κ with linear weights between the judge's preference and each recruiter rating
  of the pair (a tie is half-way; opposite preferences are the worst disagreement), bootstrap CI over pairs;
* **human–human**: the same κ between two recruiters who rated the same pair (every pair of their ratings),
  and Krippendorff's α (ordinal) over all recruiter ratings;
* **verdict** per rubric, from the difference judge–human κ − human–human κ with a joint bootstrap over
  pairs: "as well as they agree with each other" when its 95% CI lies above −0.10; "do not rely" when the
  CI lies below 0; otherwise "not clear yet". Without pairs rated by two recruiters the judge is held to
  absolute levels instead (κ's CI above 0.6: substantial; below 0.4: do not rely). Error rates of these
  sentences are measured in tests/calibration/test_agreement_calibration.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.scoring.catalogue import is_judge_metric, metric_mask
from workbench.stats.agreement import (
    Agreement,
    alpha_with_ci,
    bootstrap_counts,
    kappa_of_tables,
    kappa_with_ci,
    percentile_ci,
    unit_tables,
)
from workbench.stats.serialize import to_jsonable
from workbench.store.db import Store

PREFERENCES = (-1, 0, 1)  # the second output (higher id) is better | tie | the first (lower id) is better
MIN_PAIRS = 10  # rated pairs needed before any verdict
MARGIN = 0.10  # "as well as": judge–human κ at most this much below human–human κ
SUBSTANTIAL = 0.6  # without a human baseline: κ's CI lower bound above this (Landis & Koch "substantial")
WEAK = 0.4  # without a human baseline: κ's CI upper bound below this
N_BOOT = 2000

Verdict = Literal["as_well", "do_not_rely", "substantial", "weak", "unclear", "too_few"]
Language = Literal["en", "nl"]


@dataclass(frozen=True)
class RubricAgreement:
    rubric: str
    source: str  # "scores" (the judge's rubric scores compared) | "pairwise" (the pairwise judge)
    judge_human: Agreement  # Cohen's κ, linear weights, judge vs each recruiter rating
    difference: float | None  # judge–human κ − human–human κ (None without a human baseline)
    difference_ci: tuple[float | None, float | None]
    verdict: Verdict
    n_pairs: int  # rated pairs the judge also judged

    def sentence(self, lang: Language = "en", human: Agreement | None = None) -> str:
        return verdict_sentence(self, lang, human)


@dataclass(frozen=True)
class JudgeAgreement:
    """Agreement of the judge with the recruiters (per rubric) and of the recruiters with each other."""

    human_kappa: Agreement | None  # κ (linear) between two recruiters' ratings of the same pair
    human_alpha: Agreement | None  # Krippendorff's α (ordinal) over every recruiter rating
    rubrics: tuple[RubricAgreement, ...]
    n_rated_pairs: int
    n_raters: int
    simulated_judge: bool = False
    notes: tuple[str, ...] = field(default=())

    def sentences(self, lang: Language = "en") -> list[str]:
        lines = [r.sentence(lang, self.human_kappa) for r in self.rubrics]
        if self.simulated_judge:
            lines.append(_TEXT["simulated"][lang])
        return lines

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({
            "human_kappa": self.human_kappa.to_dict() if self.human_kappa else None,
            "human_alpha": self.human_alpha.to_dict() if self.human_alpha else None,
            "rubrics": [{**{k: v for k, v in vars(r).items() if k != "judge_human"},
                         "judge_human": r.judge_human.to_dict(), "sentence": r.sentence("en", self.human_kappa)}
                        for r in self.rubrics],
            "n_rated_pairs": self.n_rated_pairs, "n_raters": self.n_raters, "simulated_judge": self.simulated_judge,
        })


def oriented_preferences(ratings: pd.DataFrame) -> pd.DataFrame:
    """Recruiter ratings as (first, second, rater, pref): first < second output ids, pref in PREFERENCES."""
    if ratings.empty:
        return pd.DataFrame(columns=["first", "second", "rater", "pref"])
    a, b = ratings["output_a_id"].astype(int), ratings["output_b_id"].astype(int)
    winner = ratings["winner"].astype(str)
    a_wins = np.where(winner == "a", 1, np.where(winner == "b", -1, 0))
    pref = np.where(a < b, a_wins, -a_wins)
    return pd.DataFrame({"first": np.minimum(a, b), "second": np.maximum(a, b),
                         "rater": ratings["rater"].astype(str), "pref": pref.astype(int)})


def preferences_from_scores(pairs: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The judge's preference per (pair, rubric) from its 1-10 scores: (first, second, rubric, pref).

    ``pairs`` has first/second output ids; ``scores`` output_id, metric (judge.<rubric>), value."""
    judged = scores[metric_mask(scores, is_judge_metric)].dropna(subset=["value"])
    if judged.empty or pairs.empty:
        return pd.DataFrame(columns=["first", "second", "rubric", "pref"])
    means = judged.groupby(["output_id", "metric"])["value"].mean()
    rows = []
    unique = pairs[["first", "second"]].drop_duplicates()
    for metric in sorted(judged["metric"].unique()):
        per = means.xs(metric, level="metric")
        first, second = unique["first"].map(per), unique["second"].map(per)
        ok = first.notna() & second.notna()
        diff = (first - second)[ok]
        rows.append(pd.DataFrame({"first": unique["first"][ok], "second": unique["second"][ok],
                                  "rubric": metric.removeprefix("judge."), "pref": np.sign(diff).astype(int)}))
    return pd.concat(rows, ignore_index=True)


def _human_pairs(prefs: pd.DataFrame) -> pd.DataFrame:
    """Every two ratings of one pair by different recruiters: (unit, pref_1, pref_2)."""
    rows = []
    for (first, second), group in prefs.groupby(["first", "second"]):
        values = list(zip(group["rater"], group["pref"], strict=True))
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                if values[i][0] != values[j][0]:
                    rows.append((f"{first}-{second}", values[i][1], values[j][1]))
    return pd.DataFrame(rows, columns=["unit", "x", "y"])


def judge_agreement(ratings: pd.DataFrame, judge_prefs: pd.DataFrame, *, judge_source: str = "scores",
                    simulated_judge: bool = False, seed: int = 0, n_boot: int = N_BOOT,
                    n_boot_alpha: int = 500) -> JudgeAgreement:
    """Agreement statistics and verdicts. ``ratings``: output_a_id, output_b_id, winner, rater (recruiters
    only); ``judge_prefs``: first, second, rubric, pref (see ``preferences_from_scores``)."""
    prefs = oriented_preferences(ratings)
    keys = prefs["first"].astype(str) + "-" + prefs["second"].astype(str)
    human_pairs = _human_pairs(prefs)
    unit_index = {u: i for i, u in enumerate(keys.drop_duplicates())}
    n_units = len(unit_index)
    k = len(PREFERENCES)

    def code(values: pd.Series | np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=int) + 1  # -1, 0, 1 -> 0, 1, 2

    human_kappa = None
    hh_tables = np.zeros((n_units, k, k))
    if not human_pairs.empty:
        hh_units = human_pairs["unit"].map(unit_index).to_numpy()
        hh_tables = unit_tables(code(human_pairs["x"]), code(human_pairs["y"]), hh_units, n_units, k)
        # symmetric: both orders of each pair of ratings (no recruiter is "rater 1")
        hh_tables = hh_tables + hh_tables.transpose(0, 2, 1)
        human_kappa = kappa_with_ci(list(human_pairs["x"]) + list(human_pairs["y"]),
                                    list(human_pairs["y"]) + list(human_pairs["x"]), PREFERENCES, "linear",
                                    units=list(human_pairs["unit"]) * 2, n_boot=n_boot, seed=seed)
    human_alpha = None
    if not prefs.empty and human_pairs.shape[0]:
        raters = sorted(prefs["rater"].unique())
        matrix = np.full((len(raters), n_units), np.nan)
        rater_index = {r: i for i, r in enumerate(raters)}
        for (rater, unit), value in prefs.assign(unit=keys).groupby(["rater", "unit"])["pref"].mean().items():
            matrix[rater_index[rater], unit_index[unit]] = round(value)
        human_alpha = alpha_with_ci(matrix, "ordinal", n_boot=n_boot_alpha, seed=seed)

    rubrics = []
    for rubric, judged in judge_prefs.groupby("rubric", sort=True):
        merged = prefs.merge(judged[["first", "second", "pref"]].rename(columns={"pref": "judge"}),
                             on=["first", "second"])
        merged_keys = merged["first"].astype(str) + "-" + merged["second"].astype(str)
        jh = kappa_with_ci(list(merged["judge"]), list(merged["pref"]), PREFERENCES, "linear",
                           units=list(merged_keys), n_boot=n_boot, seed=seed)
        n_pairs = merged_keys.nunique()
        diff: float | None = None
        ci: tuple[float | None, float | None] = (None, None)
        if human_kappa is not None and human_kappa.estimate is not None and jh.estimate is not None and len(merged):
            jh_tables = unit_tables(code(merged["judge"]), code(merged["pref"]),
                                    merged_keys.map(unit_index).to_numpy(), n_units, k)
            diff = jh.estimate - human_kappa.estimate
            counts = bootstrap_counts(n_units, n_boot, seed + 1)
            boots = (kappa_of_tables(np.einsum("bu,ukl->bkl", counts, jh_tables), "linear")
                     - kappa_of_tables(np.einsum("bu,ukl->bkl", counts, hh_tables), "linear"))
            ci = percentile_ci(boots, 0.95)
        rubrics.append(RubricAgreement(str(rubric), judge_source, jh, diff, ci,
                                       _verdict(jh, diff, ci, n_pairs, human_kappa is not None), n_pairs))
    return JudgeAgreement(human_kappa, human_alpha, tuple(rubrics), n_units,
                          int(prefs["rater"].nunique()) if not prefs.empty else 0, simulated_judge)


def _verdict(jh: Agreement, diff: float | None, ci: tuple[float | None, float | None], n_pairs: int,
             has_baseline: bool) -> Verdict:
    if n_pairs < MIN_PAIRS or jh.estimate is None:
        return "too_few"
    low, high = ci
    if has_baseline and diff is not None and low is not None and high is not None:
        if high < 0:
            return "do_not_rely"
        if low > -MARGIN:
            return "as_well"
        return "unclear"
    if jh.ci_low is not None and jh.ci_low > SUBSTANTIAL:
        return "substantial"
    if jh.ci_high is not None and jh.ci_high < WEAK:
        return "weak"
    return "unclear"


_TEXT: dict[str, dict[str, str]] = {
    "as_well": {
        "en": "The judge agrees with your recruiters as well as they agree with each other on {rubric} "
              "(κ {jh} judge–recruiter vs {hh} recruiter–recruiter).",
        "nl": "De LLM-beoordelaar is het op {rubric} even goed met uw recruiters eens als zij onderling "
              "(κ {jh} beoordelaar–recruiter tegen {hh} recruiter–recruiter)."},
    "do_not_rely": {
        "en": "Do not rely on this judge for {rubric}: it agrees with your recruiters less than they agree with "
              "each other (κ {jh} judge–recruiter vs {hh} recruiter–recruiter).",
        "nl": "Vertrouw niet op deze LLM-beoordelaar voor {rubric}: hij is het minder met uw recruiters eens dan "
              "zij onderling (κ {jh} beoordelaar–recruiter tegen {hh} recruiter–recruiter)."},
    "substantial": {
        "en": "The judge agrees substantially with your recruiters on {rubric} (κ {jh}); no pair was rated by "
              "two recruiters, so there is no recruiter–recruiter agreement to compare with.",
        "nl": "De LLM-beoordelaar is het op {rubric} grotendeels met uw recruiters eens (κ {jh}); geen paar is "
              "door twee recruiters beoordeeld, dus er is geen onderlinge overeenstemming om mee te vergelijken."},
    "weak": {
        "en": "Do not rely on this judge for {rubric}: its agreement with your recruiters is weak (κ {jh}).",
        "nl": "Vertrouw niet op deze LLM-beoordelaar voor {rubric}: hij is het weinig met uw recruiters eens "
              "(κ {jh})."},
    "unclear": {
        "en": "Not clear yet whether the judge can stand in for your recruiters on {rubric} (κ {jh}{vs}); "
              "have more pairs rated, some by two recruiters.",
        "nl": "Nog niet duidelijk of de LLM-beoordelaar uw recruiters kan vervangen op {rubric} (κ {jh}{vs}); "
              "laat meer paren beoordelen, een deel door twee recruiters."},
    "too_few": {
        "en": "Too few rated pairs ({n}; need {min}) to tell whether the judge agrees with your recruiters on "
              "{rubric}.",
        "nl": "Te weinig beoordeelde paren ({n}; nodig: {min}) om te zeggen of de LLM-beoordelaar het op {rubric} "
              "met uw recruiters eens is."},
    "vs": {"en": " vs {hh} between recruiters", "nl": " tegen {hh} tussen recruiters"},
    "simulated": {"en": "SIMULATED judge: these agreement figures demonstrate the method, not a real judge.",
                  "nl": "SIMULATED beoordelaar: deze cijfers tonen de methode, niet een echte beoordelaar."},
}


def _num(agreement: Agreement | None, lang: Language) -> str:
    text = agreement.text() if agreement is not None else "n/a"
    if lang == "nl":
        text = text.replace(".", ",").replace("CI", "BI").replace(" to ", " tot ")
    return text


def verdict_sentence(r: RubricAgreement, lang: Language = "en", human: Agreement | None = None) -> str:
    hh = _num(human, lang)
    vs = _TEXT["vs"][lang].format(hh=hh) if human is not None and human.estimate is not None else ""
    return _TEXT[r.verdict][lang].format(rubric=r.rubric, jh=_num(r.judge_human, lang), hh=hh, vs=vs,
                                         n=r.n_pairs, min=MIN_PAIRS)


def summary_frame(result: JudgeAgreement) -> pd.DataFrame:
    """One row per rubric: κ judge–recruiter with CI, κ recruiter–recruiter, the difference, the verdict."""
    rows = []
    for r in result.rubrics:
        rows.append({
            "rubric": r.rubric, "source": r.source, "pairs": r.n_pairs,
            "kappa_judge_human": r.judge_human.estimate, "ci_low": r.judge_human.ci_low,
            "ci_high": r.judge_human.ci_high,
            "kappa_human_human": result.human_kappa.estimate if result.human_kappa else None,
            "difference": r.difference, "difference_ci_low": r.difference_ci[0],
            "difference_ci_high": r.difference_ci[1], "verdict": r.verdict,
        })
    return pd.DataFrame(rows)


def run_judge_agreement(store: Store, run_ref: str | int | None = None, *, seed: int = 0,
                        n_boot: int = N_BOOT) -> JudgeAgreement | None:
    """The judge's agreement with the recruiters in one run (None without recruiter ratings or judge).

    The pairwise judge's verdicts (ratings by ``llm-judge:<rubric>``, two per pair, order swapped) are used
    when the run has them; otherwise the judge's rubric scores of the two outputs."""
    from workbench.scoring.judge import judge_provenance
    from workbench.scoring.pairwise_judge import JUDGE_RATER_PREFIX, consolidate
    from workbench.store.frames import pair_ratings, run_header, scores_frame
    from workbench.store.queries import resolve_run_id

    with store.session() as session:
        run_id = resolve_run_id(session, run_ref)
        spec = run_header(session, run_id).spec
        ratings = pair_ratings(session, run_id)
        judged = ratings["rater"].astype(str).str.startswith(JUDGE_RATER_PREFIX)
        humans = ratings[~judged]
        if humans.empty:
            return None
        if judged.any():
            judge_prefs, source = consolidate(ratings[judged]), "pairwise"
        else:
            scores = scores_frame(session, run_id, metric_prefix="judge.")
            judge_prefs, source = preferences_from_scores(oriented_preferences(humans), scores), "scores"
    if judge_prefs.empty:
        return None
    provenance = judge_provenance(spec)
    return judge_agreement(humans, judge_prefs, judge_source=source, seed=seed, n_boot=n_boot,
                           simulated_judge=bool(provenance and provenance.simulated))
