"""Datasets: upload CSV/JSONL test cases, edit them, see which prompt variables a dataset is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench.bidi import neutralise, restore
from workbench.errors import SpecError
from workbench.experiment.datasets import ID_COLUMNS, TestCase
from workbench.ui import access, config
from workbench.ui.auth import Role
from workbench.ui.components import file_uploader_text
from workbench.ui.i18n import t
from workbench.ui.library import (
    DATASET_SUFFIXES,
    atomic_write,
    dataset_files,
    missing_variables,
    read_dataset_bytes,
    scan_library,
)
from workbench.ui.navigation import PageInfo
from workbench.ui.state import cached_dataset

PAGE = PageInfo("build", 20, ":material/table:", "Datasets", "Datasets", role=Role.RUNNER)

SWAP_VARIABLES = {"candidate_name"}  # filled in per name by a name-swap audit, not by the dataset


def cases_frame(cases: list[TestCase]) -> pd.DataFrame:
    rows = [{"id": c.id, **{k: ("" if v is None else v) for k, v in c.variables.items()}} for c in cases]
    frame = pd.DataFrame(rows).astype(str)
    # Shown in an editable grid: bidi controls as visible "[U+202E]" (restored on save, see frame_text).
    return frame.rename(columns=neutralise).map(neutralise)


def frame_text(frame: pd.DataFrame, suffix: str) -> str:
    """The edited table in the file's own format (CSV/TSV with a header, or one JSON object per line), with
    the grid's visible "[U+202E]" markers turned back into the control characters they stand for."""
    clean = frame.fillna("").astype(str)
    clean = clean[~(clean == "").all(axis=1)].rename(columns=restore).map(restore)
    if suffix in (".jsonl", ".ndjson"):
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in clean.to_dict(orient="records"))
    return clean.to_csv(index=False, sep="\t" if suffix == ".tsv" else ",")


def variables_report(columns: set[str]) -> None:
    """Per library variant (of one task): the template variables this dataset lacks."""
    variants = [e.variant for e in scan_library(config.prompts_dir()) if e.variant is not None]
    if not variants:
        st.info(t("datasets_library_empty"))
        return
    missing = {v.id: missing_variables(v, columns, SWAP_VARIABLES) for v in variants}
    tasks = sorted({v.task for v in variants})
    # Default to the task this dataset serves best: most variants that fit, then fewest gaps.
    best = min(tasks, key=lambda task: (-sum(not missing[v.id] for v in variants if v.task == task),
                                        sum(len(missing[v.id]) for v in variants if v.task == task)))
    all_tasks = t("all_tasks")  # labels are bound now: format_func may be called outside this run
    task = st.selectbox(t("datasets_check_against"), ["", *tasks], index=1 + tasks.index(best),
                        format_func=lambda x: x or all_tasks, key="ds_task")
    shown = [v for v in variants if not task or v.task == task]
    frame = pd.DataFrame([{
        t("datasets_col_variant"): v.id,
        t("datasets_col_status"): t("datasets_n_missing", n=len(missing[v.id])) if missing[v.id]
        else t("datasets_ready"),
        t("datasets_col_missing"): ", ".join(missing[v.id]),
        t("datasets_col_language"): v.language,
        t("datasets_col_task"): v.task,
        t("datasets_col_uses"): ", ".join(sorted(v.variables)),
    } for v in sorted(shown, key=lambda v: (len(missing[v.id]), v.id))])
    ready = sum(not missing[v.id] for v in shown)
    gaps = sorted({m for v in shown for m in missing[v.id]})
    cols = st.columns(3)
    cols[0].metric(t("datasets_metric_fit"), f"{ready} / {len(shown)}", border=True)
    cols[1].metric(t("datasets_metric_columns"), len(columns), border=True)
    cols[2].metric(t("datasets_metric_missing"), len(gaps), border=True)
    if gaps:
        st.warning(t("datasets_missing_warning", names=", ".join(f"`{m}`" for m in gaps)), icon=":material/extension:")
    else:
        st.success(t("datasets_all_fit"), icon=":material/check_circle:")
    st.dataframe(frame, hide_index=True)
    st.caption(t("datasets_candidate_name"))


def save_section(frame: pd.DataFrame, default_name: str) -> None:
    st.subheader(t("datasets_save_title"))
    cols = st.columns([3, 1])
    name = cols[0].text_input(t("datasets_file_name"), value=default_name, key=f"ds_name_{default_name}").strip()
    suffix = Path(name).suffix.lower()
    if not name or suffix not in DATASET_SUFFIXES or "/" in name or "\\" in name:
        st.error(t("datasets_bad_name", suffixes=", ".join(DATASET_SUFFIXES)))
        return
    target = config.datasets_dir() / name
    confirm = True
    if target.exists():
        confirm = st.checkbox(t("overwrite_file", file=name), key=f"ds_confirm_{name}")
    if cols[1].button(t("datasets_save"), type="primary", disabled=not confirm, key="ds_save"):
        text = frame_text(frame, suffix)
        try:
            read_dataset_bytes(name, text.encode("utf-8"))  # validate exactly what will be written
            atomic_write(target, text)
        except (SpecError, OSError) as exc:
            st.error(str(exc))
        else:
            st.session_state["ds_flash"] = t("saved_file", file=target)
            st.session_state["ds_pick"] = target.name
            st.rerun()


def upload_limit_mb() -> int:
    """The server's upload limit (Streamlit's `server.maxUploadSize`, 200 MB unless configured)."""
    try:
        return int(st.get_option("server.maxUploadSize"))
    except (RuntimeError, ValueError, TypeError):
        return 200


def render() -> None:
    st.title(t("datasets_title"))
    if not access.allowed(Role.RUNNER):  # hidden from other roles' navigation; refused here too
        return
    folder = config.datasets_dir()
    st.caption(t("datasets_caption", folder=folder))
    if flash := st.session_state.pop("ds_flash", None):
        st.success(flash, icon=":material/check_circle:")
    file_uploader_text("ds_upload", t("upload_button"), t("upload_limits", types="CSV, TSV, JSONL, NDJSON",
                                                            mb=upload_limit_mb()))
    upload = st.file_uploader(t("datasets_upload"), type=["csv", "tsv", "jsonl", "ndjson"], key="ds_upload")
    cases: list[TestCase] | None = None
    source = ""
    if upload is not None:
        source = upload.name
        try:
            cases = read_dataset_bytes(upload.name, upload.getvalue())
        except SpecError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.success(t("datasets_read", file=upload.name, n=len(cases)))
    else:
        files = dataset_files(folder)
        if not files:
            st.info(t("datasets_none"))
            return
        names = [p.name for p in files]
        if st.session_state.get("ds_pick") not in names:
            st.session_state["ds_pick"] = names[0]
        source = st.selectbox(t("field_dataset"), names, key="ds_pick")
        path = folder / source
        try:
            cases = cached_dataset(str(path), path.stat().st_mtime)
        except SpecError as exc:
            st.error(str(exc), icon=":material/error:")
            return
    frame = cases_frame(cases)
    st.subheader(t("datasets_cases_title"))
    if marked := int(frame.map(lambda cell: "[U+" in cell and restore(cell) != cell).to_numpy().sum()):
        st.caption(t("datasets_bidi_cells", n=marked))
    edited = st.data_editor(frame, num_rows="dynamic", key=f"ds_editor_{source}", hide_index=True)
    columns = {c for c in edited.columns if c not in ID_COLUMNS}
    empty = {c: int((edited[c].fillna("").astype(str).str.strip() == "").sum()) for c in columns}
    if any(empty.values()):
        st.caption(t("datasets_empty_cells", cells=", ".join(f"`{c}` {n}" for c, n in sorted(empty.items()) if n)))
    st.subheader(t("datasets_variables_title"))
    variables_report(columns)
    save_section(edited, source)


if __name__ == "__main__":
    render()
