"""Scoring: turn one output text into named scores (length, readability, checks, bias lints).

Public entry points are re-exported lazily, so importing `workbench.scoring.base` stays cheap:
`build_scorers`, `score_text`, `split_judge_entries`, `metric_info` (the metric catalogue),
`metric_direction`, `metric_kind`, `highlight`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "build_scorers": "workbench.scoring.registry",
    "score_text": "workbench.scoring.registry",
    "split_judge_entries": "workbench.scoring.registry",
    "metric_direction": "workbench.scoring.catalogue",
    "metric_kind": "workbench.scoring.catalogue",
    "metric_info": "workbench.scoring.catalogue",
    "MetricInfo": "workbench.scoring.catalogue",
    "SCORER_NAMES": "workbench.scoring.registry",
    "highlight": "workbench.scoring.highlight",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'workbench.scoring' has no attribute {name!r}")
