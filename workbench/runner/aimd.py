"""Adaptive concurrency: additive increase, multiplicative decrease (AIMD), as TCP congestion control.

The window (calls allowed in flight) starts at the configured maximum and never exceeds it. A 429 or
529 halves it; every success adds 1/window, so a full window of successes adds one call. A burst of
429s counts once: only a call sent after the last cut can cut again (the calls already in flight were
sent under the old window, and their 429s say nothing about the new one). That keeps 64 simultaneous
429s from collapsing the window to 1 in one go.
"""

from __future__ import annotations

from dataclasses import dataclass

DECREASE = 0.5


@dataclass
class AIMD:
    maximum: int
    minimum: int = 1
    window: float = 0.0  # 0: start at the maximum
    sent: int = 0  # calls sent so far; a call's number is its ticket
    cut_after: int = 0  # calls numbered up to this were in flight at the last cut
    cuts: int = 0

    def __post_init__(self) -> None:
        self.maximum = max(self.minimum, self.maximum)
        self.window = float(self.window or self.maximum)

    @property
    def limit(self) -> int:
        """Calls that may be in flight now."""
        return max(self.minimum, min(self.maximum, int(self.window)))

    def on_send(self) -> int:
        """Number the next call sent (pass it back to on_success/on_overload)."""
        self.sent += 1
        return self.sent

    def on_success(self, ticket: int) -> None:
        if self.window < self.maximum:
            self.window = min(float(self.maximum), self.window + 1.0 / max(1.0, self.window))

    def on_overload(self, ticket: int) -> bool:
        """A 429/529 for call `ticket`: cut the window unless this burst was already answered. True if cut."""
        if ticket <= self.cut_after:
            return False
        self.window = max(float(self.minimum), self.window * DECREASE)
        self.cut_after = self.sent
        self.cuts += 1
        return True
