"""Anthropic Message Batches: `messages.batches.create`, poll, stream the JSONL results by custom_id."""

from __future__ import annotations

import json
from typing import Any

from workbench.providers.anthropic_messages import AnthropicProvider
from workbench.providers.base import Completion, CompletionRequest, ProviderError
from workbench.runner.batch_backend import BatchResults, BatchState, batch_field, mapped

# The whole request list travels in one POST body; large ones take a while to send and to download.
TRANSFER_TIMEOUT_S = 600.0
STATUSES = frozenset({"in_progress", "canceling", "ended"})  # Message Batches' processing_status


class AnthropicBatches:
    """Message batches through one AnthropicProvider's client (same key, base_url, error mapping)."""

    provider = "anthropic"
    max_requests = 100_000
    max_bytes = 256_000_000  # 256 MB per create request (decimal: a margin for the JSON envelope)

    def __init__(self, provider: AnthropicProvider) -> None:
        self._provider = provider
        self._client = provider.client

    def item(self, custom_id: str, request: CompletionRequest) -> dict[str, Any]:
        return {"custom_id": custom_id, "params": self._provider.batch_body(request)}

    def size(self, item: dict[str, Any]) -> int:
        # ASCII-escaped size: an upper bound on however the SDK serialises the body, plus the comma.
        return len(json.dumps(item, separators=(",", ":"))) + 1

    async def submit(self, items: list[dict[str, Any]], model: str) -> str:
        create = self._client.messages.batches.create(
            requests=items,  # type: ignore[arg-type]
            timeout=TRANSFER_TIMEOUT_S,
        )
        batch = await mapped(create, self._provider.map_error, model)
        return batch_field(batch, "id", self.provider, self._provider.base_url)

    async def poll(self, batch_id: str, model: str) -> BatchState:
        retrieve = self._client.messages.batches.retrieve(batch_id)
        batch = await mapped(retrieve, self._provider.map_error, model)
        status = batch_field(batch, "processing_status", self.provider, self._provider.base_url, STATUSES)
        counts = batch.request_counts
        total = counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired
        # "ended" is the only terminal status; canceled/expired requests show up in the results.
        return BatchState(
            status=status,
            ended=status == "ended",
            done=total - counts.processing,
            total=total,
            raw=batch,
        )

    async def results(self, state: BatchState, model: str) -> BatchResults:
        lines = await mapped(self._fetch(str(state.raw.id)), self._provider.map_error, model)
        return {str(line.get("custom_id")): self._parse(line, model) for line in lines}

    async def _fetch(self, batch_id: str) -> list[dict[str, Any]]:
        decoder = await self._client.messages.batches.results(batch_id, timeout=TRANSFER_TIMEOUT_S)
        return [item.model_dump(mode="json") async for item in decoder]

    def _parse(self, line: dict[str, Any], model: str) -> Completion | ProviderError:
        try:
            return self._provider.parse_batch_result(line, model)
        except ProviderError as exc:
            return exc
