"""Run: choose variants × models × repeats, see calls and cost, run the CLI runner in the background,
watch progress, cancel and resume."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench.errors import WorkbenchError
from workbench.plan import Plan
from workbench.prompts import PromptVariant
from workbench.ui import config, jobs
from workbench.ui.library import atomic_write, dataset_files, missing_variables, scan_library
from workbench.ui.queries import latest_run_id, run_progress
from workbench.ui.specs import (
    MODEL_SUGGESTIONS,
    PRESET_LABELS,
    RunChoices,
    estimate_rows,
    plan_from_text,
    spec_dict,
    spec_file,
    spec_yaml,
)
from workbench.ui.state import cached_dataset, query, select_run

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def estimate_panel(plan: Plan) -> None:
    """Calls and estimated cost before anything starts (same numbers as `workbench run --dry-run`)."""
    rows = estimate_rows(plan)
    frame = pd.DataFrame(rows)
    known = [r["est. cost (USD)"] for r in rows if r["est. cost (USD)"] is not None]
    cols = st.columns(4)
    cols[0].metric("Calls", f"{len(plan.calls):,}", border=True)
    cols[1].metric("Test cases", f"{len(plan.cases):,}", border=True)
    cols[2].metric("Estimated cost", f"${sum(known):,.4f}" + (" + ?" if len(known) < len(rows) else ""),
                   border=True)
    cols[3].metric("Maximum cost", f"${sum(r['max cost (USD)'] or 0.0 for r in rows):,.4f}", border=True)
    st.dataframe(frame, hide_index=True, column_config={
        "est. cost (USD)": st.column_config.NumberColumn(format="$%.4f"),
        "max cost (USD)": st.column_config.NumberColumn(format="$%.4f"),
    })
    st.caption("Estimates use ~4 characters per token and a task-typical answer length; 'max cost' assumes "
               "every answer uses max_tokens. Unknown prices show as empty.")
    if plan.simulated_only:
        st.info("All models are SIMULATED: offline, free, synthetic outputs (labelled SIMULATED everywhere).",
                icon=":material/science:")


def build_form(variants: list[PromptVariant]) -> tuple[str, Path] | None:
    """The spec text and its path for the user's choices (validated by the caller)."""
    tasks = sorted({v.task for v in variants})
    cols = st.columns([2, 1, 1])
    name = cols[0].text_input("Experiment name", value="demo", key="run_name",
                              help="Saved as experiments/ui-<name>.yaml").strip()
    task = cols[1].selectbox("Task", tasks, key="run_task",
                             index=tasks.index("vacancy_text") if "vacancy_text" in tasks else 0)
    language = cols[2].selectbox("Language", ["any", "nl", "en"], key="run_lang")
    pool = [v for v in variants if v.task == task and language in ("any", v.language)]
    ids = [v.id for v in pool]
    chosen = st.multiselect("Variants", ids, default=ids[:2], key=f"run_variants_{task}_{language}")
    if len(chosen) < 1:
        st.info("Choose at least one variant (two or more to compare).")
        return None
    baseline = st.selectbox("Baseline (the variant the others are compared with)", chosen, key="run_baseline")
    by_id = {v.id: v for v in pool}
    datasets = dataset_files(config.datasets_dir())
    if not datasets:
        st.warning("No datasets yet — add one on the Datasets page.")
        return None

    def fits(path: Path) -> list[str]:
        try:
            cases = cached_dataset(str(path), path.stat().st_mtime)
        except WorkbenchError as exc:
            return [str(exc)]
        columns = set.intersection(*(set(c.variables) for c in cases)) if cases else set()
        return sorted({m for vid in chosen for m in missing_variables(by_id[vid], columns, {"candidate_name"})})

    missing = {p: fits(p) for p in datasets}
    languages = {by_id[v].language for v in chosen}
    # Fitting datasets first, and among those the ones named for the variants' language (vacancies_nl.csv).
    ordered = sorted(datasets, key=lambda p: (bool(missing[p]), not any(f"_{lang}" in p.stem for lang in languages),
                                              p.name))
    # Keyed by language so switching to Dutch variants also switches to the Dutch dataset.
    dataset = st.selectbox("Dataset", ordered, key=f"run_dataset_{'-'.join(sorted(languages))}",
                           format_func=lambda p: p.name + (f"  (missing: {', '.join(missing[p])})"
                                                           if missing[p] else ""))
    cols = st.columns([3, 2])
    models = cols[0].multiselect("Models", list(MODEL_SUGGESTIONS), default=["simulated:default"], key="run_models",
                                 help="Real providers need their API key in the environment of the server.")
    other = cols[1].text_input("Other models (provider:model, comma-separated)", key="run_other_models")
    models += [m.strip() for m in other.split(",") if m.strip()]
    row = st.columns(4)
    repeats = row[0].number_input("Repeats", min_value=1, max_value=100, value=1, key="run_repeats")
    preset = row[1].selectbox("Scorers", list(PRESET_LABELS), format_func=PRESET_LABELS.__getitem__,
                               key="run_preset", index=2 if task == "screening_summary" else 0)
    max_cases = row[2].number_input("Max test cases (0 = all)", min_value=0, value=0, key="run_max_cases")
    latency = row[3].number_input("Simulated latency per call (ms)", min_value=0, max_value=5000, value=0,
                                   key="run_latency", help="Only for simulated models: slows a demo down.")
    if not NAME_RE.match(name or ""):
        st.error("The name may contain letters, digits, '-', '_' and '.' only.")
        return None
    if not models:
        st.info("Choose at least one model.")
        return None
    folder = config.experiments_dir()
    choices = RunChoices(name=f"ui-{name}", variants=[Path(by_id[v].path or "") for v in chosen], dataset=dataset,
                         models=models, baseline=baseline, repeats=int(repeats), scorers=preset,
                         max_cases=int(max_cases) or None, latency_ms=float(latency))
    return spec_yaml(spec_dict(choices, folder)), spec_file(folder, name)


def existing_form() -> tuple[str, Path] | None:
    specs = sorted(config.experiments_dir().glob("*.yaml"))
    if not specs:
        st.info(f"No experiment files in {config.experiments_dir()}.")
        return None
    path = st.selectbox("Experiment file", specs, format_func=lambda p: p.name, key="run_spec_file")
    return path.read_text(encoding="utf-8"), path


def start_controls(text: str, path: Path, plan: Plan, *, new_file: bool, busy: bool) -> None:
    """Write the spec (confirming an overwrite) and launch the runner."""
    confirm = True
    if new_file and path.exists() and path.read_text(encoding="utf-8") != text:
        st.warning(f"{path.name} exists with different settings.")
        confirm = st.checkbox(f"Overwrite {path.name}", key="run_confirm")
    url = config.db_url()
    cols = st.columns([1, 1, 3])
    start = cols[0].button("Start run", type="primary", disabled=busy or not confirm, key="run_start",
                           icon=":material/play_arrow:")
    previous = query(latest_run_id, plan.spec.name)
    resume = cols[1].button("Resume latest", disabled=busy or not previous or not confirm, key="run_resume",
                            help="Continue the newest run of this experiment (skips what is already stored).")
    if busy:
        cols[2].caption("A run is in progress for this database — wait for it or cancel it first.")
    if start or resume:
        if new_file:
            atomic_write(path, text)
        job = jobs.start_run(path, url, plan.spec.name, previous, resume=bool(resume))
        st.session_state["run_job_pid"] = job.pid  # this session's run; the job file serves reloads
        st.rerun()


@st.fragment(run_every=1.0)
def progress_panel(url: str) -> None:
    """Polls the database (outputs stored so far vs planned calls) while the runner works."""
    job = jobs.load_job(url)
    if job is None:
        return
    code = jobs.poll(job)
    progress = query(run_progress, job.experiment, after_run_id=0 if job.resume else job.after_run_id,
                     run_id=job.run_id_hint)
    if code is not None:
        st.rerun()  # the whole page shows the outcome (and the sidebar learns about the new run)
    st.subheader("Running")
    if progress is None:
        st.progress(0.0, text=f"Starting {job.experiment}…")
    else:
        share = progress.done / progress.total if progress.total else 0.0
        label = f"Run #{progress.run_id}: {progress.done:,} of {progress.total:,} outputs stored"
        if progress.done >= progress.total:
            label += " — scoring with the judge / finishing…"
        st.progress(min(share, 1.0), text=label)
        if progress.errors:
            st.caption(f"{progress.errors} calls failed so far (they are retried on resume).")
    if st.button("Cancel run", key="run_cancel", icon=":material/stop:"):
        jobs.cancel(job)
        st.toast("Cancel sent: the runner stores what it has and stops.")


def outcome_panel(url: str, job: jobs.RunJob) -> None:
    """After the runner exits: what happened, and what to do next."""
    code = job.returncode
    progress = query(run_progress, job.experiment, after_run_id=0 if job.resume else job.after_run_id,
                     run_id=job.run_id_hint)
    run_text = f"Run #{progress.run_id}" if progress else "The run"
    if progress is not None and not st.session_state.get(f"run_selected_{progress.run_id}"):
        st.session_state[f"run_selected_{progress.run_id}"] = True
        select_run(progress.run_id)
        st.rerun()  # so the sidebar's run picker shows the new run
    status = progress.status if progress else ""
    if code == 2:
        st.error(f"The run could not start: {jobs.error_line(job) or 'see the log'}", icon=":material/error:")
    elif code in (jobs.EXIT_INTERRUPTED, -signal.SIGINT, -signal.SIGTERM) or status == "interrupted":
        st.warning(f"{run_text} was interrupted. Everything finished so far is stored; resume to complete it.",
                   icon=":material/pause_circle:")
    elif code == 1 or status == "incomplete":
        st.warning(f"{run_text} finished with failed calls ({progress.errors if progress else '?'}); "
                   "resume to retry them.", icon=":material/error:")
    elif status == "completed":
        st.success(f"{run_text} completed: {progress.done if progress else 0:,} outputs stored.",
                   icon=":material/check_circle:")
    else:
        st.info(f"{run_text} ended ({status or 'status unknown'}, exit code {code}).")
    cols = st.columns([1, 1, 1, 3])
    if progress is not None and cols[0].button("Open in Compare", type="primary", key="run_open"):
        select_run(progress.run_id)
        jobs.clear_job(url)
        st.switch_page(config.page_path("compare"))
    resumable = status != "completed" and code != 2
    if resumable and cols[1].button("Resume", key="run_resume_after", icon=":material/replay:"):
        jobs.start_run(Path(job.spec), url, job.experiment, progress.run_id if progress else 0, resume=True)
        st.rerun()
    if cols[2].button("Dismiss", key="run_dismiss"):
        jobs.clear_job(url)
        st.rerun()
    with st.expander("Runner log"):
        for name in (job.stdout, job.stderr):
            try:
                tail = Path(name).read_text(encoding="utf-8", errors="replace")[-4000:]
            except OSError:
                tail = ""
            if tail.strip():
                st.code(tail, language=None)


def render() -> None:
    st.title("Run an experiment")
    st.caption("Runs the same runner as `workbench run` in a background process; results land in the store "
               "as they arrive, so closing this page does not stop the run.")
    url = config.db_url()
    job = jobs.load_job(url)
    busy = job is not None and jobs.poll(job) is None
    if job is not None:
        if busy:
            progress_panel(url)
        else:
            outcome_panel(url, job)
        st.divider()
    mode = st.radio("Experiment", ["Build from choices", "Existing experiment file"], horizontal=True,
                    key="run_mode")
    variants = [e.variant for e in scan_library(config.prompts_dir()) if e.variant is not None]
    form = build_form(variants) if mode == "Build from choices" else existing_form()
    if form is None:
        return
    text, path = form
    try:
        plan = plan_from_text(text, path)
    except (WorkbenchError, ValueError) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    with st.expander(f"Spec: {path.name}"):
        st.code(text, language="yaml")
    st.subheader("Calls and estimated cost")
    estimate_panel(plan)
    start_controls(text, path, plan, new_file=mode == "Build from choices", busy=busy)


if __name__ == "__main__":
    render()
