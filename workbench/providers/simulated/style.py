"""Read the prompt like a model would: which tone and length is being asked for, and planted effects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INCLUSIVE = re.compile(
    r"inclusi|genderneutra|gender[- ]neutral|iedereen|everyone|bias|divers|vooroordel|neutrale taal|(m/v/x)"
)
_INFORMAL = re.compile(r"informe|enthousias|enthusias|casual|speels|playful|energiek|energetic|\bjij\b")
_SHORT = re.compile(r"\bkort\b|beknopt|\bshort\b|concise|brief|max(?:imaal|imum)? \d+ (?:woorden|words)")


@dataclass(frozen=True)
class Style:
    tone: str  # formal | informal | inclusive
    short: bool


def read_style(prompt: str) -> Style:
    text = prompt.lower()
    if _INCLUSIVE.search(text):
        tone = "inclusive"
    elif _INFORMAL.search(text):
        tone = "informal"
    else:
        tone = "formal"
    return Style(tone=tone, short=bool(_SHORT.search(text)))


@dataclass(frozen=True)
class Effects:
    """Sum of the planted effects that apply to one request."""

    masculine_words: float = 0.0
    age_coded: float = 0.0
    score_shift: float = 0.0
    length: float = 0.0
    quality: float = 0.0


def applicable_effects(simulate: dict[str, Any] | None, metadata: dict[str, Any]) -> Effects:
    if not simulate:
        return Effects()
    totals = dict.fromkeys(Effects.__dataclass_fields__, 0.0)
    for effect in simulate.get("effects", []):
        if effect.get("variant") and effect["variant"] != metadata.get("variant"):
            continue
        if effect.get("name_group") and effect["name_group"] != metadata.get("swap_group"):
            continue
        for key in totals:
            totals[key] += float(effect.get(key) or 0.0)
    return Effects(**totals)
