"""Export a run: one row per output with its scores as columns, plus the bias flags it raised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.flags import flag_summary, matches_from_details
from workbench.store.db import Store
from workbench.store.repository import outputs_frame, scores_frame

FORMATS = ("csv", "jsonl", "parquet")


def _flags(details: pd.DataFrame) -> pd.Series:
    """Per output: the matched wording, e.g. "age: jong en dynamisch team; masculine: ambitieus"."""
    if details.empty:
        return pd.Series(dtype=str)
    return details.groupby("output_id")["detail"].apply(lambda d: flag_summary(matches_from_details(d)))


def run_table(store: Store, run_id: int) -> pd.DataFrame:
    with store.session() as session:
        outputs = outputs_frame(session, run_id)
        scores = scores_frame(session, run_id, with_detail=True)
    if outputs.empty:
        raise WorkbenchError(f"run {run_id} has no outputs yet")
    table = outputs.set_index("output_id")
    if not scores.empty:
        wide = scores.pivot_table(index="output_id", columns="metric", values="value", aggfunc="first")
        wide.columns = [f"score.{c}" for c in wide.columns]
        table = table.join(wide)
        table["flags"] = _flags(scores[scores["detail"].notna()])
        table["flags"] = table["flags"].fillna("")
    table.insert(0, "run_id", run_id)
    # Make SIMULATED impossible to miss in any exported file.
    table["provenance"] = table["simulated"].map({True: "SIMULATED", False: "model output"})
    return table.reset_index()


def verdicts_table(store: Store, run_id: int) -> pd.DataFrame:
    """One row per comparison (every metric), with the family its adjusted p-value belongs to."""
    from workbench.run_analysis import analyse_run

    result = analyse_run(store, run_id)
    if result.analysis is None or not result.analysis.verdicts:
        raise WorkbenchError(f"run {run_id} has no comparisons to export")
    table = result.analysis.to_frame()
    table.insert(0, "run_id", run_id)
    table["provenance"] = "SIMULATED" if result.info.simulated else "model output"
    return table


def export_run(store: Store, run_id: int, fmt: str, out: Path | None, *, verdicts: bool = False) -> Path:
    """Write the run's outputs (or, with ``verdicts``, its comparisons) as csv, jsonl or parquet."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="--format")
    table = verdicts_table(store, run_id) if verdicts else run_table(store, run_id)
    path = out or Path(f"run-{run_id}{'-verdicts' if verdicts else ''}.{fmt}")
    if path.parent and not path.parent.exists():
        raise WorkbenchError("output directory does not exist", file=path.parent)
    if fmt == "csv":
        table.to_csv(path, index=False)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for record in table.to_dict(orient="records"):
                fh.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
    else:
        table.to_parquet(path, index=False)
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return str(value)
