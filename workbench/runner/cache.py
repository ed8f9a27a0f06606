"""Response cache hits as completions: a request made before (same hash) costs nothing the second time."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.providers.base import Completion
from workbench.store.db import Store
from workbench.store.queries import cached_responses


def cache_hits(store: Store, keys: Sequence[str]) -> dict[str, Completion]:
    """Cached completions for the request hashes that have one."""
    with store.session() as session:
        entries = cached_responses(session, keys)
    return {
        key: Completion(
            text=entry["text"] or "",
            input_tokens=entry["input_tokens"],
            output_tokens=entry["output_tokens"],
            latency_s=entry["latency_ms"] / 1000,
            cost_usd=entry["cost_usd"],
            finish_reason=entry["finish_reason"],
            simulated=entry["simulated"],
        )
        for key, entry in entries.items()
    }
