"""What a request will cost against token limits before it is sent, corrected by what responses report.

Prompt tokens are estimated from the characters (no tokenizer download: the workbench fetches nothing
at run time), then scaled by the ratio of reported to estimated prompt tokens seen so far on the same
model, so Dutch text or a tokenizer that splits finer is learnt from the first responses. Output is
reserved at `max_tokens` (the ceiling the provider itself reserves); without one, at the largest
answer seen so far (first: the task's typical answer length). Both are corrected to the usage the
response reports (see `workbench.runner.limits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from workbench.experiment.plan import CHARS_PER_TOKEN, TYPICAL_OUTPUT_TOKENS
from workbench.providers.base import CompletionRequest
from workbench.providers.registry import providers

TOKENS_PER_MESSAGE = 4  # role and separators, as the chat formats add them
DEFAULT_OUTPUT = 300  # answer length assumed before any response arrived, when the task is unknown


@dataclass(frozen=True)
class Reservation:
    input_tokens: int
    output_tokens: int
    raw_input: float  # the uncorrected character estimate (to learn the ratio from the reported usage)

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def raw_prompt_tokens(request: CompletionRequest) -> float:
    """Prompt tokens from characters alone."""
    chars = sum(len(m.content) for m in request.messages)
    return chars / CHARS_PER_TOKEN + TOKENS_PER_MESSAGE * len(request.messages)


def max_output_tokens(request: CompletionRequest) -> int | None:
    """The answer's ceiling the provider is asked for (and reserves against its output limit), if any."""
    for key in ("max_tokens", "max_completion_tokens"):
        value = request.params.get(key)
        if isinstance(value, int) and value > 0:
            return value
    info = providers().get(request.provider)
    return info.default_max_tokens if info is not None else None


class TokenEstimator:
    """Per model: reservations for requests, learning from reported usage."""

    def __init__(self) -> None:
        self._estimated = 0.0  # raw prompt estimates of answered requests
        self._reported = 0  # the prompt tokens those responses reported
        self.largest_output = 0

    @property
    def ratio(self) -> float:
        """Reported / estimated prompt tokens so far (1.0 before any response)."""
        return self._reported / self._estimated if self._estimated > 0 and self._reported > 0 else 1.0

    def reserve(self, request: CompletionRequest) -> Reservation:
        raw = raw_prompt_tokens(request)
        output = max_output_tokens(request)
        if output is None:  # no ceiling: the largest answer so far, at first the task's typical length
            output = self.largest_output or TYPICAL_OUTPUT_TOKENS.get(str(request.metadata.get("task")), DEFAULT_OUTPUT)
        return Reservation(math.ceil(raw * self.ratio), output, raw)

    def learn(self, reservation: Reservation, input_tokens: int, output_tokens: int) -> None:
        """A response's reported usage (0 = not reported: nothing to learn)."""
        if input_tokens > 0:
            self._estimated += reservation.raw_input
            self._reported += input_tokens
        self.largest_output = max(self.largest_output, output_tokens)
