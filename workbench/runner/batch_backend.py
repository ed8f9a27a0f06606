"""What `--batch` needs from a provider's batch API; one implementation per provider (batch_*.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from workbench.providers.base import Completion, CompletionRequest, PermanentError, ProviderError

T = TypeVar("T")
ErrorMapper = Callable[[BaseException, str], ProviderError | None]
# A finished batch's results: custom_id -> the completion, or why that request failed.
BatchResults = dict[str, Completion | ProviderError]


@dataclass(frozen=True)
class BatchState:
    """A provider batch as last polled."""

    status: str  # the provider's own word: in_progress, completed, ended, expired, ...
    ended: bool  # no more requests will be processed; results (if any) can be fetched
    done: int = 0  # requests processed so far (progress notes only)
    total: int = 0
    error: str | None = None  # why the whole batch failed, when it did
    raw: Any = None  # the SDK object, for fetching results


class BatchBackend(Protocol):
    provider: str  # "openai" | "anthropic"
    max_requests: int  # per batch
    max_bytes: int  # per batch input (file or request body)

    def item(self, custom_id: str, request: CompletionRequest) -> dict[str, Any]:
        """One request of a batch, in the provider's input format."""
        ...

    def size(self, item: dict[str, Any]) -> int:
        """Bytes `item` adds to the batch input (counted against `max_bytes`)."""
        ...

    async def submit(self, items: list[dict[str, Any]], model: str) -> str:
        """Create a batch of `items`; returns the provider's batch id."""
        ...

    async def poll(self, batch_id: str, model: str) -> BatchState: ...

    async def results(self, state: BatchState, model: str) -> BatchResults:
        """Download an ended batch's results (requests without a result are simply absent)."""
        ...


async def mapped(call: Awaitable[T], map_error: ErrorMapper, model: str) -> T:
    """Await an SDK call, turning its exceptions into the provider's redacted ProviderError."""
    error: ProviderError | None = None
    try:
        return await call
    except Exception as exc:
        error = map_error(exc, model)
        if error is None:
            raise
    # Raised outside the except block so the SDK exception (whose text can quote the key) is not attached.
    raise error


def batch_field(obj: Any, name: str, provider: str, base_url: str, allowed: frozenset[str] | None = None) -> str:
    """A field of a Batch API reply that must be there (an id, a status), or a PermanentError.

    A server without the Batch API (a proxy or local server behind an openai/anthropic base_url) may
    answer 200 with `{}` or an HTML page; polling batch "None" for a status that never comes would run
    forever, so such a reply ends the batch's requests as failed, with a message that says why."""
    value = getattr(obj, name, None)
    if not isinstance(value, str) or not value or (allowed is not None and value not in allowed):
        raise PermanentError(
            f"{provider}: the server at {base_url} does not answer like the {provider} Batch API "
            f"({name} {value!r}); run without --batch"
        )
    return value
