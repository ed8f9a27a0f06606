"""The one async protocol every LLM provider implements, plus its request/response types."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class CompletionRequest:
    """Everything that determines a completion. Hashing it gives the cache key."""

    provider: str  # the registered provider's name (providers.registry), e.g. "openai"
    model: str  # provider's model name, e.g. "gpt-4o-mini"
    messages: tuple[Message, ...]
    params: dict[str, Any] = field(default_factory=dict)  # temperature, max_tokens, top_p, seed, ...
    # Which sample of an identical prompt this is (repeat index). Part of the cache key so that
    # repeats are independent samples rather than one cached answer reused K times.
    sample: int = 0
    # The cell this request samples for (variant, case, swapped-in name). Part of the cache key so that
    # two variants that render the same prompt (an A/A test) get independent samples, not one reused.
    slot: str = ""
    # Context that real providers ignore; the simulated provider uses it for planted effects.
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)
    endpoint: str | None = None  # base_url for openai_compatible; part of the cache key
    # Seconds this call may take (the model's `timeout` in the spec); None = the client's default.
    # How the call is made, not what is asked: not part of the cache key.
    timeout: float | None = field(default=None, compare=False)

    @property
    def system(self) -> str | None:
        parts = [m.content for m in self.messages if m.role == "system"]
        return "\n\n".join(parts) if parts else None

    @property
    def chat_messages(self) -> list[dict[str, str]]:
        return [{"role": m.role, "content": m.content} for m in self.messages if m.role != "system"]

    def cache_key(self) -> str:
        payload = {
            "provider": self.provider,
            "model": self.model,
            "endpoint": self.endpoint,
            "messages": [[m.role, m.content] for m in self.messages],
            "params": self.params,
            "sample": self.sample,
            "slot": self.slot,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class Completion:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float | None = None  # None when the price of the model is unknown
    model: str | None = None  # model name the provider reports back
    finish_reason: str | None = None
    simulated: bool = False
    # Rate-limit state the response reported (workbench.providers.rate_headers), by dimension; not stored.
    rate_limits: dict[str, Any] | None = field(default=None, compare=False, repr=False)


class ProviderError(Exception):
    """A provider call failed. `retryable` errors are retried by the runner with backoff."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        rate_limits: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.rate_limits = rate_limits  # what the error response's rate-limit headers reported, if any


class RetryableError(ProviderError):
    """429, 5xx, timeouts, dropped connections, truncated/malformed bodies."""

    retryable = True


class PermanentError(ProviderError):
    """Authentication, bad request, unknown model: retrying will not help."""

    retryable = False


@runtime_checkable
class Provider(Protocol):
    """A client for one connection; what the provider can do is its `ProviderInfo` (providers.registry)."""

    name: str

    async def complete(self, request: CompletionRequest) -> Completion: ...

    async def aclose(self) -> None: ...
