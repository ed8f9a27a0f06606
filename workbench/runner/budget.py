"""One per-minute rate limit (requests, tokens, input or output tokens) as the runner paces by it.

Two rules, both in this process's own accounting (what it sent, corrected to what responses report):

* a token bucket that refills at `HEADROOM` × the limit per window (a minute; `WORKBENCH_RATE_WINDOW_S`
  scales it for benchmarks against a fake server that agrees) and holds `BURST_S` seconds' worth, so the
  pace is smooth, and a stall (a busy CPU, a slow response) can be caught up on afterwards;
* a log of the last window's sends that never lets it hold more than `WINDOW_SHARE` of the limit, so no
  60-second window goes over the limit, bursts included. (A sequence that keeps every window under
  the limit is also accepted by the providers' own token buckets, which hold a whole minute.)

A request may take the bucket into debt: it goes as soon as the level covers min(need, capacity), and
later requests wait until the debt is paid back. That lets a request larger than the burst through (a
40,000-token request under 90k TPM) without ever raising the long-run rate. Reservations are corrected
when the response arrives (`refund`: the unused part of max_tokens goes back).
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field

from workbench.errors import WorkbenchError

HEADROOM = 0.98  # pace at 98% of the limit: room for estimate errors
BURST_S = 5.0  # the bucket holds five seconds' worth of the limit (catching up after a stall)
WINDOW_SHARE = 0.99  # at most this much of the limit in any window
EPSILON = 1e-6  # units: a level this close to the need is enough

# Budget dimension -> the unit shown to users (the spec fields are workbench.experiment.spec.RATE_LIMIT_FIELDS).
UNITS = {"requests": "RPM", "tokens": "TPM", "input_tokens": "ITPM", "output_tokens": "OTPM"}


WINDOW_ENV = "WORKBENCH_RATE_WINDOW_S"  # seconds in a rate-limit "minute": 60 unless a test time base is agreed


def window_s() -> float:
    """The length of a rate-limit window in seconds (60; a benchmark may agree a shorter one with its server)."""
    raw = os.environ.get(WINDOW_ENV)
    if not raw:
        return 60.0
    try:
        value = float(raw)
    except ValueError:
        raise WorkbenchError(f"{WINDOW_ENV} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise WorkbenchError(f"{WINDOW_ENV} must be positive, not {raw!r}")
    return value


def pacing_rate(per_minute: float, window: float = 60.0) -> float:
    """Units per second the runner sends at under a limit of `per_minute` (per `window` seconds)."""
    return per_minute * HEADROOM / window


@dataclass
class Budget:
    """A token bucket and a window log for one limit; all times are the caller's clock (seconds)."""

    limit: float  # per window, this process's share
    level: float
    updated: float
    declared: bool = True  # from the spec (False: learned from the server's headers)
    window: float = 60.0  # seconds the limit is per
    log: deque[list[float]] = field(default_factory=deque)  # [time, amount] sent in the last window
    used: float = 0.0  # the sum of the log

    @classmethod
    def start(
        cls, limit: float, now: float, *, declared: bool = True, spent: float = 0.0, window: float = 60.0
    ) -> Budget:
        """A full bucket, less `spent` (what was sent before the limit was known, counted as sent now)."""
        budget = cls(limit=limit, level=0.0, updated=now, declared=declared, window=window)
        budget.level = max(-limit, budget.capacity - spent)
        if spent > 0:
            budget.log.append([now, spent])
            budget.used = spent
        return budget

    @property
    def rate(self) -> float:
        return pacing_rate(self.limit, self.window)

    @property
    def capacity(self) -> float:
        """`BURST_S` seconds' worth of the limit (a 60th of it per second, whatever the window's length)."""
        return max(1.0, self.limit / 60.0 * BURST_S)

    @property
    def ceiling(self) -> float:
        """The most the window log may hold."""
        return self.limit * WINDOW_SHARE

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
            self.updated = now
        horizon = now - self.window
        # Answers re-stamp their entries, so the log is only roughly in time order: an entry expires once
        # it and those before it have (later than exact, never earlier).
        while self.log and self.log[0][0] <= horizon:
            self.used -= self.log.popleft()[1]

    def wait(self, need: float, now: float) -> float:
        """Seconds until `need` may be sent (0: now)."""
        self._refill(now)
        threshold = min(need, self.capacity)
        # Ready a hair early: rounding must not leave a caller waiting for a millionth of a unit forever.
        bucket = 0.0 if self.level >= threshold - EPSILON else (threshold - self.level) / self.rate
        return max(bucket, self._window_wait(need, now))

    def _window_wait(self, need: float, now: float) -> float:
        """Seconds until the window log has room for `need` (a need above the ceiling waits for an empty log)."""
        excess = self.used + need - self.ceiling
        if excess <= EPSILON or not self.log:
            return 0.0
        if need >= self.ceiling:
            return max(0.0, self.log[-1][0] + self.window - now)
        freed = 0.0
        for sent_at, amount in self.log:
            freed += amount
            if freed >= excess - EPSILON:
                return max(0.0, sent_at + self.window - now)
        return max(0.0, self.log[-1][0] + self.window - now)

    def charge(self, amount: float, now: float) -> list[float]:
        """Send `amount` now; returns its log entry (pass it to `refund`)."""
        self._refill(now)
        self.level -= amount
        entry = [now, amount]
        self.log.append(entry)
        self.used += amount
        return entry

    def refund(self, amount: float, now: float, entry: list[float] | None = None) -> None:
        """The answer to a call arrived: give back `amount` (negative: charge more, when a response used
        more than was reserved); its log `entry` now counts from the answer's time, because the server
        admitted the call somewhere between sending and answering (a new connection can take a while)."""
        self._refill(now)
        self.level = min(self.capacity, self.level + amount)
        if entry is not None and entry[0] > now - self.window:  # still in the log
            entry[0] = now
            entry[1] -= amount
            self.used -= amount

    def clip(self, available: float, now: float) -> None:
        """The server has only `available` left (others share the limit): send no more than that for now."""
        self._refill(now)
        self.level = min(self.level, max(-self.limit, available))

    def set_limit(self, limit: float, now: float) -> None:
        """A new limit (e.g. the server reports a lower one than declared); the level is kept."""
        self._refill(now)
        self.limit = limit
        self.level = min(self.level, self.capacity)
