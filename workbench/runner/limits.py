"""Per-connection concurrency and per-model pacing: declared limits, limits learnt from headers, AIMD.

A call passes three gates, in this order:

1. the model's adaptive window (`AIMD`: calls in flight, cut on 429/529, regrown on success, never above
   the configured concurrency);
2. the connection's semaphore (the configured concurrency, shared by the models on one connection);
3. the model's budgets: one token bucket (`Budget`) per per-minute limit, declared in the spec (`rpm`,
   `tpm`, `itpm`, `otpm`) or reported by the provider's rate-limit headers. The request's cost is
   estimated before sending (`TokenEstimator`: prompt tokens from characters, corrected by the usage
   responses report, plus `max_tokens` reserved for the answer) and settled to the reported usage when
   the response arrives.

Real providers enforce their limits per model, so budgets and windows are per model; what a worker
process gets is its share (`share`) of each.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.providers.base import Completion, CompletionRequest, ProviderError
from workbench.providers.rate_headers import DIMENSIONS, LimitReading
from workbench.runner.aimd import AIMD
from workbench.runner.budget import Budget, window_s
from workbench.runner.token_estimate import Reservation, TokenEstimator

OVERLOAD_STATUSES = frozenset({429, 529})
WAITING = {
    "requests": "waiting for request budget",
    "tokens": "waiting for token budget",
    "input_tokens": "waiting for input-token budget",
    "output_tokens": "waiting for output-token budget",
}
SENDING = "sending"
BACKING_OFF = "backing off (429)"


@dataclass
class Ticket:
    """One call's claim on a model's budgets, settled when its answer (or failure) arrives."""

    reservation: Reservation
    needs: dict[str, float]  # what was charged, by dimension
    send: int = 0  # the AIMD ticket
    entries: dict[str, list[float]] = field(default_factory=dict)  # the budgets' log entries for it


@dataclass
class Pacer:
    """Paces one model: its adaptive window and its budgets (declared, or learnt from headers)."""

    maximum: int  # calls in flight at most (the connection's concurrency, this process's share)
    declared: Mapping[str, float] = field(default_factory=dict)  # per-minute limits by dimension
    share: float = 1.0  # this process's part of every limit (1/workers)
    window: float = 60.0  # seconds in a rate-limit "minute"
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    on_change: Callable[[], None] | None = None  # the window or the state changed (progress display)
    budgets: dict[str, Budget] = field(default_factory=dict)
    estimator: TokenEstimator = field(default_factory=TokenEstimator)
    state: str = SENDING
    inflight: int = 0

    def __post_init__(self) -> None:
        self.aimd = AIMD(self.maximum)
        now = self.clock()
        for dimension, limit in self.declared.items():
            self.budgets[dimension] = Budget.start(limit * self.share, now, window=self.window)
        self._lock = asyncio.Lock()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.outstanding = dict.fromkeys(DIMENSIONS, 0.0)  # charged for calls not yet answered
        self.sent = dict.fromkeys(DIMENSIONS, 0.0)  # charged so far, settled to the reported usage
        self.started: float | None = None
        self.learnt: set[str] = set()  # dimensions whose limit came from the headers

    # -- the adaptive window ------------------------------------------------------------------------
    @property
    def limit(self) -> int:
        return self.aimd.limit

    async def enter(self) -> None:
        """Wait for room in the window."""
        if self.inflight < self.aimd.limit and not self._waiters:
            self.inflight += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.leave()  # the slot was handed over just as we were cancelled: pass it on
            else:
                self._waiters.remove(waiter)
            raise

    def leave(self) -> None:
        self.inflight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.inflight < self.aimd.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.inflight += 1
                waiter.set_result(None)

    # -- budgets ------------------------------------------------------------------------------------
    def needs(self, reservation: Reservation) -> dict[str, float]:
        return {
            "requests": 1.0,
            "tokens": float(reservation.tokens),
            "input_tokens": float(reservation.input_tokens),
            "output_tokens": float(reservation.output_tokens),
        }

    def _wait(self, needs: dict[str, float], now: float) -> tuple[float, str]:
        longest, binding = 0.0, ""
        for dimension, budget in self.budgets.items():
            wait = budget.wait(needs[dimension], now)
            if wait > longest:
                longest, binding = wait, dimension
        return longest, binding

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            if self.on_change is not None:
                self.on_change()

    async def reserve(self, request: CompletionRequest) -> Ticket:
        """Wait until the budgets allow `request`, and charge them its estimated cost."""
        reservation = self.estimator.reserve(request)
        needs = self.needs(reservation)
        if self.budgets:
            async with self._lock:  # first come, first served: a large request is not overtaken forever
                while True:
                    now = self.clock()
                    wait, binding = self._wait(needs, now)
                    if wait <= 0:
                        break
                    self._set_state(WAITING[binding])
                    await self.sleep(wait)
                entries = {dim: budget.charge(needs[dim], now) for dim, budget in self.budgets.items()}
                self._set_state(SENDING)
        else:
            entries = {}
        if self.started is None:
            self.started = self.clock()
        for dimension, amount in needs.items():
            self.outstanding[dimension] += amount
            self.sent[dimension] += amount
        return Ticket(reservation, needs, self.aimd.on_send(), entries)

    def settle(self, ticket: Ticket, completion: Completion | None = None, error: BaseException | None = None) -> None:
        """The call ended: correct the budgets to what it used, learn from its usage and headers, adapt."""
        now = self.clock()
        needs = ticket.needs
        for dimension, amount in needs.items():
            self.outstanding[dimension] -= amount
        readings: Mapping[str, LimitReading] | None = None
        if completion is not None:
            reserved = ticket.reservation
            self.estimator.learn(reserved, completion.input_tokens, completion.output_tokens)
            used_in = completion.input_tokens or reserved.input_tokens
            used_out = completion.output_tokens if (completion.input_tokens or completion.output_tokens) else (
                reserved.output_tokens
            )
            used = {"requests": 1.0, "tokens": float(used_in + used_out),
                    "input_tokens": float(used_in), "output_tokens": float(used_out)}
            before = self.aimd.limit
            self.aimd.on_success(ticket.send)
            if self.aimd.limit != before and self.on_change is not None:
                self.on_change()  # the window grew by one call
            readings = completion.rate_limits
        else:
            # A failed call: the request counts, its tokens (never processed) come back.
            used = {"requests": 1.0, "tokens": 0.0, "input_tokens": 0.0, "output_tokens": 0.0}
            status = getattr(error, "status", None)
            if isinstance(error, ProviderError):
                readings = error.rate_limits
            if status in OVERLOAD_STATUSES and self.aimd.on_overload(ticket.send):
                if self.state != BACKING_OFF:
                    self._set_state(BACKING_OFF)
                elif self.on_change is not None:
                    self.on_change()  # cut again
        for dimension, budget in self.budgets.items():
            budget.refund(needs[dimension] - used[dimension], now, ticket.entries.get(dimension))
        for dimension in DIMENSIONS:
            self.sent[dimension] += used[dimension] - needs[dimension]
        if readings:
            self.observe(readings, now)
        if completion is not None and self.state == BACKING_OFF:
            self._set_state(SENDING)
        self._wake()  # the window may have grown

    def observe(self, readings: Mapping[str, LimitReading], now: float) -> None:
        """A response's rate-limit headers: learn undeclared limits, respect lower ones, and hold back
        when the server has less left than this process is about to send (others share the limit)."""
        for dimension, reading in readings.items():
            if dimension not in self.outstanding:
                continue
            limit = reading.limit * self.share
            budget = self.budgets.get(dimension)
            if budget is None:
                recent = self.started is not None and now - self.started < self.window
                spent = self.sent[dimension] if recent else self.outstanding[dimension]
                budget = Budget.start(limit, now, declared=False, spent=spent, window=self.window)
                self.budgets[dimension] = budget
                self.learnt.add(dimension)
            elif limit < budget.limit * 0.999 or (not budget.declared and abs(limit - budget.limit) > 1e-9):
                budget.set_limit(limit, now)
            budget.clip(reading.remaining * self.share - self.outstanding[dimension], now)


class Limits:
    """A semaphore per provider connection and a Pacer per model."""

    def __init__(self, *, share: float = 1.0, window: float | None = None) -> None:
        self._semaphores: dict[object, asyncio.Semaphore] = {}
        self._concurrency: dict[object, int] = {}
        self._pacers: dict[tuple[object, str], Pacer] = {}
        self._declared: dict[tuple[object, str], dict[str, float]] = {}
        self.share = share
        self.window = window_s() if window is None else window
        self.on_change: Callable[[], None] | None = None

    def configure(
        self, key: object, concurrency: int, model: str = "", limits: Mapping[str, float] | None = None
    ) -> None:
        """Connection `key` runs at most `concurrency` calls at once; `model` on it has these per-minute
        `limits` (by dimension, the whole account's: this process takes its `share`)."""
        self._semaphores.setdefault(key, asyncio.Semaphore(concurrency))
        self._concurrency.setdefault(key, concurrency)
        if limits:
            self._declared.setdefault((key, model), dict(limits))

    def semaphore(self, key: object) -> asyncio.Semaphore:
        return self._semaphores[key]

    def pacer(self, key: object, model: str) -> Pacer:
        pacer = self._pacers.get((key, model))
        if pacer is None:
            pacer = Pacer(
                self._concurrency.get(key, 1),
                self._declared.get((key, model), {}),
                share=self.share,
                window=self.window,
                on_change=self._changed,
            )
            self._pacers[(key, model)] = pacer
        return pacer

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def status(self) -> tuple[int, int, str]:
        """(calls allowed in flight, the configured maximum, what the limiter is doing) over all models."""
        pacers = list(self._pacers.values())
        if not pacers:
            return 0, 0, SENDING
        states = sorted({p.state for p in pacers if p.state != SENDING})
        return sum(p.limit for p in pacers), sum(p.maximum for p in pacers), ", ".join(states) or SENDING
