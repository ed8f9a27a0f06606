"""USD cost of a call from the genai-prices bundled snapshot (offline: never calls `update_prices`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache

from workbench.providers.registry import providers

log = logging.getLogger(__name__)

BATCH_DISCOUNT = 0.5  # OpenAI Batch and Anthropic Message Batches both bill 50% of standard rates
_BATCH_CONTEXT = {"processing": "batch"}  # genai-prices' price-variant key for batch rates


@lru_cache(maxsize=1024)
def _known(provider_id: str, model: str) -> bool:
    """Whether the snapshot prices this model; cached so unknown models cost one failed lookup."""
    import genai_prices  # ~0.2 s: only when a real model is priced, not on every CLI start

    try:
        empty = genai_prices.Usage(input_tokens=0, output_tokens=0)
        genai_prices.calc_price(empty, model, provider_id=provider_id)
    except LookupError:
        log.debug("no price for %s:%s in the genai-prices snapshot", provider_id, model)
        return False
    return True


# calc_price costs ~0.1 ms (usage decomposition + validation); token counts repeat a lot across repeats
# of the same prompt, so memoising whole calls is cheap and exact (tiered prices stay correct).
@lru_cache(maxsize=65536)
def _calc(provider_id: str, model: str, input_tokens: int, output_tokens: int, batch: bool) -> float:
    import genai_prices

    usage = genai_prices.Usage(input_tokens=input_tokens, output_tokens=output_tokens)
    standard = genai_prices.calc_price(usage, model, provider_id=provider_id).total_price
    if not batch:
        return float(standard)
    # Use the snapshot's own batch variant when it has one (exact published rates), else apply 50%.
    batched = genai_prices.calc_price(usage, model, provider_id=provider_id, price_context=_BATCH_CONTEXT)
    if batched.total_price < standard:
        return float(batched.total_price)
    return float(standard) * BATCH_DISCOUNT


def price(
    provider: str, model: str, input_tokens: int, output_tokens: int, *, batch: bool = False
) -> float | None:
    """USD cost of `input_tokens` + `output_tokens` on `provider:model`; None when the model is unknown.

    The genai-prices id is the provider's `price_id`; openai_compatible has none on purpose: its model
    names ("llama3.1:8b" on a laptop) say nothing about what, if anything, the call costs."""
    info = providers().get(provider)
    provider_id = info.price_id if info is not None else None
    if provider_id is None or not model or not _known(provider_id, model):
        return None
    try:
        return _calc(provider_id, model, max(0, input_tokens), max(0, output_tokens), batch)
    except (LookupError, ValueError, ArithmeticError) as exc:  # a bad snapshot entry must not crash a run
        log.warning("pricing %s:%s failed: %s", provider, model, exc)
        return None


def estimate_cost(
    provider: str, model: str, input_tokens: int, output_tokens: int, *, batch: bool = False
) -> float | None:
    """Cost estimate for `--dry-run`; identical to `price`."""
    return price(provider, model, input_tokens, output_tokens, batch=batch)


def price_from_rates(
    rates: Mapping[str, float], input_tokens: int, output_tokens: int, *, batch: bool = False
) -> float:
    """Cost from configured rates `{"input_per_mtok": ..., "output_per_mtok": ...}` (USD per 1M tokens)."""
    cost = (
        max(0, input_tokens) * float(rates.get("input_per_mtok", 0.0))
        + max(0, output_tokens) * float(rates.get("output_per_mtok", 0.0))
    ) / 1_000_000
    return cost * BATCH_DISCOUNT if batch else cost
