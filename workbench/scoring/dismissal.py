"""Recount lint metrics without the flags a user dismissed as false (pure; the store loads the data).

A dismissal names a span (start, end, rule) of one output. The lint scores keep their matches in the
details of `<lint>.flagged` (age_coded, exclusion, gendered_title) and `<prefix>.score` (gender-coded),
so the recounted values follow from the same rules the scorers use (`bias_lint.counted_clusters`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workbench.scoring.bias_lint import GENDER_PREFIXES, counted_clusters

SpanKey = tuple[int, int, str]  # (start, end, rule)


def span_key(match: Mapping[str, Any]) -> SpanKey:
    return int(match["start"]), int(match["end"]), str(match["rule"])


def recount(details: Mapping[str, dict[str, Any] | None], dismissed: Iterable[SpanKey]) -> dict[str, float]:
    """New values for one output's lint metrics, given `details` (metric -> stored detail).

    Only metrics whose value changes because of a dismissal are returned.
    """
    gone = set(dismissed)
    out: dict[str, float] = {}
    for metric, detail in details.items():
        if not detail or "matches" not in detail:
            continue
        prefix, _, suffix = metric.rpartition(".")
        kept = [m for m in detail["matches"] if span_key(m) not in gone]
        if len(kept) == len(detail["matches"]):
            continue
        if suffix == "flagged" and "flag_severity" in detail:
            counted = counted_clusters(kept, str(detail["flag_severity"]))
            out[metric] = 1.0 if counted else 0.0
            out[f"{prefix}.count"] = float(len(counted))
        elif suffix == "score" and prefix in GENDER_PREFIXES:
            masculine = sum(m["category"] == "masculine" for m in kept)
            feminine = sum(m["category"] == "feminine" for m in kept)
            words = int(detail.get("words") or 0)
            out[f"{prefix}.masculine"] = float(masculine)
            out[f"{prefix}.feminine"] = float(feminine)
            out[metric] = 100.0 * (masculine - feminine) / words if words else 0.0
    return out
