"""Number formatting for human-readable sentences (never used for the stored numbers)."""

from __future__ import annotations

import math


def format_p(p: float | None) -> str:
    """p-value text: two significant digits, '<0.0001' for tiny values, 'n/a' if missing."""
    if p is None or not math.isfinite(p):
        return "n/a"
    if p < 0.0001:
        return "<0.0001"
    return f"{p:.2g}"


def decimals_for(low: float | None, high: float | None, fallback: float | None = None) -> int:
    """Decimals that show the width of [low, high] (or |fallback|) with about two significant digits."""
    spread = math.nan
    if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
        spread = abs(high - low)
    if not (math.isfinite(spread) and spread > 0):
        spread = abs(fallback) if fallback is not None and math.isfinite(fallback) else math.nan
    if not (math.isfinite(spread) and spread > 0):
        return 1
    return int(min(max(1 - math.floor(math.log10(spread)), 0), 6))


def format_number(value: float | None, decimals: int, *, signed: bool = False) -> str:
    """Fixed-decimal text ('+' prefix when ``signed``); never prints '-0.0'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if round(value, decimals) == 0:
        value = 0.0
    return f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"


def p_relation(p: float | None) -> str:
    """'=0.03' or '<0.0001', to write 'p' + p_relation(p)."""
    text = format_p(p)
    return text if text.startswith("<") else "=" + text
