"""Load the simulated provider's hand-written phrase banks (data files, one per language)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=4)
def phrasebank(language: str) -> dict[str, Any]:
    lang = language if language in ("nl", "en") else "en"
    text = (
        resources.files("workbench").joinpath("data", "simulated", f"phrases_{lang}.yaml").read_text("utf-8")
    )
    data: dict[str, Any] = yaml.safe_load(text)
    return data
