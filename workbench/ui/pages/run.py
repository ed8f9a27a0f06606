"""Run: choose variants × models × repeats, see calls and cost, run the CLI runner in the background,
watch progress, cancel and resume."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench import number_format as nf
from workbench.errors import WorkbenchError
from workbench.experiment.plan import Plan
from workbench.experiment.prompts import PromptVariant
from workbench.providers.registry import is_simulated
from workbench.store.frames import run_header
from workbench.store.queries import latest_run_id, run_progress
from workbench.ui import access, config, jobs
from workbench.ui.auth import Role
from workbench.ui.i18n import STRINGS, lang, t
from workbench.ui.library import atomic_write, dataset_files, missing_variables, scan_library
from workbench.ui.navigation import PageInfo
from workbench.ui.specs import (
    MODEL_SUGGESTIONS,
    SCORER_PRESETS,
    SIMULATED_JUDGE,
    RunChoices,
    default_judge,
    estimate_rows,
    plan_from_text,
    spec_dict,
    spec_file,
    spec_yaml,
    uses_judge,
)
from workbench.ui.state import RUN_PREFILL_KEY, cached_dataset, query, select_run
from workbench.ui.verdict_cache import INLINE_LIMIT, start_analysis

PAGE = PageInfo("build", 30, ":material/play_circle:", "Run", "Uitvoeren", role=Role.RUNNER)

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
# Columns of `estimate_rows` -> their UI label keys.
ESTIMATE_COLUMNS = {"model": "run_col_model", "calls": "run_col_calls", "input tokens": "run_col_input_tokens",
                    "output tokens": "run_col_output_tokens", "est. cost (USD)": "run_col_est_cost",
                    "max cost (USD)": "run_col_max_cost"}
MODES = ("build", "file")  # build from choices, or an existing experiment file


def estimate_panel(plan: Plan) -> None:
    """Calls and estimated cost before anything starts (same numbers as `workbench run --dry-run`)."""
    rows = estimate_rows(plan)
    code = lang()
    for row in rows:  # the judge's calls are a row of their own, named as such
        if row.pop("role") == "judge":
            row["model"] += t("run_role_judge")
    known = [r["est. cost (USD)"] for r in rows if r["est. cost (USD)"] is not None]
    shown = [{**row, **{c: "?" if row[c] is None else "$" + nf.number(row[c], 4, lang=code)
                        for c in ("est. cost (USD)", "max cost (USD)")},
              **{c: nf.count(row[c], code) for c in ("calls", "input tokens", "output tokens")}} for row in rows]
    frame = pd.DataFrame(shown).rename(columns={column: t(key) for column, key in ESTIMATE_COLUMNS.items()})
    cols = st.columns(4)
    cols[0].metric(t("run_metric_calls"), nf.count(sum(r["calls"] for r in rows), code), border=True)
    cols[1].metric(t("run_metric_cases"), nf.count(len(plan.cases), code), border=True)
    cols[2].metric(t("run_metric_est_cost"), "$" + nf.number(sum(known), 4, lang=code)
                   + (" + ?" if len(known) < len(rows) else ""), border=True)
    most = sum(r["max cost (USD)"] or 0.0 for r in rows)
    cols[3].metric(t("run_metric_max_cost"), "$" + nf.number(most, 4, lang=code), border=True)
    st.dataframe(frame, hide_index=True)
    st.caption(t("run_estimate_caption"))
    paced_duration(plan)
    if plan.simulated_only:
        st.info(t("run_all_simulated"), icon=":material/science:")


def paced_duration(plan: Plan) -> None:
    """How long the generation calls take under each model's declared rate limits (as `--dry-run` says)."""
    from workbench.runner.pace_estimate import paced_generation

    code = lang()
    lines = []
    for model, paced in paced_generation(plan):  # judge calls are not paced here (the caption says so)
        if paced is None:
            lines.append(t("run_paced_none", model=model))
        elif paced.minutes < 120:
            lines.append(t("run_paced_min", model=model, minutes=nf.count(max(1.0, paced.minutes), code),
                           limit=nf.count(paced.limit, code), unit=paced.unit))
        else:
            lines.append(t("run_paced_hours", model=model, hours=nf.number(paced.minutes / 60, 1, lang=code),
                           limit=nf.count(paced.limit, code), unit=paced.unit))
    if lines:
        st.caption(t("run_paced_title") + "  \n" + "  \n".join(lines))


def default_variants(pool: list[PromptVariant]) -> list[str]:
    """A sensible first comparison: a base prompt and the first variant derived from it (the base is the
    baseline), else the first two prompts."""
    ids = [v.id for v in pool]
    for base in ids:
        derived = [v.id for v in pool if v.based_on == base]
        if derived:
            return [base, derived[0]]
    return ids[:2]


def apply_prefill() -> str | None:
    """The Prompts page's "test against its base": its choices become this form's values (once)."""
    prefill = st.session_state.pop(RUN_PREFILL_KEY, None)
    if not isinstance(prefill, dict):
        return None
    task, language = prefill["task"], prefill["language"]
    st.session_state["run_task"] = task
    st.session_state["run_lang"] = language
    st.session_state[f"run_variants_{task}_{language}"] = [prefill["base"], prefill["variant"]]
    st.session_state["run_baseline"] = prefill["base"]
    return t("run_prefilled", variant=prefill["variant"], base=prefill["base"])


def build_form(variants: list[PromptVariant]) -> tuple[str, Path] | None:
    """The spec text and its path for the user's choices (validated by the caller). The defaults follow
    the UI language: Dutch prompts (and a Dutch base prompt as the baseline) when the UI is Dutch."""
    if prefilled := apply_prefill():
        st.info(prefilled, icon=":material/science:")
    tasks = sorted({v.task for v in variants})
    cols = st.columns([2, 1, 1])
    name = cols[0].text_input(t("run_name"), value="demo", key="run_name", help=t("run_name_help")).strip()
    task = cols[1].selectbox(t("field_task"), tasks, key="run_task",
                             index=tasks.index("vacancy_text") if "vacancy_text" in tasks else 0)
    # Option labels are bound now: format_func may be called outside this script run (AppTest).
    any_language = t("run_lang_any")
    options = ["any", "nl", "en"]
    if not any(v.task == task and v.language == lang() for v in variants):
        options.remove(lang())  # no prompt of this task in the UI's language: start from "any"
    language = cols[2].selectbox(t("field_language"), options, key="run_lang",
                                 index=options.index(lang()) if lang() in options else 0,
                                 format_func=lambda code: any_language if code == "any" else code)
    pool = [v for v in variants if v.task == task and language in ("any", v.language)]
    ids = [v.id for v in pool]
    chosen = st.multiselect(t("run_variants"), ids, default=default_variants(pool),
                            key=f"run_variants_{task}_{language}")
    if len(chosen) < 1:
        st.info(t("run_choose_variant"))
        return None
    baseline = st.selectbox(t("run_baseline"), chosen, key="run_baseline")
    by_id = {v.id: v for v in pool}
    datasets = dataset_files(config.datasets_dir())
    if not datasets:
        st.warning(t("run_no_datasets"))
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
    dataset = st.selectbox(t("field_dataset"), ordered, key=f"run_dataset_{'-'.join(sorted(languages))}",
                           format_func={p: p.name + (t("run_missing_option", names=", ".join(missing[p]))
                                                     if missing[p] else "") for p in ordered}.__getitem__)
    cols = st.columns([3, 2])
    models = cols[0].multiselect(t("run_models"), list(MODEL_SUGGESTIONS), default=["simulated:default"],
                                 key="run_models", help=t("run_models_help"))
    other = cols[1].text_input(t("run_other_models"), key="run_other_models")
    models += [m.strip() for m in other.split(",") if m.strip()]
    row = st.columns(4)
    repeats = row[0].number_input(t("run_repeats"), min_value=1, max_value=100, value=1, key="run_repeats")
    presets = {p: t(f"run_preset_{p}") for p in SCORER_PRESETS}
    preset = row[1].selectbox(t("run_scorers"), list(presets), format_func=presets.__getitem__,
                               key="run_preset", index=2 if task == "screening_summary" else 0)
    judge = None
    if uses_judge(preset):
        real = [m for m in dict.fromkeys(models) if not is_simulated(m)]
        options = [*real, SIMULATED_JUDGE]
        labels = {m: t("run_judge_simulated") if m == SIMULATED_JUDGE else m for m in options}
        # Keyed by the real models picked: adding one makes it the judge again (never a silent simulated judge).
        judge = st.selectbox(t("run_judge"), options, index=options.index(default_judge(models)),
                             key="run_judge_" + "|".join(real), format_func=labels.__getitem__,
                             help=t("run_judge_help"))
        if judge == SIMULATED_JUDGE and real:
            st.warning(t("run_judge_simulated_real"), icon=":material/science:")
    max_cases = row[2].number_input(t("run_max_cases"), min_value=0, value=0, key="run_max_cases")
    latency = row[3].number_input(t("run_latency"), min_value=0, max_value=5000, value=0,
                                   key="run_latency", help=t("run_latency_help"))
    if not NAME_RE.match(name or ""):
        st.error(t("run_bad_name"))
        return None
    if not models:
        st.info(t("run_choose_model"))
        return None
    folder = config.experiments_dir()
    choices = RunChoices(name=f"ui-{name}", variants=[Path(by_id[v].path or "") for v in chosen], dataset=dataset,
                         models=models, baseline=baseline, repeats=int(repeats), scorers=preset,
                         max_cases=int(max_cases) or None, latency_ms=float(latency), judge=judge)
    return spec_yaml(spec_dict(choices, folder)), spec_file(folder, name)


def existing_form() -> tuple[str, Path] | None:
    specs = sorted(config.experiments_dir().glob("*.yaml"))
    if not specs:
        st.info(t("run_no_specs", folder=config.experiments_dir()))
        return None
    path = st.selectbox(t("run_spec_file"), specs, format_func=lambda p: p.name, key="run_spec_file")
    return path.read_text(encoding="utf-8"), path


def start_controls(text: str, path: Path, plan: Plan, *, new_file: bool, busy: bool) -> None:
    """Write the spec (confirming an overwrite) and launch the runner."""
    confirm = True
    if new_file and path.exists() and path.read_text(encoding="utf-8") != text:
        st.warning(t("run_exists_different", file=path.name))
        confirm = st.checkbox(t("overwrite_file", file=path.name), key="run_confirm")
    url = config.db_url()
    until_decided = False
    if (block := plan.spec.sequential) is not None:  # `sequential:` in the spec: offer to stop early
        until_decided = st.toggle(t("run_until_decided", max_cases=nf.count(block.max_cases, lang()),
                                    look_every=nf.count(block.look_every, lang())),
                                  value=True, key="run_until_decided", help=t("run_until_decided_help"))
    cols = st.columns([1, 1, 3])
    start = cols[0].button(t("run_start"), type="primary", disabled=busy or not confirm, key="run_start",
                           icon=":material/play_arrow:")
    previous = query(latest_run_id, plan.spec.name)
    resume = cols[1].button(t("run_resume_latest"), disabled=busy or not previous or not confirm, key="run_resume",
                            help=t("run_resume_latest_help"))
    if busy:
        cols[2].caption(t("run_busy"))
    if (start or resume) and access.current().can(Role.RUNNER):
        if new_file:
            atomic_write(path, text)
        job = jobs.start_run(path, url, plan.spec.name, previous, resume=bool(resume),
                             started_by=access.started_by(), until_decided=until_decided)
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
    st.subheader(t("run_running"))
    if progress is None:
        st.progress(0.0, text=t("run_starting", experiment=job.experiment))
        st.caption(elapsed_and_eta(time.time() - job.started, 0, 0))
    else:
        share = progress.done / progress.total if progress.total else 0.0
        label = t("run_progress", run=progress.run_id, done=progress.done, total=progress.total)
        if progress.done >= progress.total:
            label += t("run_finishing")
        st.progress(min(share, 1.0), text=label)
        st.caption(elapsed_and_eta(time.time() - job.started, progress.done, progress.total))
        if progress.errors:
            st.caption(t("run_failed_so_far", n=progress.errors))
    if st.button(t("run_cancel"), key="run_cancel", icon=":material/stop:"):
        jobs.cancel(job)
        st.toast(t("run_cancel_sent"))


def duration(seconds: float) -> str:
    """1:05 or 1:02:05 (minutes:seconds, hours:minutes:seconds): the same in English and Dutch."""
    whole = max(round(seconds), 0)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def elapsed_and_eta(elapsed: float, done: int, total: int) -> str:
    """Time since the start and, once outputs arrive, the time left at the pace so far."""
    text = t("run_elapsed", elapsed=duration(elapsed))
    if 0 < done < total:
        text += t("run_eta", left=duration(elapsed / done * (total - done)))
    return text


def outcome_panel(url: str, job: jobs.RunJob) -> None:
    """After the runner exits: what happened, and what to do next."""
    code = job.returncode
    progress = query(run_progress, job.experiment, after_run_id=0 if job.resume else job.after_run_id,
                     run_id=job.run_id_hint)
    run_text = t("run_numbered", run=progress.run_id) if progress else t("run_the_run")
    if progress is not None and not st.session_state.get(f"run_selected_{progress.run_id}"):
        st.session_state[f"run_selected_{progress.run_id}"] = True
        select_run(progress.run_id)
        st.rerun()  # so the sidebar's run picker shows the new run
    status = progress.status if progress else ""
    if status == "failed":
        st.error(t("run_failed_status", run=run_text, reason=jobs.error_line(job) or t("run_see_log")),
                 icon=":material/error:")
    elif code == 2:
        st.error(t("run_could_not_start", reason=jobs.error_line(job) or t("run_see_log")), icon=":material/error:")
    elif code in (jobs.EXIT_INTERRUPTED, -signal.SIGINT, -signal.SIGTERM) or status == "interrupted":
        st.warning(t("run_interrupted", run=run_text), icon=":material/pause_circle:")
    elif code == 1 or status == "incomplete":
        st.warning(t("run_incomplete", run=run_text, n=progress.errors if progress else "?"),
                   icon=":material/error:")
    elif status == "completed":
        st.success(t("run_completed", run=run_text, n=progress.done if progress else 0),
                   icon=":material/check_circle:")
        if progress is not None and progress.done > INLINE_LIMIT:
            start_analysis(url, query(run_header, progress.run_id))  # a big run's verdicts: computing from now
    else:
        shown = t(f"status_{status}") if f"status_{status}" in STRINGS else status or t("run_status_unknown")
        st.info(t("run_ended", run=run_text, status=shown, code=code))
    cols = st.columns([1, 1, 1, 3])
    if progress is not None and cols[0].button(t("run_open_compare"), type="primary", key="run_open"):
        select_run(progress.run_id)
        jobs.clear_job(url)
        st.switch_page(config.page_path("compare"), query_params={"run": str(progress.run_id)})
    resumable = status != "completed" and code != 2
    if resumable and cols[1].button(t("run_resume"), key="run_resume_after", icon=":material/replay:"):
        jobs.start_run(Path(job.spec), url, job.experiment, progress.run_id if progress else 0, resume=True,
                       started_by=access.started_by())
        st.rerun()
    if cols[2].button(t("run_dismiss"), key="run_dismiss"):
        jobs.clear_job(url)
        st.rerun()
    with st.expander(t("run_log")):
        for name in (job.stdout, job.stderr):
            tail = jobs.read_log(name)[-4000:]
            if tail.strip():
                st.code(tail, language=None)


def render() -> None:
    st.title(t("run_title"))
    if not access.allowed(Role.RUNNER):  # hidden from other roles' navigation; refused here too
        return
    st.caption(t("run_intro"))
    url = config.db_url()
    job = jobs.load_job(url)
    busy = job is not None and jobs.poll(job) is None
    if job is not None:
        if busy:
            progress_panel(url)
            st.info(t("run_form_locked", experiment=job.experiment), icon=":material/lock:")
            return  # the form is locked while the run runs: nothing to change or start twice
        outcome_panel(url, job)
        st.divider()
    modes = {m: t(f"run_mode_{m}") for m in MODES}
    mode = st.radio(t("run_mode"), MODES, horizontal=True, key="run_mode", format_func=modes.__getitem__)
    variants = [e.variant for e in scan_library(config.prompts_dir()) if e.variant is not None]
    form = build_form(variants) if mode == "build" else existing_form()
    if form is None:
        return
    text, path = form
    try:
        plan = plan_from_text(text, path)
    except (WorkbenchError, ValueError) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    with st.expander(t("run_spec", file=path.name)):
        st.code(text, language="yaml")
    st.subheader(t("run_estimate_title"))
    estimate_panel(plan)
    start_controls(text, path, plan, new_file=mode == "build", busy=busy)


if __name__ == "__main__":
    render()
