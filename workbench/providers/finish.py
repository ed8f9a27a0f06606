"""Why a model stopped, and which of those reasons mean the text was cut off (one place for the fact)."""

from __future__ import annotations

# OpenAI-style "length" (OpenAI, vLLM, Ollama, llama.cpp, LM Studio); Anthropic "max_tokens", and
# "model_context_window_exceeded" when the context filled up first.
TRUNCATED_REASONS = frozenset({"length", "max_tokens", "model_context_window_exceeded"})
MAX_REASON_CHARS = 32  # the width of the finish_reason columns


def is_truncated(reason: str | None) -> bool:
    """True when the provider stopped the text at a token limit rather than at its natural end."""
    return reason in TRUNCATED_REASONS


def stored_reason(reason: object) -> str | None:
    """The finish reason as stored: a short string, or None when the provider gave none."""
    if reason is None or reason == "":
        return None
    return str(reason)[:MAX_REASON_CHARS]
