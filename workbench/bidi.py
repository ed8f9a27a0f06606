"""Neutralise Unicode bidirectional control characters in text we render.

A U+202E (RIGHT-TO-LEFT OVERRIDE) in a dataset cell or a model output reverses the text that follows it
in an HTML page, a Markdown viewer or a terminal ("Trojan Source"). Every surface that shows user or
model text (reports, terminal, UI) passes it through `neutralise`, which replaces each control character
with a visible "[U+202E]" so that the reader sees it was there and nothing is reordered.
"""

from __future__ import annotations

import re
from typing import Any

# Embeddings, overrides and isolates (UAX #9), plus the implicit marks LRM, RLM and ALM.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TABLE = {ord(c): f"[U+{ord(c):04X}]" for c in BIDI_CONTROLS}
_SHOWN = re.compile("|".join(re.escape(f"[U+{ord(c):04X}]") for c in BIDI_CONTROLS))


def neutralise(text: str) -> str:
    """`text` with every bidi control character replaced by a visible "[U+XXXX]"."""
    return text.translate(_TABLE)


def has_bidi_controls(text: str) -> bool:
    return any(c in text for c in BIDI_CONTROLS)


def neutralise_value(value: Any) -> Any:
    """`neutralise` for any rendered value: strings (including markupsafe.Markup, which stays Markup),
    everything else unchanged. Used as the Jinja2 `finalize` hook of the report templates."""
    if isinstance(value, str) and has_bidi_controls(value):
        return type(value)(neutralise(value))
    return value


def neutralise_data(value: Any) -> Any:
    """`neutralise` through JSON-like data (dict keys and values, lists): what `st.json` shows of a case."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dict):
        return {neutralise_data(k): neutralise_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [neutralise_data(v) for v in value]
    return value


def restore(text: str) -> str:
    """The inverse of `neutralise`: every visible "[U+202E]" (of a bidi control) back to the character.

    The Datasets page shows cells neutralised in its editable grid and saves what the user sees through
    `restore`, so an unedited dataset is written back byte for byte, control characters included."""
    return _SHOWN.sub(lambda m: chr(int(m.group(0)[3:-1], 16)), text)
