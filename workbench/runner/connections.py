"""Provider clients and their limits for a run, or for one worker process's share of it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbench.experiment.spec import ModelSpec
from workbench.providers.base import Provider
from workbench.providers.registry import connection_key, create_provider
from workbench.runner.limits import Limits


def share(total: int, count: int, index: int) -> int:
    """Worker `index`'s part of `total` when split `count` ways (parts differ by at most one, min 1)."""
    return max(1, total // count + (1 if index < total % count else 0))


def build_providers(
    models: Iterable[ModelSpec], client_options: dict[str, Any], concurrency: int, count: int = 1, index: int = 0
) -> dict[object, Provider]:
    """One provider per connection; `count`/`index` size the pool for one of `count` worker processes."""
    providers: dict[object, Provider] = {}
    for model in models:
        key = connection_key(model)
        if key in providers:
            continue
        options: dict[str, Any] = {}
        if not model.info.offline:
            # One keep-alive connection per in-flight request; a larger pool only costs CPU.
            options = {"max_connections": share(model.concurrency or concurrency, count, index), **client_options}
        providers[key] = create_provider(model, **options)
    return providers


def build_limits(models: Iterable[ModelSpec], concurrency: int, count: int = 1, index: int = 0) -> Limits:
    """Per-connection concurrency and per-model rate limits; a worker gets its share of each."""
    limits = Limits(share=1.0 / count)
    for model in models:
        limits.configure(
            connection_key(model),
            share(model.concurrency or concurrency, count, index),
            model.model,
            model.rate_limits,
        )
    return limits
