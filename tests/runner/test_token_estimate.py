"""Token estimates for requests before they are sent, and their correction to the usage responses report."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.fake_clock import FakeClock
from workbench.providers.base import Completion, CompletionRequest, Message
from workbench.runner.limits import Pacer
from workbench.runner.token_estimate import TokenEstimator, raw_prompt_tokens


def request(chars: int = 400, provider: str = "openai", **params: object) -> CompletionRequest:
    return CompletionRequest(provider, "m", (Message("system", "s" * 20), Message("user", "u" * chars)),
                             dict(params), metadata={"task": "rejection_email"})


def test_reservation_is_prompt_estimate_plus_max_tokens() -> None:
    estimator = TokenEstimator()
    reservation = estimator.reserve(request(400, max_tokens=300))
    assert reservation.input_tokens == 113  # 420 characters / 4 + 4 per message
    assert reservation.output_tokens == 300
    assert reservation.tokens == 413
    # Without max_tokens: the task's typical answer; Anthropic: the provider's default ceiling.
    assert estimator.reserve(request(400)).output_tokens == 200
    assert estimator.reserve(request(400, provider="anthropic")).output_tokens == 1024


def test_estimate_learns_the_ratio_of_reported_to_estimated_prompt_tokens() -> None:
    estimator = TokenEstimator()
    first = estimator.reserve(request(400, max_tokens=300))
    estimator.learn(first, input_tokens=170, output_tokens=90)  # a tokenizer that splits 1.5× finer (Dutch)
    assert estimator.ratio == pytest.approx(170 / raw_prompt_tokens(request(400)))
    again = estimator.reserve(request(400, max_tokens=300))
    assert again.input_tokens == 170
    # Unreported usage (0) teaches nothing; without max_tokens the largest answer so far is reserved.
    estimator.learn(again, input_tokens=0, output_tokens=0)
    assert estimator.reserve(request(400, max_tokens=300)).input_tokens == 170
    assert estimator.reserve(request(400)).output_tokens == 90


def test_budget_reserves_max_tokens_and_gets_the_unused_part_back() -> None:
    clock = FakeClock(100.0)
    pacer = Pacer(4, {"tokens": 6000}, clock=clock, sleep=clock.sleep)  # 100 tokens/s, 98 paced; 500 burst
    budget = pacer.budgets["tokens"]

    async def main() -> None:
        ticket = await pacer.reserve(request(400, max_tokens=300))  # 113 + 300 reserved
        assert budget.level == pytest.approx(500 - 413) and budget.used == 413
        pacer.settle(ticket, Completion("ok", input_tokens=120, output_tokens=50))
        assert budget.level == pytest.approx(500 - 170) and budget.used == 170  # corrected to what was used
        assert pacer.sent["tokens"] == 170 and pacer.outstanding["tokens"] == 0
        # A failed call gives its tokens back; the request still counts.
        ticket = await pacer.reserve(request(400, max_tokens=300))
        pacer.settle(ticket, error=RuntimeError("connection reset"))
        assert pacer.sent == {"requests": 2, "tokens": 170, "input_tokens": 120, "output_tokens": 50}

    asyncio.run(main())
    assert clock.now > 100.0  # the second reservation waited for the debt of the first to be paid
