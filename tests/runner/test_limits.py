"""Per-model budgets (declared and learnt from headers) and per-connection concurrency, on a fake clock."""

from __future__ import annotations

import asyncio
import bisect
import itertools

import pytest

from tests.support.fake_clock import FakeClock
from workbench.providers.base import Completion, CompletionRequest, Message, RetryableError
from workbench.providers.rate_headers import LimitReading
from workbench.runner.budget import Budget
from workbench.runner.limits import WAITING, Limits, Pacer

REQUEST = CompletionRequest("openai", "m", (Message("user", "x" * 396),), {"max_tokens": 100})  # 100 + 100



def send_times(pacer: Pacer, clock: FakeClock, count: int, completion: Completion | None = None) -> list[float]:
    async def main() -> list[float]:
        stamps = []
        for _ in range(count):
            ticket = await pacer.reserve(REQUEST)
            stamps.append(clock.now)
            pacer.settle(ticket, completion or Completion("ok", input_tokens=100, output_tokens=100))
        return stamps

    return asyncio.run(main())


def test_rpm_spaces_requests_at_98_percent_of_the_limit() -> None:
    clock = FakeClock()
    stamps = send_times(Pacer(4, {"requests": 120}, clock=clock, sleep=clock.sleep), clock, 10)
    assert stamps[:5] == [1000.0] * 5  # the burst: five seconds' worth (10 requests)
    stamps = send_times(Pacer(4, {"requests": 120}, clock=clock, sleep=clock.sleep), clock, 20)
    gaps = [b - a for a, b in itertools.pairwise(stamps[9:])]
    assert gaps == pytest.approx([60 / (120 * 0.98)] * 10)


def test_tpm_binds_on_tokens_and_says_so() -> None:
    clock = FakeClock()
    states: list[str] = []
    pacer = Pacer(4, {"requests": 10_000, "tokens": 12_000}, clock=clock, sleep=clock.sleep)
    pacer.on_change = lambda: states.append(pacer.state)
    stamps = send_times(pacer, clock, 31)
    # 200 tokens a request (the burst: five seconds' worth, 1,000) at 12,000 × 0.98 per minute.
    assert [b - a for a, b in itertools.pairwise(stamps)] == pytest.approx([0.0] * 4 + [200 / 196] * 26)
    assert WAITING["tokens"] in states


def test_limits_learnt_from_headers_pace_the_next_calls() -> None:
    clock = FakeClock()
    pacer = Pacer(4, clock=clock, sleep=clock.sleep)
    headers = {"requests": LimitReading(60, 55, 5.0), "tokens": LimitReading(1_000_000, 999_000, 0.1)}
    reported = Completion("ok", input_tokens=100, output_tokens=100, rate_limits=headers)
    stamps = send_times(pacer, clock, 6, reported)
    assert pacer.learnt == {"requests", "tokens"}
    assert not pacer.budgets["requests"].declared and pacer.budgets["requests"].limit == 60
    # The first call went before anything was known; it used one of the learnt 60 RPM's burst of 5.
    assert [b - a for a, b in itertools.pairwise(stamps)] == pytest.approx([0.0] * 4 + [1 / 0.98])


def test_no_window_holds_more_than_99_percent_even_when_catching_up_after_a_stall() -> None:
    budget = Budget.start(100, 0.0)  # 100 a minute: paced at 98, burst of 8.3
    now, stamps = 0.0, []
    while now < 300:
        now += budget.wait(1, now)
        if 100 <= now < 130:
            now = 130.0  # a 30-second stall: nothing could be sent
        budget.charge(1, now)
        stamps.append(now)
    fullest = max(bisect.bisect_left(stamps, t + 60) - i for i, t in enumerate(stamps))
    assert fullest <= 99
    after = [t for t in stamps if 130 <= t < 131]
    assert len(after) >= 8  # the burst catches up at once
    # 300 s at 98/minute, less the 30 s stall, plus two bursts of five seconds' worth (start, after the stall).
    assert len(stamps) == pytest.approx(98 / 60 * 270 + 2 * 100 / 60 * 5, abs=2)


def test_a_server_limit_below_the_declared_one_wins_and_an_empty_server_holds_calls_back() -> None:
    clock = FakeClock()
    pacer = Pacer(4, {"requests": 600}, clock=clock, sleep=clock.sleep)
    pacer.observe({"requests": LimitReading(120, 100, 10.0)}, clock.now)
    assert pacer.budgets["requests"].limit == 120
    pacer.observe({"requests": LimitReading(6000, 6000, 0.0)}, clock.now)  # higher than declared: ignored
    assert pacer.budgets["requests"].limit == 120
    # The server has nothing left (other clients share the limit): wait until it has refilled.
    pacer.observe({"requests": LimitReading(120, 0, 30.0)}, clock.now)
    assert pacer.budgets["requests"].wait(1, clock.now) == pytest.approx(1 / (120 * 0.98 / 60))


def test_a_429_with_headers_updates_the_budget_and_cuts_the_window() -> None:
    clock = FakeClock()
    pacer = Pacer(8, clock=clock, sleep=clock.sleep)

    async def main() -> None:
        ticket = await pacer.reserve(REQUEST)
        error = RetryableError("rate limited", status=429, rate_limits={"tokens": LimitReading(10_000, 0, 6.0)})
        pacer.settle(ticket, error=error)

    asyncio.run(main())
    assert pacer.limit == 4
    assert pacer.budgets["tokens"].wait(200, clock.now) > 1  # nothing left at the server: the next call waits


def test_concurrency_limit_per_connection() -> None:
    async def main() -> tuple[int, int]:
        limits = Limits(window=60)
        limits.configure("openai", concurrency=3)
        limits.configure("local", concurrency=1)
        peaks = {"openai": 0, "local": 0}
        active = {"openai": 0, "local": 0}

        async def call(key: str) -> None:
            async with limits.semaphore(key):
                active[key] += 1
                peaks[key] = max(peaks[key], active[key])
                await asyncio.sleep(0.001)
                active[key] -= 1

        await asyncio.gather(*(call("openai") for _ in range(20)), *(call("local") for _ in range(5)))
        return peaks["openai"], peaks["local"]

    assert asyncio.run(main()) == (3, 1)


def test_limits_are_per_model_and_shared_out_to_worker_processes() -> None:
    limits = Limits(share=0.5, window=60)
    limits.configure("openai", 8, "gpt-4o-mini", {"tokens": 90_000, "requests": 500})
    limits.configure("openai", 8, "gpt-4o", {"requests": 100})
    mini, big = limits.pacer("openai", "gpt-4o-mini"), limits.pacer("openai", "gpt-4o")
    assert mini.budgets["tokens"].limit == 45_000 and mini.budgets["requests"].limit == 250
    assert set(big.budgets) == {"requests"} and big.budgets["requests"].limit == 50
    assert limits.pacer("openai", "gpt-4o-mini") is mini
    assert limits.status() == (16, 16, "sending")
