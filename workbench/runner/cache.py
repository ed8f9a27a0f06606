"""Response cache hits as completions: a request made before (same hash) costs nothing the second time."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.providers.base import Completion
from workbench.store.db import Store
from workbench.store.repository import cached_responses


def cache_hits(store: Store, keys: Sequence[str]) -> dict[str, Completion]:
    """Cached completions for the request hashes that have one."""
    with store.session() as session:
        answers = cached_responses(session, keys)
    return {
        key: Completion(
            text=answer.text,
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
            latency_s=answer.latency_ms / 1000,
            cost_usd=answer.cost_usd,
            finish_reason=answer.finish_reason,
            simulated=answer.simulated,
        )
        for key, answer in answers.items()
    }
