"""OpenAI Batch API: JSONL upload (Files API), `batches.create`, output/error files joined by custom_id."""

from __future__ import annotations

import json
from typing import Any, Final, Literal

from workbench.providers.base import Completion, CompletionRequest, ProviderError
from workbench.providers.openai_chat import OpenAIProvider
from workbench.runner.batch_backend import BatchResults, BatchState, batch_field, mapped

ENDPOINT: Final[Literal["/v1/chat/completions"]] = "/v1/chat/completions"
# Statuses after which the batch processes nothing more ("cancelling" is not one of them yet).
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
STATUSES = TERMINAL | {"validating", "in_progress", "finalizing", "cancelling"}
# Files of up to 200 MB take a while to move; the run's per-call timeout is sized for one completion.
TRANSFER_TIMEOUT_S = 600.0


def jsonl(items: list[dict[str, Any]]) -> bytes:
    """The batch input file; `encode_item` gives each line's exact size for splitting."""
    return b"".join(encode_item(item) for item in items)


def encode_item(item: dict[str, Any]) -> bytes:
    return (json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class OpenAIBatches:
    """Batches of chat completions through one OpenAIProvider's client (same key, base_url, errors)."""

    provider = "openai"
    max_requests = 50_000
    max_bytes = 200_000_000  # 200 MB per input file

    def __init__(self, provider: OpenAIProvider) -> None:
        self._provider = provider
        self._client = provider.client

    def item(self, custom_id: str, request: CompletionRequest) -> dict[str, Any]:
        return {
            "custom_id": custom_id,
            "method": "POST",
            "url": ENDPOINT,
            "body": self._provider.batch_body(request),
        }

    def size(self, item: dict[str, Any]) -> int:
        return len(encode_item(item))

    async def submit(self, items: list[dict[str, Any]], model: str) -> str:
        upload = self._client.files.create(
            file=("workbench-batch.jsonl", jsonl(items)), purpose="batch", timeout=TRANSFER_TIMEOUT_S
        )
        uploaded = await mapped(upload, self._provider.map_error, model)
        create = self._client.batches.create(
            input_file_id=batch_field(uploaded, "id", self.provider, self._provider.base_url),
            endpoint=ENDPOINT,
            completion_window="24h",
            metadata={"source": "prompt-workbench"},
        )
        batch = await mapped(create, self._provider.map_error, model)
        return batch_field(batch, "id", self.provider, self._provider.base_url)

    async def poll(self, batch_id: str, model: str) -> BatchState:
        batch = await mapped(self._client.batches.retrieve(batch_id), self._provider.map_error, model)
        status = batch_field(batch, "status", self.provider, self._provider.base_url, STATUSES)
        counts = batch.request_counts
        done = (counts.completed + counts.failed) if counts else 0
        return BatchState(
            status=status,
            ended=status in TERMINAL,
            done=done,
            total=counts.total if counts else 0,
            error=_batch_error(batch),
            raw=batch,
        )

    async def results(self, state: BatchState, model: str) -> BatchResults:
        # An expired or cancelled batch still has files for the requests it got to; a failed one has none.
        results: BatchResults = {}
        for file_id in (state.raw.output_file_id, state.raw.error_file_id):
            if not file_id:
                continue
            fetch = self._client.files.content(file_id, timeout=TRANSFER_TIMEOUT_S)
            content = await mapped(fetch, self._provider.map_error, model)
            for raw_line in content.content.splitlines():
                try:
                    line = json.loads(raw_line)
                except ValueError:  # a damaged line: its request counts as "no result" and is retried
                    continue
                if isinstance(line, dict):
                    results[str(line.get("custom_id"))] = self._parse(line, model)
        return results

    def _parse(self, line: dict[str, Any], model: str) -> Completion | ProviderError:
        try:
            return self._provider.parse_batch_result(line, model)
        except ProviderError as exc:
            return exc


def _batch_error(batch: Any) -> str | None:
    """Why the whole batch failed or stopped (None while it runs or when it completed)."""
    if batch.status == "failed":
        errors = getattr(batch.errors, "data", None) or []
        detail = "; ".join(f"{e.code}: {e.message}" if e.code else str(e.message) for e in errors)
        return f"openai: batch {batch.id} failed" + (f" ({detail})" if detail else "")
    if batch.status in ("expired", "cancelled"):
        return f"openai: batch {batch.id} {batch.status} before this request was processed"
    return None
