"""Adaptive concurrency: the AIMD window's reaction to bursts of 429s and to success."""

from __future__ import annotations

import asyncio

from workbench.providers.base import Completion, CompletionRequest, Message, RetryableError
from workbench.runner.aimd import AIMD
from workbench.runner.limits import BACKING_OFF, SENDING, Pacer


def test_a_burst_of_429s_cuts_the_window_once() -> None:
    aimd = AIMD(maximum=64)
    tickets = [aimd.on_send() for _ in range(64)]  # 64 calls in flight ...
    cuts = [aimd.on_overload(t) for t in tickets]  # ... all answered 429
    assert cuts.count(True) == 1 and aimd.limit == 32
    # A call sent after the cut that is refused again cuts again: the server is still over its limit.
    assert aimd.on_overload(aimd.on_send()) and aimd.limit == 16
    for _ in range(100):  # repeated refusals bottom out at the minimum
        aimd.on_overload(aimd.on_send())
    assert aimd.limit == 1 and aimd.cuts > 2


def test_success_grows_the_window_by_one_per_window_of_successes_never_above_the_maximum() -> None:
    aimd = AIMD(maximum=10)
    aimd.on_overload(aimd.on_send())
    assert aimd.limit == 5
    for _ in range(5):  # each success adds 1/window: about a window's worth of successes for +1
        aimd.on_success(aimd.on_send())
    assert aimd.limit == 5
    aimd.on_success(aimd.on_send())
    assert aimd.limit == 6
    for _ in range(1000):
        aimd.on_success(aimd.on_send())
    assert aimd.limit == 10 and aimd.window == 10.0


def test_pacer_window_holds_calls_back_after_429s_and_reports_its_state() -> None:
    changes: list[tuple[int, str]] = []

    async def main() -> list[int]:
        pacer = Pacer(8)
        pacer.on_change = lambda: changes.append((pacer.limit, pacer.state))
        req = CompletionRequest("openai", "m", (Message("user", "hi"),))
        for _ in range(8):
            await pacer.enter()
        tickets = [await pacer.reserve(req) for _ in range(8)]
        for ticket in tickets:  # the whole burst is refused
            pacer.settle(ticket, error=RetryableError("rate limited", status=429))
            pacer.leave()
        assert pacer.limit == 4 and pacer.state == BACKING_OFF
        entered = []

        async def call(i: int) -> None:
            await pacer.enter()
            entered.append(pacer.inflight)
            await asyncio.sleep(0)
            ticket = await pacer.reserve(req)
            pacer.settle(ticket, Completion("ok"))
            pacer.leave()

        await asyncio.gather(*(call(i) for i in range(12)))
        assert pacer.state == SENDING
        return entered

    entered = asyncio.run(main())
    assert max(entered) <= 5  # 4 in flight, regrown to 5 during the 12 successes, never 8
    assert changes[0] == (4, BACKING_OFF)
