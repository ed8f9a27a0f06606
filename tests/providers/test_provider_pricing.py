"""pricing.py: genai-prices snapshot lookups, unknown models, batch discount, configured rates."""

from __future__ import annotations

import pytest

from workbench.providers import pricing


def test_known_models_have_a_positive_price() -> None:
    cost = pricing.price("openai", "gpt-4o-mini", 1_000_000, 1_000_000)
    assert cost is not None and cost > 0
    claude = pricing.price("anthropic", "claude-haiku-4-5", 1000, 500)
    assert claude is not None and 0 < claude < 1


def test_price_scales_with_tokens() -> None:
    small = pricing.price("openai", "gpt-4o-mini", 1000, 0)
    big = pricing.price("openai", "gpt-4o-mini", 2000, 0)
    assert small is not None and big == pytest.approx(2 * small)
    assert pricing.price("openai", "gpt-4o-mini", 0, 0) == 0


def test_dated_model_names_resolve() -> None:
    assert pricing.price("openai", "gpt-4o-mini-2024-07-18", 1000, 1000) is not None


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("openai", "no-such-model-xyz"),
        ("anthropic", "claude-imaginary-9"),
        ("openai", ""),
        ("nope", "gpt-4o"),
    ],
)
def test_unknown_returns_none(provider: str, model: str) -> None:
    assert pricing.price(provider, model, 1000, 1000) is None


def test_openai_compatible_and_simulated_are_not_priced() -> None:
    # Model names on local servers say nothing about what a call costs.
    assert pricing.price("openai_compatible", "gpt-4o-mini", 1000, 1000) is None
    assert pricing.price("simulated", "gpt-4o-mini", 1000, 1000) is None


# claude-haiku-4-5 has a batch price variant in the snapshot; claude-3-5-haiku-latest does not (fallback).
@pytest.mark.parametrize(
    ("provider", "model"),
    [("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5"), ("anthropic", "claude-3-5-haiku-latest")],
)
def test_batch_is_half_price(provider: str, model: str) -> None:
    standard = pricing.price(provider, model, 100_000, 20_000)
    batch = pricing.price(provider, model, 100_000, 20_000, batch=True)
    assert standard is not None and batch == pytest.approx(standard * pricing.BATCH_DISCOUNT)


def test_estimate_cost_matches_price() -> None:
    assert pricing.estimate_cost("openai", "gpt-4o-mini", 500, 100) == pricing.price(
        "openai", "gpt-4o-mini", 500, 100
    )


def test_lookups_are_cached() -> None:
    pricing._known.cache_clear()
    for _ in range(5):
        pricing.price("openai", "gpt-4o-mini", 10, 10)
        pricing.price("openai", "unknown-model-abc", 10, 10)
    info = pricing._known.cache_info()
    assert info.misses == 2 and info.hits == 8


def test_price_from_rates() -> None:
    rates = {"input_per_mtok": 2.0, "output_per_mtok": 8.0}
    assert pricing.price_from_rates(rates, 1_000_000, 500_000) == pytest.approx(6.0)
    assert pricing.price_from_rates(rates, 1_000_000, 500_000, batch=True) == pytest.approx(3.0)
    assert pricing.price_from_rates({}, 10, 10) == 0.0
