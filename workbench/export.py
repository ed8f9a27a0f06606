"""Export a run: one row per output with its scores as columns, plus the bias flags it raised.

Streamed: outputs are read and written in chunks of CHUNK (memory stays flat: ~150 MB peak RSS for
100,000 outputs, bench/bench_export.py), to a temp file that is renamed to the target only when
complete — a killed export leaves no file that looks finished.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.atomic import atomic_open, atomic_path
from workbench.errors import WorkbenchError
from workbench.output_files import check_output_path, writing
from workbench.providers.finish import is_truncated
from workbench.scoring.catalogue import is_judge_metric, metric_mask
from workbench.scoring.dismissal import SpanKey, span_key
from workbench.scoring.explain import explain
from workbench.scoring.flag_spans import flag_summary, matches_from_details
from workbench.store.db import Store
from workbench.store.dismissals import run_dismissals
from workbench.store.frames import all_metric_names, output_id_bounds, outputs_frame, scores_frame

FORMATS = ("csv", "jsonl", "parquet")
CHUNK = 2_000
OUTPUT_COLUMNS = (
    "output_id", "variant", "case", "cluster", "model", "repeat", "swap_name", "swap_group", "status", "text",
    "error", "attempts", "input_tokens", "output_tokens", "latency_ms", "cost_usd", "cached", "simulated",
    "finish_reason", "language", "task",
)


Dismissed = dict[int, dict[SpanKey, dict[str, Any]]]


def _flags(details: pd.DataFrame, dismissed: Dismissed) -> pd.DataFrame:
    """Per output: `flags`, the matched wording not dismissed ("age: jong en dynamisch team; masculine:
    ambitieus"), and `flag_details`, a JSON list of every matched span with its rule, source, reason (EN
    and NL), alternatives and, when a user dismissed it as false, who, why and when."""
    rows = {}
    for output_id, group in details.groupby("output_id"):
        gone = dismissed.get(int(output_id), {})
        matches = matches_from_details(group["detail"])
        spans = []
        for m in matches:
            info = explain(m)
            spans.append({
                "text": m["text"], "start": m["start"], "end": m["end"], "category": m["category"],
                "rule": m["rule"], "severity": m["severity"], "source": info["source"],
                "reason_en": info["reason"]["en"], "reason_nl": info["reason"]["nl"],
                "alternatives": info["alternatives"], "dismissed": gone.get(span_key(m)),
            })
        kept = [m for m in matches if span_key(m) not in gone]
        rows[output_id] = (flag_summary(kept), json.dumps(spans, ensure_ascii=False, default=str))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["flags", "flag_details"])


def _dismissed(store: Store, run_id: int) -> Dismissed:
    """Active dismissals of the run: output id -> span -> who/why/when (few rows; loaded once per export)."""
    with store.session() as session:
        frame = run_dismissals(session, run_id)
    found: Dismissed = {}
    for r in frame.itertuples():
        found.setdefault(int(r.output_id), {})[(int(r.start), int(r.end), str(r.rule))] = {
            "who": r.who, "why": r.why, "when": r.created_at.isoformat()}
    return found


def _chunk_table(
    store: Store, run_id: int, id_range: tuple[int, int], metrics: list[str], dismissed: Dismissed
) -> pd.DataFrame:
    """The export rows of one chunk of outputs, with every metric of the run as a column (same columns in
    every chunk, so chunks concatenate into one file)."""
    with store.session() as session:
        outputs = outputs_frame(session, run_id, id_range)
        scores = scores_frame(session, run_id, with_detail=True, id_range=id_range)
    table = outputs.set_index("output_id")
    wide = pd.DataFrame(index=table.index, columns=[f"score.{m}" for m in metrics], dtype=float)
    if not scores.empty:
        pivot = scores.pivot_table(index="output_id", columns="metric", values="value", aggfunc="first")
        pivot.columns = [f"score.{c}" for c in pivot.columns]
        wide.update(pivot.astype(float))
    table = table.join(wide)
    flags = _flags(scores[scores["detail"].notna()], dismissed) if not scores.empty else pd.DataFrame()
    table["flags"] = flags["flags"].reindex(table.index).fillna("") if not flags.empty else ""
    table["flag_details"] = flags["flag_details"].reindex(table.index).fillna("[]") if not flags.empty else "[]"
    table.insert(0, "run_id", run_id)
    table["truncated"] = table["finish_reason"].map(is_truncated).astype(bool)
    judges = _judges(scores)
    table["judge"] = judges["judge"].reindex(table.index, fill_value="")
    table["judge_simulated"] = judges["judge_simulated"].reindex(table.index, fill_value=False).astype(bool)
    # Make SIMULATED impossible to miss in any exported file: `simulated` is True when anything in the row
    # is (the output, or the judge scores); `output_simulated` tells which.
    table["output_simulated"] = table["simulated"].astype(bool)
    table["simulated"] = table["output_simulated"] | table["judge_simulated"]
    table["provenance"] = [
        "SIMULATED" if out else "model output, SIMULATED judge" if judge else "model output"
        for out, judge in zip(table["output_simulated"], table["judge_simulated"], strict=True)
    ]
    return table.reset_index()


def _judges(scores: pd.DataFrame) -> pd.DataFrame:
    """Per output: the judge model that scored its judge.* metrics, and whether it was simulated."""
    columns = ["judge", "judge_simulated"]
    if scores.empty or "detail" not in scores:
        return pd.DataFrame(columns=columns)
    judged = scores[metric_mask(scores, is_judge_metric) & scores["detail"].notna()]
    rows = {
        int(oid): (str(detail.get("judge", "")), bool(detail.get("simulated")))
        for oid, detail in zip(judged["output_id"], judged["detail"], strict=True)
        if isinstance(detail, dict)
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def run_chunks(store: Store, run_id: int, chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    with store.session() as session:
        bounds = output_id_bounds(session, run_id, chunk)
        metrics = all_metric_names(session, run_id)
    if not bounds:
        raise WorkbenchError(f"run {run_id} has no outputs yet")
    dismissed = _dismissed(store, run_id)
    for id_range in bounds:
        yield _chunk_table(store, run_id, id_range, metrics, dismissed)


def run_table(store: Store, run_id: int) -> pd.DataFrame:
    """The whole export table in memory (small runs, tests)."""
    return pd.concat(list(run_chunks(store, run_id)), ignore_index=True)


def verdicts_table(store: Store, run_id: int) -> pd.DataFrame:
    """One row per comparison (every metric), with the family its adjusted p-value belongs to."""
    from workbench.analysis.run_results import analyse_run

    result = analyse_run(store, run_id)
    if result.analysis is None or not result.analysis.verdicts:
        raise WorkbenchError(f"run {run_id} has no comparisons to export")
    table = result.analysis.to_frame()
    table.insert(0, "run_id", run_id)
    judge = result.info.judge
    judged = metric_mask(table, is_judge_metric)
    table["judge"] = [judge.model if judge is not None and j else "" for j in judged]
    simulated_judge = judged & bool(judge is not None and judge.simulated)
    table["provenance"] = [
        "SIMULATED" if result.info.simulated else "model output, SIMULATED judge" if sim else "model output"
        for sim in simulated_judge
    ]
    return table


def format_for(fmt: str | None, out: Path | None) -> str:
    """The export format: --format, else the suffix of --out, else csv."""
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = suffix if suffix in FORMATS else "csv"
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="--format")
    return fmt


def export_run(
    store: Store, run_id: int, fmt: str | None, out: Path | None, *, verdicts: bool = False, chunk: int = CHUNK,
    force: bool = False,
) -> Path:
    """Write the run's outputs (or, with ``verdicts``, its comparisons) as csv, jsonl or parquet."""
    fmt = format_for(fmt, out)
    path = out or Path(f"run-{run_id}{'-verdicts' if verdicts else ''}.{fmt}")
    check_output_path(path, (f".{fmt}",), what=f"{fmt} export", force=force)
    chunks = iter([verdicts_table(store, run_id)]) if verdicts else run_chunks(store, run_id, chunk)
    first = next(chunks)  # "no outputs" is reported before any file is created
    with writing(path):
        if fmt == "csv":
            with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
                first.to_csv(fh, index=False)
                for table in chunks:
                    table.to_csv(fh, index=False, header=False)
        elif fmt == "jsonl":
            with atomic_open(path, "w", encoding="utf-8") as fh:
                for table in itertools.chain([first], chunks):
                    for record in table.to_dict(orient="records"):
                        fh.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
        else:
            _write_parquet(path, first, chunks, fixed=not verdicts)
    return path


def _write_parquet(path: Path, first: pd.DataFrame, chunks: Iterator[pd.DataFrame], *, fixed: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Output chunks share one declared schema; a single table (verdicts) keeps the types pandas infers.
    schema = _arrow_schema(first) if fixed else pa.Table.from_pandas(first, preserve_index=False).schema
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        for table in itertools.chain([first], chunks):
            writer.write_table(pa.Table.from_pandas(table, schema=schema, preserve_index=False))


def _arrow_schema(frame: pd.DataFrame) -> Any:
    """One schema for every chunk: a column that is all-null in the first chunk must not fix its type."""
    import pyarrow as pa

    types = {"run_id": pa.int64(), "output_id": pa.int64(), "repeat": pa.int64(), "attempts": pa.int64(),
             "input_tokens": pa.int64(), "output_tokens": pa.int64(), "latency_ms": pa.float64(),
             "cost_usd": pa.float64(), "cached": pa.bool_(), "simulated": pa.bool_(), "truncated": pa.bool_(),
             "judge_simulated": pa.bool_(), "output_simulated": pa.bool_()}
    fields = []
    for column in frame.columns:
        kind = types.get(column) or (pa.float64() if column.startswith("score.") else pa.string())
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return str(value)
