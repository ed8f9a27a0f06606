"""One number format per quantity, shared by every surface (terminal, HTML/Markdown reports, UI, the
statistics engine's sentences), in English or Dutch. The only module that formats numbers for people.

Use the quantity functions (`estimate`, `interval`, `mde`, `p_value`, `rate`, `ratio`, `effect_size`,
`money`, `count`) rather than format strings, so that a minimum detectable effect reads "24.0 pp" in the
terminal, the report and the UI alike. The building blocks (`number`, `percent`, `points`, `significant`)
are public for the rare quantity that has no function yet. Missing values (None, NaN) print as "–".

Dutch (`lang="nl"`) uses a decimal comma and a thousands dot: 1.234,5 and 24,0%. English sentences
of the statistics engine write a missing value as "n/a" (`missing=NA`).
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "–"
NA = "n/a"  # a missing value inside an English sentence ("p=n/a")
LANGS = ("en", "nl")
_UNKNOWN = {"en": "unknown", "nl": "onbekend"}
_POINTS = {"en": "pp", "nl": "%-punt"}  # percentage points: the difference of two rates
_NL_SEPARATORS = {ord(","): ".", ord("."): ","}


def finite(value: Any) -> float | None:
    """`value` as a float, or None when missing or not finite (None, NaN, inf, pandas NA)."""
    if value is None:
        return None
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        return None
    return number_ if math.isfinite(number_) else None


def localise(text: str, lang: str) -> str:
    """Swap the English separators for Dutch ones (1,234.5 -> 1.234,5)."""
    if lang != "nl":
        return text
    return text.translate(_NL_SEPARATORS)


def number(value: Any, decimals: int = 2, *, signed: bool = False, lang: str = "en", missing: str = MISSING) -> str:
    """Fixed decimals with thousands separators; never prints "-0.00"."""
    x = finite(value)
    if x is None:
        return missing
    if round(x, decimals) == 0:
        x = 0.0
    return localise(f"{x:{'+' if signed else ''},.{decimals}f}", lang)


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


def count(value: Any, lang: str = "en") -> str:
    """A whole number with thousands separators: 1,234 (en) / 1.234 (nl)."""
    x = finite(value)
    return MISSING if x is None else localise(f"{round(x):,d}", lang)


def significant(value: Any, digits: int = 2, *, lang: str = "en") -> str:
    """`digits` significant digits in plain notation (123 -> "120", 0.02345 -> "0.023"), never 1.2e+02."""
    x = finite(value)
    if x is None:
        return MISSING
    if x == 0:
        return "0"
    rounded = round(x, digits - 1 - math.floor(math.log10(abs(x))))
    # Rounding can carry into the next power of ten (0.999 -> 1.0): count the digits again.
    decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
    return number(rounded, decimals, lang=lang)


def percent(value: Any, decimals: int = 1, *, signed: bool = False, lang: str = "en") -> str:
    """A fraction as a percentage: 0.24 -> "24.0%"."""
    x = finite(value)
    return MISSING if x is None else number(x * 100, decimals, signed=signed, lang=lang) + "%"


def points(value: Any, decimals: int = 1, *, signed: bool = True, lang: str = "en") -> str:
    """A difference of two fractions in percentage points: 0.032 -> "+3.2 pp" (nl: "+3,2 %-punt")."""
    x = finite(value)
    return MISSING if x is None else f"{number(x * 100, decimals, signed=signed, lang=lang)} {_POINTS[_lang(lang)]}"


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


# --- quantities ------------------------------------------------------------------------------------

def p_value(p: Any, lang: str = "en", *, missing: str = MISSING) -> str:
    """Two significant digits ("0.031", "0.5"); "<0.0001" below that."""
    x = finite(p)
    if x is None:
        return missing
    if x < 1e-4:
        return localise("<0.0001", lang)
    return localise(f"{x:.2g}", lang)


def p_relation(p: Any, lang: str = "en", *, missing: str = NA) -> str:
    """"=0.03" or "<0.0001", to write "p" + p_relation(p)."""
    text = p_value(p, lang, missing=missing)
    return text if text.startswith("<") else "=" + text


def estimate(value: Any, kind: str = "numeric", lang: str = "en") -> str:
    """A difference between variants: percentage points for yes/no metrics, 2 decimals otherwise."""
    return points(value, lang=lang) if kind == "binary" else number(value, 2, signed=True, lang=lang)


def interval(low: Any, high: Any, kind: str = "numeric", lang: str = "en") -> str:
    """A confidence interval of a difference, without unit: "-3.0 … +27.0" (binary: in points)."""
    scale, decimals = (100.0, 1) if kind == "binary" else (1.0, 2)
    lo, hi = finite(low), finite(high)
    parts = [MISSING if v is None else number(v * scale, decimals, signed=True, lang=lang) for v in (lo, hi)]
    return f"{parts[0]} … {parts[1]}"


def mde(value: Any, kind: str = "numeric", lang: str = "en") -> str:
    """Minimum detectable effect (a size, so unsigned): "24.0 pp" for yes/no metrics, else 2 significant digits."""
    x = finite(value)
    if x is None:
        return MISSING
    return points(abs(x), signed=False, lang=lang) if kind == "binary" else significant(abs(x), 2, lang=lang)


def rate(value: Any, lang: str = "en") -> str:
    """A share of outputs or cases: "12.5%"."""
    return percent(value, 1, lang=lang)


def ratio(value: Any, lang: str = "en") -> str:
    """An impact ratio or other ratio: two decimals."""
    return number(value, 2, lang=lang)


def effect_size(value: Any, lang: str = "en") -> str:
    """A standardised effect (d_z, rank-biserial): signed, two decimals."""
    return number(value, 2, signed=True, lang=lang)


def money(usd: Any, *, unknown: bool = False, lang: str = "en") -> str:
    """US dollars with 4 decimals; a price we do not know is "unknown", never $0.

    `unknown=True` means part of the amount could not be priced: "$1.2000 + unknown".
    """
    x = finite(usd)
    word = _UNKNOWN[_lang(lang)]
    if x is None or (unknown and x == 0):
        return word
    text = "$" + number(x, 4, lang=lang)
    return f"{text} + {word}" if unknown else text


# --- numbers inside translated strings ------------------------------------------------------------

class LocalNumber:
    """Wraps a number passed to a format string so `{n:,}` and `{x:.2f}` follow the language."""

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
