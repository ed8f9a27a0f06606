"""Collect the matched wording spans that the bias lints stored with an output's scores."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbench.scoring.matches import Match


def matches_from_details(details: Iterable[dict[str, Any] | None]) -> list[Match]:
    """All distinct matches found in score details, in text order."""
    seen: dict[tuple[int, int, str], Match] = {}
    for detail in details:
        if not isinstance(detail, dict):
            continue
        for match in detail.get("matches") or []:
            key = (int(match["start"]), int(match["end"]), str(match["category"]))
            seen.setdefault(key, match)  # type: ignore[arg-type]
    return sorted(seen.values(), key=lambda m: (m["start"], m["end"]))


def flag_summary(matches: Iterable[Match]) -> str:
    """One line per output for exports: "age: jong en dynamisch team; masculine: ambitieus"."""
    return "; ".join(dict.fromkeys(f"{m['category']}: {m['text']}" for m in matches))
