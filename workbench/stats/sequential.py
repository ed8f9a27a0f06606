"""Anytime-valid inference for sequential experiments: stop as soon as the answer is known, honestly.

A user who looks at a fixed-n test after every 10 cases and stops at the first p < α inflates the
false-positive rate far beyond α (with 20 looks, to about 20-25%). This module gives intervals and
p-values that stay valid at *every* look, however many there are and whenever the run stops.

Choice: asymptotic confidence sequences (CS) with the two-sided normal-mixture boundary
-------------------------------------------------------------------------------------------------
For the mean paired difference μ of a candidate against the baseline (one difference per case, the
case means of the repeats, as in the fixed-n analysis) after t cases:

    C_t = μ̂_t ± σ̂_t · sqrt( 2(tρ² + 1) / (t²ρ²) · log( sqrt(tρ² + 1) / α ) )

— the Gaussian-mixture boundary of Robbins (1970) as tightened by Howard, Ramdas, McAuliffe & Sekhon
(2021, "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist. 49(2),
eq. (3.7) and Prop. 5), used with an estimated variance as justified by Waudby-Smith, Arbour,
Sinha, Kennedy & Ramdas (2021, "Time-uniform central limit theory and asymptotic confidence
sequences", arXiv:2103.06476, Thm 2.2): P(∃t: μ ∉ C_t) → α. ρ sets the time where the boundary is
tightest; ``mixture_rho`` uses their choice ρ = sqrt((−2 log α + log(−2 log α + 1)) / t*).

Why this one, and not the alternatives the issue names:

* **Lan–DeMets alpha spending (O'Brien–Fleming)** needs the number and timing of the looks fixed in
  advance and is exact only for the planned schedule; a run that is resumed, stopped by the user, or
  whose cases partly fail (so a look has fewer paired cases than planned) breaks that schedule. A CS
  is valid at any stopping time, with no schedule at all.
* **Betting (hedged capital) CS** are nonasymptotic but need known bounds for every metric (a 1-10
  judge score is bounded, a word count is not) and cost an optimisation per look and candidate.
* The asymptotic CS needs only a finite variance, covers every metric the workbench scores (yes/no
  flags, 1-10 ratings, counts) with one formula, is closed-form (thousands of simulated runs per
  second), and reduces to the familiar "estimate ± multiple of the SE". Its validity is asymptotic, so
  two small-sample safeguards are built in and the error rate actually reached is measured by the
  calibration tests (tests/calibration/test_sequential_calibration.py): the variance is regularised
  by one pseudo-observation (``regularised_sd``: a run whose first cases all tie cannot get an
  interval of width zero), and no decision is taken before ``min_cases``.

Running intersection: the interval reported at a look is the intersection of every look's interval
so far (itself a valid CS), so a decision once reached never flips back. The anytime-valid p-value
is 1 / (the largest mixture martingale value seen), the smallest α at which some look's CS excluded 0.

Run-level error: every (candidate, model, primary metric) is one test in the primary family; each
test runs at α/K (Bonferroni over the K tests, fixed by the design, not by the data), so the chance
that a run with no real difference ever reports one is at most α (asymptotically).

Decisions per test, on the running interval [low, high] of the benefit (oriented so that positive is
better): ``better`` (low > 0), ``worse`` (high < 0), and — when the spec declares a non-inferiority
margin m for the metric — ``equivalent`` (−m < low and high < m: not worse by more than m and not
better by more than m, so more cases cannot show a difference that matters: futility). A metric
without a direction says ``higher`` / ``lower`` instead of better / worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .serialize import to_jsonable

DECISIONS = ("better", "worse", "higher", "lower", "equivalent", "undecided")
MIN_PAIRS = 2  # a variance needs two paired cases


def mixture_rho(alpha: float, target_n: float) -> float:
    """ρ that makes the normal-mixture boundary tightest after `target_n` cases (Howard et al. 2021)."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if target_n <= 0:
        raise ValueError("target_n must be positive")
    la = -2 * math.log(alpha)
    return math.sqrt((la + math.log(la + 1)) / target_n)


def boundary_multiplier(n: int, alpha: float, rho: float) -> float:
    """Half-width of the CS in units of σ̂ after n cases: sqrt(2(nρ²+1)/(n²ρ²) · log(sqrt(nρ²+1)/α))."""
    if n < 1:
        return math.inf
    v = n * rho * rho + 1.0
    return math.sqrt(2.0 * v / (n * n * rho * rho) * math.log(math.sqrt(v) / alpha))


def log_mixture_martingale(n: int, total: float, sd: float, rho: float) -> float:
    """log M_n of the normal-mixture martingale for H0: μ = 0, S_n = Σ d_i (M_n ≥ 1/α ⇔ C_n excludes 0)."""
    if n < 1 or not sd > 0:
        return 0.0
    v = n * rho * rho + 1.0
    return rho * rho * total * total / (2.0 * sd * sd * v) - 0.5 * math.log(v)


def regularised_sd(d: np.ndarray, prior_sd: float) -> float:
    """SD of the differences with one pseudo-observation of spread `prior_sd` added to the sum of squares.

    σ̃² = (Σ (d_i − d̄)² + s0²) / n. It tends to the sample variance as n grows (so the asymptotic
    guarantee is unchanged), but early cases that happen to tie (e.g. a yes/no flag that both
    prompts set on the first 10 cases) cannot give a zero-width interval and a false decision.
    """
    n = len(d)
    if n == 0:
        return math.nan
    ss = float(np.sum((d - d.mean()) ** 2)) if n > 1 else 0.0
    return math.sqrt((ss + prior_sd * prior_sd) / n)


def prior_sd_for(values: np.ndarray, binary: bool) -> float:
    """The pseudo-observation's spread: sqrt(2)·SD of the scores themselves (the SD of a difference of
    two unrelated scores); 1 for yes/no metrics (the largest SD a difference in {−1, 0, 1} can have)."""
    if binary:
        return 1.0
    finite = values[np.isfinite(values)]
    sd = float(np.std(finite, ddof=1)) if finite.size > 1 else 0.0
    return math.sqrt(2.0) * sd if sd > 0 else 1.0


@dataclass(frozen=True)
class Design:
    """The sequential design of one run: fixed before the first case is drawn."""

    max_cases: int
    look_every: int
    alpha: float  # run-level error rate
    n_tests: int  # K: candidates × models × primary metrics (Bonferroni family)
    min_cases: int = 0
    target_n: float | None = None  # where the boundary is tightest; default: see `rho`

    @property
    def test_alpha(self) -> float:
        return self.alpha / max(self.n_tests, 1)

    @property
    def rho(self) -> float:
        """Tightest boundary at a quarter of max_cases (at least one look, at least min_cases): most
        runs that stop early do so there, and the boundary widens only slowly beyond it."""
        target = self.target_n or max(self.max_cases / 4, self.look_every, self.min_cases, MIN_PAIRS)
        return mixture_rho(self.test_alpha, target)

    def looks(self) -> list[int]:
        """Cases completed at each look: every `look_every`, and the last look at max_cases."""
        points = list(range(self.look_every, self.max_cases, self.look_every))
        return [*points, self.max_cases]

    def radius(self, n: int, sd: float) -> float:
        return sd * boundary_multiplier(n, self.test_alpha, self.rho)


@dataclass(frozen=True)
class TestState:
    """One test (candidate × model × metric) after a look: what the next look continues from."""

    __test__ = False  # not a pytest class

    key: tuple[str, str, str]  # (model, metric, candidate)
    n: int = 0  # paired cases used
    estimate: float = math.nan  # mean benefit (positive = better, or higher for undirected metrics)
    sd: float = math.nan  # regularised SD of the differences
    low: float = -math.inf  # running intersection of the CS (benefit scale)
    high: float = math.inf
    max_log_m: float = 0.0  # largest log mixture martingale seen (anytime p = exp(−max_log_m))
    decision: str = "undecided"
    directed: bool = True  # False: the metric has no better direction (higher / lower)
    margin: float | None = None
    prior_sd: float | None = None  # the regularising pseudo-observation's spread (fixed at the first look)

    @property
    def p_value(self) -> float:
        """Anytime-valid p for "no difference" (unadjusted; multiply by K for the family)."""
        return min(1.0, math.exp(-self.max_log_m))

    @property
    def decided(self) -> bool:
        return self.decision != "undecided"

    def to_dict(self) -> dict[str, Any]:
        data = {
            "model": self.key[0], "metric": self.key[1], "candidate": self.key[2], "n": self.n,
            "estimate": self.estimate, "sd": self.sd, "low": self.low, "high": self.high,
            "max_log_m": self.max_log_m, "decision": self.decision, "directed": self.directed,
            "margin": self.margin, "prior_sd": self.prior_sd,
        }
        return dict(to_jsonable(data))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestState:
        def num(key: str, default: float) -> float:
            value = data.get(key)
            return default if value is None else float(value)

        return cls(
            key=(str(data["model"]), str(data["metric"]), str(data["candidate"])), n=int(data.get("n") or 0),
            estimate=num("estimate", math.nan), sd=num("sd", math.nan), low=num("low", -math.inf),
            high=num("high", math.inf), max_log_m=num("max_log_m", 0.0),
            decision=str(data.get("decision") or "undecided"), directed=bool(data.get("directed", True)),
            margin=None if data.get("margin") is None else float(data["margin"]),
            prior_sd=None if data.get("prior_sd") is None else float(data["prior_sd"]),
        )


def classify(low: float, high: float, margin: float | None, directed: bool = True) -> str:
    """The decision an interval [low, high] of the benefit supports (see the module docstring)."""
    if low > 0:
        return "better" if directed else "higher"
    if high < 0:
        return "worse" if directed else "lower"
    if margin is not None and -margin < low and high < margin:
        return "equivalent"
    return "undecided"


def update_test(
    previous: TestState, d: np.ndarray, design: Design, *, prior_sd: float, margin: float | None = None,
    directed: bool = True,
) -> TestState:
    """The test after a look with the paired benefits `d` of every case used so far (order does not matter:
    the CS at a look depends on the mean and variance of the cases drawn by then)."""
    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d)]
    n = int(d.size)
    state = replace(previous, margin=margin, directed=directed)
    if n < MIN_PAIRS:
        return replace(state, n=n, estimate=float(d.mean()) if n else math.nan)
    mean = float(d.mean())
    sd = regularised_sd(d, prior_sd)
    radius = design.radius(n, sd)
    low, high = max(previous.low, mean - radius), min(previous.high, mean + radius)
    if low > high:  # the running intersection is empty only when the CS has already failed: keep the newest
        low, high = mean - radius, mean + radius
    log_m = max(previous.max_log_m, log_mixture_martingale(n, mean * n, sd, design.rho))
    decision = previous.decision
    if decision == "undecided" and n >= design.min_cases:
        decision = classify(low, high, margin, directed)
    return TestState(previous.key, n, mean, sd, low, high, log_m, decision, directed, margin, prior_sd)


@dataclass
class LookResult:
    """Every test after one look, and whether the run stops here."""

    look: int  # 1-based
    cases: int  # cases drawn so far
    max_cases: int
    tests: list[TestState] = field(default_factory=list)

    @property
    def all_decided(self) -> bool:
        return bool(self.tests) and all(t.decided for t in self.tests)

    @property
    def stop(self) -> bool:
        return self.all_decided or self.cases >= self.max_cases


def fixed_n_for_power(d_z: float, power: float, alpha: float) -> int:
    """Cases a fixed-n paired t-test needs for `power` at effect d_z (two-sided α): the comparison design."""
    from .power import paired_t_sample_size

    return paired_t_sample_size(d_z, power=power, alpha=alpha)


def simulate_paths(
    d: np.ndarray, design: Design, *, prior_sd: float | np.ndarray, margin: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Run the sequential test on many simulated runs at once: `d` is (runs, max_cases) of paired benefits,
    `prior_sd` one value or one per run.

    Returns (cases used, decision code) per run; codes: 1 better, −1 worse, 2 equivalent, 0 undecided at
    max_cases. Vectorised for calibration; `update_test` gives the same answers one run at a time.
    """
    runs = d.shape[0]
    used = np.full(runs, design.max_cases)
    code = np.zeros(runs, dtype=int)
    low = np.full(runs, -np.inf)
    high = np.full(runs, np.inf)
    active = np.ones(runs, dtype=bool)
    csum = np.cumsum(d, axis=1)
    csq = np.cumsum(d * d, axis=1)
    for n in design.looks():
        if n < MIN_PAIRS:
            continue
        mean = csum[:, n - 1] / n
        ss = np.maximum(csq[:, n - 1] - n * mean * mean, 0.0)
        sd = np.sqrt((ss + np.square(prior_sd)) / n)
        radius = sd * boundary_multiplier(n, design.test_alpha, design.rho)
        low = np.maximum(low, mean - radius)
        high = np.minimum(high, mean + radius)
        if n < design.min_cases:
            continue
        now = np.zeros(runs, dtype=int)
        now[low > 0] = 1
        now[high < 0] = -1
        if margin is not None:
            now[(now == 0) & (low > -margin) & (high < margin)] = 2
        hit = active & (now != 0)
        used[hit] = n
        code[hit] = now[hit]
        active &= ~hit
        if not active.any():
            break
    return used, code


def naive_peeking(d: np.ndarray, looks: Sequence[int], alpha: float) -> np.ndarray:
    """For contrast: stop at the first look where a fixed-n paired t-test gives p < α (the wrong way).

    Returns True per run that ever "found" a difference.
    """
    from scipy import stats

    found = np.zeros(d.shape[0], dtype=bool)
    for n in looks:
        x = d[:, :n]
        sd = x.std(axis=1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = x.mean(axis=1) / (sd / math.sqrt(n))
        p = 2 * stats.t.sf(np.abs(np.nan_to_num(t, nan=0.0)), n - 1)
        found |= p < alpha
    return found
