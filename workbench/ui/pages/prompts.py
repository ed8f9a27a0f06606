"""Prompts: the library as a table, a prompt written from scratch, preview a variant on a test case, edit it,
derive a new variant with a diff, and test a variant against its base on the Run page."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from workbench.errors import SpecError, WorkbenchError
from workbench.experiment.datasets import TestCase, dataset_columns
from workbench.experiment.prompts import TASKS, PromptVariant
from workbench.ui import access, config
from workbench.ui.auth import Role
from workbench.ui.config import page_path
from workbench.ui.i18n import lang, t
from workbench.ui.library import (
    LibraryEntry,
    check_variant,
    dataset_files,
    describe_error,
    missing_variables,
    save_variant,
    scan_library,
    side_by_side_diff,
)
from workbench.ui.navigation import PageInfo
from workbench.ui.state import RUN_PREFILL_KEY, cached_dataset

PAGE = PageInfo("build", 10, ":material/edit_note:", "Prompts", "Prompts", role=Role.RUNNER)


def pick_test_case(variant: PromptVariant) -> dict[str, Any] | None:
    """Dataset and row used for previews and for validating before a save (fitting datasets first)."""
    files = dataset_files(config.datasets_dir())
    if not files:
        st.info(t("prompts_no_datasets", folder=config.datasets_dir()))
        return None
    loaded: dict[Path, list[TestCase]] = {}
    for path in files:
        try:
            loaded[path] = cached_dataset(str(path), path.stat().st_mtime)
        except WorkbenchError:
            continue
    fitting = [p for p, cases in loaded.items() if not missing_variables(variant, dataset_columns(cases),
                                                                         {"candidate_name"})]
    # Fitting datasets first, and among those the ones named for the variant's language (vacancies_nl.csv).
    ordered = sorted(loaded, key=lambda p: (p not in fitting, f"_{variant.language}" not in p.stem, p.name))
    if not ordered:
        st.warning(t("prompts_no_readable_dataset"))
        return None
    cols = st.columns([2, 3])
    # Labels are bound now: format_func may be called outside this script run (AppTest).
    names = {p: p.name + ("" if p in fitting else t("prompts_missing_option")) for p in ordered}
    path = cols[0].selectbox(t("field_dataset"), ordered, key=f"prev_ds_{variant.id}", format_func=names.__getitem__)
    cases = loaded[path]
    index = cols[1].selectbox(t("case"), range(len(cases)), key=f"prev_case_{variant.id}_{path.name}",
                              format_func=lambda i: f"{cases[i].id} · " + ", ".join(
                                  str(v) for v in list(cases[i].variables.values())[:2]))
    row = dict(cases[index].variables)
    # Name-swap audits fill candidate_name per name; preview with a neutral placeholder.
    row.setdefault("candidate_name", "Sam Jansen")
    return row


def show_rendered(variant: PromptVariant, row: dict[str, Any] | None) -> None:
    if row is None:
        return
    try:
        system, user = variant.render(row)
    except SpecError as exc:
        st.error(describe_error(exc), icon=":material/error:")
        return
    if system:
        st.markdown(f"**{t('prompts_system')}**")
        st.code(system, language=None, wrap_lines=True)
    st.markdown(f"**{t('prompts_user')}**")
    st.code(user, language=None, wrap_lines=True)


Slots = dict[str, Any]  # template field -> st.empty() placeholder under it, for inline errors


def edited_variant(base: PromptVariant, prefix: str, *, new: bool, scratch: bool = False
                   ) -> tuple[PromptVariant, Slots]:
    """The variant as the form fields describe it (fields keyed per base variant and mode); `scratch`: a new
    prompt based on nothing, starting from `base`'s (empty) fields."""
    cols = st.columns([2, 1, 1])
    if new:
        vid = cols[0].text_input(t("prompts_new_id"), value=base.id if scratch else f"{base.id}_v2",
                                 key=f"{prefix}_id", help=t("prompts_new_id_help")).strip()
    else:
        vid = base.id
        cols[0].text_input(t("prompts_variant_id"), value=base.id, disabled=True, key=f"{prefix}_id")
    task = cols[1].selectbox(t("field_task"), TASKS, index=TASKS.index(base.task) if base.task in TASKS else 0,
                             key=f"{prefix}_task")
    language = cols[2].selectbox(t("field_language"), ("nl", "en"), index=0 if base.language == "nl" else 1,
                                 key=f"{prefix}_lang")
    description = st.text_input(t("prompts_description"), value=base.description, key=f"{prefix}_desc")
    tone = st.text_input(t("prompts_tone"), value=base.tone or "", key=f"{prefix}_tone")
    system = st.text_area(t("prompts_system_template"), value=base.system_template or "", height=120,
                          key=f"{prefix}_system")
    system_slot = st.empty()
    user = st.text_area(t("prompts_user_template"), value=base.user_template, height=220, key=f"{prefix}_user")
    user_slot = st.empty()
    slots = {"system": system_slot, "user": user_slot}
    return PromptVariant(
        id=vid, task=task, language=language, user_template=user, system_template=system if system.strip() else None,
        description=description.strip(), tone=tone.strip() or None,
        based_on=None if scratch else base.id if new else base.based_on,
        path=str(config.prompts_dir() / f"{vid}.yaml"),
    ), slots


def validate_inline(variant: PromptVariant, row: dict[str, Any] | None, slots: Slots) -> PromptVariant | None:
    """Validation errors appear right under the field they are about; returns the checked variant."""
    try:
        checked, _ = check_variant(variant, row)
    except SpecError as exc:
        field = (exc.field or "").split(".")[0].split("[")[0]
        target = slots.get(field) or st
        target.error(describe_error(exc), icon=":material/error:")
        return None
    return checked


def save_controls(variant: PromptVariant | None, row: dict[str, Any] | None, prefix: str, *, label: str) -> None:
    if variant is None:
        st.button(label, disabled=True, key=f"{prefix}_save", help=t("prompts_fix_errors"))
        return
    target = config.prompts_dir() / f"{variant.id}.yaml"
    confirm = True
    if target.exists():
        st.warning(t("prompts_exists", file=target.name))
        confirm = st.checkbox(t("overwrite_file", file=target.name), key=f"{prefix}_confirm")
    if st.button(label, type="primary", key=f"{prefix}_save", disabled=not confirm):
        try:
            path = save_variant(config.prompts_dir(), variant, row, overwrite=target.exists() and confirm)
        except FileExistsError:
            st.error(t("prompts_exists_tick", file=target.name))
        except (SpecError, OSError) as exc:
            st.error(describe_error(exc) if isinstance(exc, SpecError) else str(exc))
        else:
            st.session_state["prompts_flash"] = t("saved_file", file=path.name)
            st.session_state["prompts_selected"] = variant.id
            st.rerun()


def library_list(entries: list[LibraryEntry]) -> LibraryEntry | None:
    good = [e for e in entries if e.variant is not None]
    broken = [e for e in entries if e.variant is None]
    for entry in broken:
        st.error(f"{entry.path.name}: {entry.error}", icon=":material/error:")
    if not good:
        st.info(t("prompts_no_variants", folder=config.prompts_dir()))
        return None
    tasks = sorted({e.variant.task for e in good if e.variant})
    cols = st.columns([1, 3])
    all_tasks = t("all_tasks")  # bound now: format_func may be called outside this run
    task = cols[0].selectbox(t("field_task"), ["", *tasks], format_func=lambda x: x or all_tasks, key="prompts_task")
    shown = [e for e in good if not task or (e.variant and e.variant.task == task)]
    ids = [e.id for e in shown]
    wanted = st.session_state.pop("prompts_selected", None)
    if wanted in ids:
        st.session_state["prompts_pick"] = wanted
    by_id = {e.id: e for e in shown}

    def label(vid: str) -> str:
        variant = by_id[vid].variant
        return f"{vid} · {variant.task} · {variant.language}" if variant else vid

    pick: str | None = cols[1].selectbox(t("field_variant"), ids, key="prompts_pick", format_func=label)
    return by_id.get(pick) if pick is not None else None


def library_table(entries: list[LibraryEntry]) -> None:
    """Every prompt of the library in one table (broken files are listed as errors by `library_list`)."""
    rows = [{t("prompts_col_id"): e.variant.id, t("prompts_col_task"): e.variant.task,
             t("prompts_col_language"): e.variant.language, t("prompts_col_based_on"): e.variant.based_on or "",
             t("prompts_col_description"): e.variant.description, t("prompts_col_file"): e.path.name}
            for e in entries if e.variant is not None]
    if rows:
        st.subheader(t("prompts_library_title"))
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="prompts_table")


def scratch_section(expanded: bool) -> None:
    """A new prompt from empty fields: task and language to choose, templates to write, checked on a case."""
    task = "vacancy_text" if "vacancy_text" in TASKS else TASKS[0]
    blank = PromptVariant(id=t("prompts_scratch_id"), task=task, language=lang(), user_template="")
    with st.expander(t("prompts_scratch_title"), expanded=expanded, icon=":material/add:"):
        st.caption(t("prompts_scratch_caption"))
        new, slots = edited_variant(blank, "scratch", new=True, scratch=True)
        # Widgets keyed by a fixed id: the id field changes while the user types it.
        row = pick_test_case(dataclasses.replace(new, id="scratch")) if new.user_template.strip() else None
        checked = validate_inline(new, row, slots) if new.user_template.strip() else None
        if checked is not None:
            with st.expander(t("prompts_rendered_new")):
                show_rendered(checked, row)
        save_controls(checked, row, "scratch", label=t("prompts_create"))


def test_against_base(variant: PromptVariant, ids: set[str]) -> None:
    """A button that opens the Run page with this variant and its base (the baseline) chosen."""
    if not variant.based_on:
        return
    if variant.based_on not in ids:
        st.caption(t("prompts_base_missing", base=variant.based_on))
        return
    if st.button(t("prompts_test_base"), key=f"test_base_{variant.id}", icon=":material/play_circle:",
                 help=t("prompts_test_base_help", base=variant.based_on)):
        st.session_state[RUN_PREFILL_KEY] = {"task": variant.task, "language": variant.language,
                                         "base": variant.based_on, "variant": variant.id}
        st.switch_page(page_path("run"))


def render() -> None:
    st.title(t("prompts_title"))
    if not access.allowed(Role.RUNNER):  # hidden from other roles' navigation; refused here too
        return
    st.caption(t("prompts_caption", folder=config.prompts_dir()))
    if flash := st.session_state.pop("prompts_flash", None):
        st.success(flash, icon=":material/check_circle:")
    entries = scan_library(config.prompts_dir())
    library_table(entries)
    scratch_section(expanded=not any(e.variant is not None for e in entries))
    entry = library_list(entries)
    if entry is None or entry.variant is None:
        return
    base = entry.variant
    # The description is the prompt author's text, in the prompt's language (marked so for screen readers).
    description = (f'<span lang="{base.language}">{html.escape(base.description)}</span>' if base.description
                   else t("prompts_no_description"))
    st.markdown(f"**{base.id}** — {description}"
                + (t("prompts_based_on", base=base.based_on) if base.based_on else "")
                + t("prompts_variables", names=", ".join(f"`{v}`" for v in sorted(base.variables))),
                unsafe_allow_html=True)
    test_against_base(base, {e.id for e in entries if e.variant is not None})
    st.markdown(f"##### {t('prompts_case_heading')}")
    row = pick_test_case(base)
    preview, edit, derive = st.tabs([t("prompts_tab_preview"), t("prompts_tab_edit"), t("prompts_tab_derive")])
    with preview:
        show_rendered(base, row)
    with edit:
        st.caption(t("prompts_edit_caption"))
        changed, slots = edited_variant(base, f"edit_{base.id}", new=False)
        checked = validate_inline(changed, row, slots)
        if checked is not None and (changed.user_template, changed.system_template, changed.description,
                                    changed.tone, changed.task, changed.language) == (
                base.user_template, base.system_template, base.description, base.tone, base.task, base.language):
            st.caption(t("prompts_no_changes"))
        else:
            save_controls(changed if checked is not None else None, row, f"edit_{base.id}",
                          label=t("prompts_save_changes"))
    with derive:
        new, slots = edited_variant(base, f"new_{base.id}", new=True)
        checked = validate_inline(new, row, slots)
        st.markdown(f"**{t('prompts_diff_title')}**")
        st.html(side_by_side_diff(_combined(base), _combined(new), base.id, new.id or t("prompts_new")))
        if checked is not None:
            with st.expander(t("prompts_rendered_new")):
                show_rendered(checked, row)
        save_controls(new if checked is not None else None, row, f"new_{base.id}", label=t("prompts_create"))


def _combined(variant: PromptVariant) -> str:
    parts = [f"# system\n{variant.system_template}" if variant.system_template else f"# system\n{t('prompts_none')}",
             f"# user\n{variant.user_template}"]
    return "\n".join(parts)


if __name__ == "__main__":
    render()
