"""Numbers as the UI language writes them: 2,136 and 0.27 in English, 2.136 and 0,27 in Dutch.

Every number a page shows goes through these helpers (or through `t()`, which localises the numbers
it formats), so a Dutch page never shows an English decimal point.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "–"
_SWAP = str.maketrans({",": ".", ".": ","})


def localise(text: str, lang: str) -> str:
    """English-formatted digits -> the language's separators (Dutch swaps ',' and '.')."""
    return text.translate(_SWAP) if lang == "nl" else text


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, lang: str, decimals: int = 2, *, signed: bool = False) -> str:
    if is_missing(value):
        return MISSING
    assert value is not None
    spec = f"{'+' if signed else ''},.{decimals}f"
    text = format(float(value), spec)
    if signed and float(text.replace(",", "")) == 0:
        text = text.lstrip("+-")  # "+0.00" / "-0.00" read as a direction that is not there
    return localise(text.replace("-", "−"), lang)


def integer(value: int | float | None, lang: str) -> str:
    if is_missing(value):
        return MISSING
    assert value is not None
    return localise(f"{round(value):,}", lang)


def percent(value: float | None, lang: str, decimals: int = 0) -> str:
    """0.273 -> "27%" (one decimal: "27.3%" / "27,3%")."""
    if is_missing(value):
        return MISSING
    assert value is not None
    return localise(f"{float(value) * 100:.{decimals}f}%", lang)


def p_value(p: float | None, lang: str) -> str:
    if is_missing(p):
        return MISSING
    assert p is not None
    text = "< 0.0001" if p < 1e-4 else f"{p:.4f}" if p < 0.01 else "1" if p >= 0.9995 else f"{p:.3f}"
    return localise(text, lang)


class LocalNumber:
    """Wraps a number passed to a format string so `{n:,}` and `{x:.2f}` follow the UI language."""

    __slots__ = ("lang", "value")

    def __init__(self, value: int | float, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        return localise(format(self.value, spec), self.lang)

    def __str__(self) -> str:
        return localise(str(self.value), self.lang)


def localised_values(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Numbers (not booleans) wrapped in LocalNumber; everything else unchanged."""
    return {key: LocalNumber(v, lang) if isinstance(v, int | float) and not isinstance(v, bool) else v
            for key, v in values.items()}
