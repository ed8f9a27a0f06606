"""Pairwise preference data: blind human A/B ratings and LLM-judge pairwise verdicts.

Input: ratings with columns ``case``, ``variant_a``, ``variant_b``, ``winner`` ("a" | "b" | "tie") and
``left`` (the variant shown on the left / first). Three analyses:

* per pair of variants, a sign test at the **case** level (a case counts for the variant that won more
  of its ratings; ties, including cases with equal wins, are reported but excluded from the binomial),
  Holm-corrected across pairs;
* a position-bias check: sign test of "the left/first option wins" over the pairs shown (a pair's
  ratings are not independent evidence about the side, see PositionBias);
* Bradley–Terry strengths fitted with the MM algorithm of Hunter (2004). **Ties count as half a win
  for each side** (not Davidson's tie model): simple, keeps the MM update, and treats a tie as equal
  evidence for both. CIs from a case bootstrap (resampling whole cases) when there are ≥ 3 variants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse.csgraph import connected_components

from workbench.number_format import p_relation

from .diagnostics import StatWarning
from .multiplicity import CORRECTION_NAMES, adjust_pvalues, correction_key
from .resampling import resample_counts
from .serialize import dataclass_dict, to_jsonable

PREFERENCE_COLUMNS = ("case", "variant_a", "variant_b", "winner", "left")
MIN_DECIDED_CASES = 6


@dataclass
class PairPreference:
    """Sign test for one pair: how often ``variant_x`` beats ``variant_y`` across cases."""

    variant_x: str
    variant_y: str
    n_ratings: int
    ratings_x: int
    ratings_y: int
    ratings_tied: int
    n_cases: int
    cases_x: int
    cases_y: int
    cases_tied: int  # ties are reported, not part of the binomial
    win_rate: float | None  # x's share of decided cases
    ci_low: float | None  # Clopper–Pearson
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None = None
    correction: str = "holm"
    alpha: float = 0.05
    significant: bool = False
    descriptive_only: bool = False
    warnings: list[StatWarning] = field(default_factory=list)

    def sentence(self) -> str:
        decided = self.cases_x + self.cases_y
        if decided == 0:
            return (
                f"{self.variant_x} vs {self.variant_y}: no decided cases "
                f"({self.cases_tied} tied, {self.n_ratings} ratings)"
            )
        leader, other, wins = (
            (self.variant_x, self.variant_y, self.cases_x)
            if self.cases_x >= self.cases_y
            else (self.variant_y, self.variant_x, self.cases_y)
        )
        share = wins / decided
        lo, hi = (
            (self.ci_low, self.ci_high)
            if leader == self.variant_x
            else (
                None if self.ci_high is None else 1 - self.ci_high,
                None if self.ci_low is None else 1 - self.ci_low,
            )
        )
        ci = f", 95% CI {lo:.0%} to {hi:.0%}" if lo is not None and hi is not None else ""
        head = (
            f"{leader} preferred over {other} in {wins} of {decided} decided cases ({share:.0%}{ci}; "
            f"{self.cases_tied} tied cases, {self.n_ratings} ratings)"
        )
        if self.descriptive_only:
            return head + ": descriptive only (too few decided cases)"
        adj = ""
        if self.correction != "none" and self.p_adjusted is not None:
            adj = f", {CORRECTION_NAMES[self.correction]}-adjusted p{p_relation(self.p_adjusted)}"
        verdict = "significant" if self.significant else "not significant"
        return f"{head}, sign test p{p_relation(self.p_value)}{adj}: {verdict}"

    def to_dict(self) -> dict[str, Any]:
        out = dataclass_dict(self)
        out["sentence"] = self.sentence()
        return out


@dataclass
class PositionBias:
    """Does the option shown left / first win more often? Tested over the pairs shown, not the ratings.

    Every recruiter sees a pair the same way round (and the LLM judge sees each pair once in each order),
    so several ratings of one pair are not independent evidence about the side: when raters agree on the
    better text, they all pick the same side. A pair counts for "left" when the left side won more of its
    decided ratings, for "right" when fewer; the sign test over those pairs is exact under no position
    bias, because which side a text is shown on was decided by a fair coin (or both orders). A binomial
    test over ratings said "position bias" in 12 % (3 raters per pair) and 22 % (5 raters) of review rounds
    without any (tests/calibration/test_preference_calibration.py)."""

    n_ratings: int
    n_decided: int  # decided ratings with a known left/first option
    n_ties: int
    left_wins: int
    left_win_rate: float | None  # share of decided ratings (descriptive)
    ci_low: float | None  # Clopper–Pearson, of the share of decided pairs with the left side ahead
    ci_high: float | None
    p_value: float | None  # sign test over pairs
    alpha: float = 0.05
    n_pairs: int = 0  # pairs shown with at least one decided rating
    pairs_left: int = 0  # pairs whose left/first option won more of their decided ratings
    pairs_right: int = 0

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < self.alpha

    @property
    def pairs_even(self) -> int:
        return self.n_pairs - self.pairs_left - self.pairs_right

    def sentence(self) -> str:
        if not self.n_decided:
            return "position bias: no decided ratings with a known left/first option"
        text = (
            f"left/first option won {self.left_wins} of {self.n_decided} decided ratings "
            f"({self.left_win_rate:.0%}); per pair shown: left ahead in {self.pairs_left}, right ahead in "
            f"{self.pairs_right}, even in {self.pairs_even}"
        )
        if self.p_value is not None and self.ci_low is not None and self.ci_high is not None:
            share = self.pairs_left / (self.pairs_left + self.pairs_right)
            text += (f" (left {share:.0%} of the decided pairs, 95% CI {self.ci_low:.0%} to {self.ci_high:.0%}), "
                     f"sign test over pairs p{p_relation(self.p_value)}")
        if self.p_value is None:
            return text + ": no pair had a side ahead, so there is nothing to test"
        if self.significant:
            return text + ": position bias — randomise and counterbalance the order"
        return text + ": no significant position bias"

    def to_dict(self) -> dict[str, Any]:
        out = dataclass_dict(self)
        out["significant"] = self.significant
        out["sentence"] = self.sentence()
        return out


@dataclass
class BradleyTerryFit:
    """Bradley–Terry log-strengths, centred to mean 0 (0 = a variant of average strength).

    ``win_prob_vs_average`` = 1 / (1 + exp(−θ)): chance to beat an average-strength variant.
    """

    variants: list[str]
    log_strength: list[float]
    ci_low: list[float] | None
    ci_high: list[float] | None
    win_prob_vs_average: list[float]
    converged: bool
    iterations: int
    ties: str = "split: a tie counts as half a win for each side"
    n_bootstrap: int = 0
    warnings: list[StatWarning] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "variant": self.variants,
                "log_strength": self.log_strength,
                "win_prob_vs_average": self.win_prob_vs_average,
            }
        )
        if self.ci_low is not None and self.ci_high is not None:
            frame["ci_low"], frame["ci_high"] = self.ci_low, self.ci_high
        return frame.sort_values("log_strength", ascending=False, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return dataclass_dict(self)


@dataclass
class PreferenceAnalysis:
    pairs: list[PairPreference]
    position_bias: PositionBias
    bradley_terry: BradleyTerryFit | None
    alpha: float
    correction: str
    warnings: list[StatWarning] = field(default_factory=list)

    def sentences(self) -> list[str]:
        return [p.sentence() for p in self.pairs] + [self.position_bias.sentence()]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.to_dict() for p in self.pairs])

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "correction": self.correction,
            "pairs": [p.to_dict() for p in self.pairs],
            "position_bias": self.position_bias.to_dict(),
            "bradley_terry": None if self.bradley_terry is None else self.bradley_terry.to_dict(),
            "warnings": to_jsonable(self.warnings),
        }


def _mm(wins: np.ndarray, *, max_iter: int, tol: float) -> tuple[np.ndarray, bool, int]:
    """Hunter (2004) MM iterations for a stack of win matrices (B × k × k) → log-strengths (B × k)."""
    w = np.asarray(wins, dtype=float)
    b, k, _ = w.shape
    total_wins = w.sum(axis=2)
    games = w + np.transpose(w, (0, 2, 1))
    games[:, np.arange(k), np.arange(k)] = 0.0
    gamma = np.ones((b, k))
    converged = False
    it = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for it in range(1, max_iter + 1):  # noqa: B007 - the final count is reported
            denom = (games / (gamma[:, :, None] + gamma[:, None, :])).sum(axis=2)
            new = np.where(denom > 0, total_wins / denom, gamma)
            new /= new.sum(axis=1, keepdims=True) / k  # scale is not identified: fix mean γ = 1
            delta = np.abs(np.log(new) - np.log(gamma))
            gamma = new
            if np.nanmax(np.where(np.isfinite(delta), delta, 0.0)) < tol:
                converged = True
                break
        theta = np.log(gamma)
    finite = np.where(np.isfinite(theta), theta, np.nan)
    centre = np.nanmean(finite, axis=1, keepdims=True)
    return theta - centre, converged, it


def bradley_terry(
    wins: np.ndarray, *, max_iter: int = 10_000, tol: float = 1e-12
) -> tuple[np.ndarray, bool, int]:
    """Maximum-likelihood Bradley–Terry log-strengths (mean 0) from a k × k matrix, wins[i, j] = i beat j.

    Exists and is unique iff the "beat" graph is strongly connected (Hunter 2004, Assumption 1).
    """
    theta, ok, it = _mm(np.asarray(wins, dtype=float)[None], max_iter=max_iter, tol=tol)
    return theta[0], ok, it


def _validate(ratings: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in PREFERENCE_COLUMNS if c not in ratings.columns and c != "left"]
    if missing:
        raise ValueError(f"ratings frame lacks columns {missing}")
    frame = ratings.copy()
    if "left" not in frame.columns:
        frame["left"] = None
    frame["winner"] = frame["winner"].astype(str).str.strip().str.lower()
    bad = ~frame["winner"].isin(["a", "b", "tie"])
    if bad.any():
        raise ValueError(
            f"winner must be 'a', 'b' or 'tie' (got {sorted(frame.loc[bad, 'winner'].unique())[:5]})"
        )
    same = frame["variant_a"].astype(str) == frame["variant_b"].astype(str)
    if same.any():
        raise ValueError("a rating compares a variant with itself")
    for col in ("case", "variant_a", "variant_b"):
        frame[col] = frame[col].astype(str)
    return frame


def analyse_preferences(
    ratings: pd.DataFrame,
    *,
    alpha: float = 0.05,
    correction: str = "holm",
    reference: str | None = None,
    seed: int = 0,
    n_bootstrap: int = 2_000,
) -> PreferenceAnalysis:
    """Sign tests per pair (Holm), position-bias test and Bradley–Terry fit for pairwise ratings.

    ``reference`` (e.g. the baseline prompt) is put second in every pair that contains it.
    """
    corr = correction_key(correction)
    frame = _validate(ratings)
    a, b = frame["variant_a"].to_numpy(), frame["variant_b"].to_numpy()
    winner = frame["winner"].to_numpy()
    # outcome from a's point of view: +1 win, −1 loss, 0 tie
    score_a = np.where(winner == "a", 1, np.where(winner == "b", -1, 0))
    # orient each rating as (x, y) with the reference (or the alphabetically later name) as y
    swap = a > b
    if reference is not None:
        has_ref = (a == reference) | (b == reference)
        swap = np.where(has_ref, a == reference, swap)
    x = np.where(swap, b, a)
    y = np.where(swap, a, b)
    score_x = np.where(swap, -score_a, score_a)
    work = pd.DataFrame({"case": frame["case"].to_numpy(), "x": x, "y": y, "s": score_x})

    pairs: list[PairPreference] = []
    for (vx, vy), grp in work.groupby(["x", "y"], sort=True):
        s = grp["s"].to_numpy()
        net = grp.groupby("case")["s"].sum().to_numpy()
        cx, cy = int((net > 0).sum()), int((net < 0).sum())
        decided = cx + cy
        notes: list[StatWarning] = []
        descriptive = decided < MIN_DECIDED_CASES
        if descriptive:
            notes.append(StatWarning("small_n", f"only {decided} decided case(s): descriptive only"))
        if len(net) and (len(net) - decided) / len(net) > 0.5:
            notes.append(StatWarning("heavy_ties", f"{len(net) - decided} of {len(net)} cases tied"))
        rate = lo = hi = p = None
        if decided:
            bt = stats.binomtest(cx, decided, 0.5)
            ci = bt.proportion_ci(0.95, method="exact")
            rate, lo, hi = cx / decided, float(ci.low), float(ci.high)
            p = None if descriptive else float(bt.pvalue)
        pairs.append(
            PairPreference(
                str(vx),
                str(vy),
                len(s),
                int((s > 0).sum()),
                int((s < 0).sum()),
                int((s == 0).sum()),
                len(net),
                cx,
                cy,
                len(net) - decided,
                rate,
                lo,
                hi,
                p,
                correction=corr,
                alpha=alpha,
                descriptive_only=descriptive,
                warnings=notes,
            )
        )
    tested = [p for p in pairs if p.p_value is not None]
    if tested:
        p_values = [float(p.p_value) for p in tested if p.p_value is not None]
        for pp, adj in zip(tested, adjust_pvalues(p_values, corr), strict=True):
            pp.p_adjusted = float(adj)
            pp.significant = bool(adj < alpha)

    position = _position_bias(frame, winner, alpha)
    bt_fit = _bt_with_bootstrap(frame, score_a, seed=seed, n_bootstrap=n_bootstrap)
    return PreferenceAnalysis(pairs, position, bt_fit, alpha, corr)


def _position_bias(frame: pd.DataFrame, winner: np.ndarray, alpha: float) -> PositionBias:
    left = frame["left"].astype(object).to_numpy()
    a, b = frame["variant_a"].to_numpy(), frame["variant_b"].to_numpy()
    left_s = np.array(
        [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in left],
        dtype=object,
    )
    known = (left_s == a) | (left_s == b)
    decided = known & (winner != "tie")
    left_won = decided & (((winner == "a") & (left_s == a)) | ((winner == "b") & (left_s == b)))
    n_dec, k = int(decided.sum()), int(left_won.sum())
    ties = int((known & (winner == "tie")).sum())
    if n_dec == 0:
        return PositionBias(len(frame), 0, ties, 0, None, None, None, None, alpha)
    # the pair as shown: its two outputs (either order) when the ratings name them, else the case, the two
    # variants and, when given, the model
    if {"output_a_id", "output_b_id"} <= set(frame.columns):
        ids = frame[["output_a_id", "output_b_id"]].astype(str).to_numpy()
        low, high, case_key = ids.min(axis=1), ids.max(axis=1), np.full(len(frame), "")
    else:
        low, high, case_key = np.minimum(a, b), np.maximum(a, b), frame["case"].to_numpy()
    shown = pd.DataFrame({"case": case_key, "low": low, "high": high,
                          "model": frame["model"].astype(str).to_numpy() if "model" in frame.columns else "",
                          "net": np.where(left_won, 1, -1)})[decided]
    net = shown.groupby(["case", "low", "high", "model"], sort=False)["net"].sum().to_numpy()
    ahead_left, ahead_right = int((net > 0).sum()), int((net < 0).sum())
    ci_low = ci_high = p = None
    if ahead_left + ahead_right:
        bt = stats.binomtest(ahead_left, ahead_left + ahead_right, 0.5)
        ci = bt.proportion_ci(0.95, method="exact")
        ci_low, ci_high, p = float(ci.low), float(ci.high), float(bt.pvalue)
    return PositionBias(len(frame), n_dec, ties, k, k / n_dec, ci_low, ci_high, p, alpha,
                        n_pairs=len(net), pairs_left=ahead_left, pairs_right=ahead_right)


def _bt_with_bootstrap(
    frame: pd.DataFrame, score_a: np.ndarray, *, seed: int, n_bootstrap: int
) -> BradleyTerryFit | None:
    names = sorted(set(frame["variant_a"]) | set(frame["variant_b"]))
    k = len(names)
    if k < 2:
        return None
    index = {v: i for i, v in enumerate(names)}
    ia = frame["variant_a"].map(index).to_numpy()
    ib = frame["variant_b"].map(index).to_numpy()
    case_codes, _ = pd.factorize(frame["case"])
    n_cases = int(case_codes.max()) + 1
    # per-case win matrices: a win adds 1 to wins[winner, loser]; a tie adds 0.5 both ways
    wa = np.where(score_a > 0, 1.0, np.where(score_a == 0, 0.5, 0.0))
    wb = np.where(score_a < 0, 1.0, np.where(score_a == 0, 0.5, 0.0))
    per_case = np.zeros((n_cases, k * k))
    np.add.at(per_case, (case_codes, ia * k + ib), wa)
    np.add.at(per_case, (case_codes, ib * k + ia), wb)
    wins = per_case.sum(axis=0).reshape(k, k)
    notes: list[StatWarning] = []
    n_comp, _ = connected_components(wins > 0, directed=True, connection="strong")
    if n_comp > 1:
        notes.append(
            StatWarning(
                "bt_not_connected",
                "some variant never wins (or never loses) against the "
                "rest: strengths at the boundary are not finite",
            )
        )
    theta, ok, it = bradley_terry(wins)
    lo = hi = None
    n_boot = 0
    if k >= 3 and n_bootstrap > 0 and n_cases >= 2:
        rng = np.random.default_rng(seed)
        counts = resample_counts(rng, n_cases, n_bootstrap).astype(float)
        boot_wins = (counts @ per_case).reshape(n_bootstrap, k, k)
        # degenerate resamples converge slowly towards ±inf; capping iterations bounds the cost
        boot, _, _ = _mm(boot_wins, max_iter=2_000, tol=1e-8)
        # boundary resamples give ±inf: stand in a huge finite value so percentiles interpolate cleanly
        big = np.where(np.isfinite(boot), boot, np.sign(boot) * 1e300)
        lo = _unbounded(np.nanpercentile(big, 2.5, axis=0)).tolist()
        hi = _unbounded(np.nanpercentile(big, 97.5, axis=0)).tolist()
        n_boot = n_bootstrap
    with np.errstate(over="ignore"):
        prob = (1.0 / (1.0 + np.exp(-theta))).tolist()
    return BradleyTerryFit(names, theta.tolist(), lo, hi, prob, ok, it, n_bootstrap=n_boot, warnings=notes)


def _unbounded(x: np.ndarray) -> np.ndarray:
    return np.where(np.abs(x) >= 1e299, np.copysign(np.inf, x), x)
