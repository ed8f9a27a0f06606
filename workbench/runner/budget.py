"""One per-minute rate limit (requests, tokens, input or output tokens) as a token bucket the runner paces by.

The bucket refills at `HEADROOM` × the limit per window (a minute; `WORKBENCH_RATE_WINDOW_S` scales it for
benchmarks against a fake server that agrees) and holds at most `BURST_S` seconds' worth, so in
any 60-second window at most (BURST_S / 60 + HEADROOM) × limit ≈ 99.7% of the limit is sent: the
providers' own buckets hold a full minute (they would accept a burst of twice the limit in one minute
after a quiet one), so the runner's smoothness, not the server, keeps every minute under the limit.

A request may take the bucket into debt: it goes as soon as the level covers min(need, capacity), and
later requests wait until the debt is paid back. That lets a request larger than one second's budget
through (a 4,000-token request under 90k TPM) without ever raising the long-run rate. Reservations are
corrected when the response arrives (`refund`: the unused part of max_tokens goes back).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from workbench.errors import WorkbenchError

HEADROOM = 0.98  # pace at 98% of the limit: room for estimate errors and the burst
BURST_S = 1.0  # the bucket holds one second's worth of the limit
EPSILON = 1e-6  # units: a level this close to the need is enough

# Budget dimension -> the unit shown to users (the spec fields are workbench.spec.RATE_LIMIT_FIELDS).
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
    """A token bucket for one limit; all times are the caller's clock (seconds)."""

    limit: float  # per minute, this process's share
    level: float
    updated: float
    declared: bool = True  # from the spec (False: learned from the server's headers)
    window: float = 60.0  # seconds the limit is per

    @classmethod
    def start(
        cls, limit: float, now: float, *, declared: bool = True, spent: float = 0.0, window: float = 60.0
    ) -> Budget:
        """A full bucket, less `spent` (what was sent before the limit was known; at most a minute of debt)."""
        budget = cls(limit=limit, level=0.0, updated=now, declared=declared, window=window)
        budget.level = max(-limit, budget.capacity - spent)
        return budget

    @property
    def rate(self) -> float:
        return pacing_rate(self.limit, self.window)

    @property
    def capacity(self) -> float:
        """One second's worth of the limit (a 60th of it, whatever the window's length)."""
        return max(1.0, self.limit / 60.0 * BURST_S)

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, need: float, now: float) -> float:
        """Seconds until `need` may be sent (0: now)."""
        self._refill(now)
        threshold = min(need, self.capacity)
        # Ready a hair early: rounding must not leave a caller waiting for a millionth of a unit forever.
        return 0.0 if self.level >= threshold - EPSILON else (threshold - self.level) / self.rate

    def charge(self, amount: float, now: float) -> None:
        self._refill(now)
        self.level -= amount

    def refund(self, amount: float, now: float) -> None:
        """Give back `amount` (negative: charge more, when a response used more than was reserved)."""
        self._refill(now)
        self.level = min(self.capacity, self.level + amount)

    def clip(self, available: float, now: float) -> None:
        """The server has only `available` left (others share the limit): send no more than that for now."""
        self._refill(now)
        self.level = min(self.level, max(-self.limit, available))

    def set_limit(self, limit: float, now: float) -> None:
        """A new limit (e.g. the server reports a lower one than declared); the level is kept."""
        self._refill(now)
        self.limit = limit
        self.level = min(self.level, self.capacity)
