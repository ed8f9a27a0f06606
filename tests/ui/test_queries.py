"""The UI's own queries and helpers, without Streamlit: equal to the repository's frames, pairs for review,
string tables complete in both languages, background-run bookkeeping."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from workbench.store.frames import metric_names, numeric_scores, run_header, scores_frame
from workbench.store.queries import case_outputs, review_pairs, run_cases
from workbench.ui import i18n, jobs
from workbench.ui.library import side_by_side_diff

from .conftest import ROOT, UIEnv

UI_SOURCES = sorted((ROOT / "workbench" / "ui").rglob("*.py"))


def test_numeric_scores_equal_the_orm_scores_frame(ui_env: UIEnv) -> None:
    store = ui_env.store()
    with store.session() as session:
        for run_id in ui_env.runs.values():
            metrics = metric_names(session, run_id)
            fast = numeric_scores(session, run_id, metrics)
            slow = scores_frame(session, run_id).drop(columns=["kind"])
            key = ["output_id", "metric"]
            fast = fast.sort_values(key).reset_index(drop=True)
            slow = slow[fast.columns].sort_values(key).reset_index(drop=True)
            pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    store.dispose()


def test_review_pairs_are_fair_and_deterministic(ui_env: UIEnv) -> None:
    store = ui_env.store()
    with store.session() as session:
        run_id = ui_env.runs["screening-name-swap-nl"]
        header = run_header(session, run_id)
        pairs = review_pairs(session, run_id, header.baseline)
        again = review_pairs(session, run_id, header.baseline)
        outputs = {o.output_id: o for p in pairs[:5] for o in case_outputs(session, run_id, p.case_id)}
    store.dispose()
    assert pairs == again  # the same queue for every rater and every page load
    assert len(pairs) == 20  # 20 cases × one other variant, one name per case
    assert all(p.variant_a == header.baseline != p.variant_b for p in pairs)
    for pair in pairs[:5]:
        a, b = outputs[pair.output_a], outputs[pair.output_b]
        assert a.swap_name == b.swap_name and a.model == b.model and a.repeat == b.repeat == 0
    sides = {p.left_is_a(run_id) for p in pairs}
    assert sides == {True, False}  # order randomised per pair
    assert [p.left_is_a(run_id) for p in pairs] == [p.left_is_a(run_id) for p in again]


def test_flag_filter_runs_in_sql(ui_env: UIEnv) -> None:
    store = ui_env.store()
    with store.session() as session:
        run_id = ui_env.runs["vacancy-tone-nl"]
        everything = run_cases(session, run_id)
        flagged = run_cases(session, run_id, flag_metric="age_coded.flagged")
        for case_id in flagged["case_id"]:
            outs = case_outputs(session, run_id, int(case_id))
            repeats = [case_outputs(session, run_id, int(case_id), repeat=r) for r in range(3)]
            assert any(o.flags.get("age_coded.flagged") for rep in repeats for o in rep), outs
    store.dispose()
    assert 0 < len(flagged) < len(everything)


def _used_keys() -> set[str]:
    pattern = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""")
    return {key for path in UI_SOURCES for key in pattern.findall(path.read_text(encoding="utf-8"))}


def test_every_ui_string_exists_in_both_languages() -> None:
    used = _used_keys()
    assert len(used) > 50
    missing = sorted(k for k in used if k not in i18n.STRINGS)
    assert not missing, missing
    half = sorted(k for k, v in i18n.STRINGS.items() if not v.get("en") or not v.get("nl"))
    assert not half, half
    for family in ("status_running", "status_completed", "status_interrupted", "status_incomplete",
                   "status_failed", "flag_red", "flag_orange", "flag_green", "flag_inconclusive",
                   "overall_red", "overall_green", "explain_red", "explain_green", "verdict_better",
                   "verdict_higher", "verdict_equal", "choice_left", "choice_tie"):
        assert family in i18n.STRINGS


@pytest.mark.parametrize(("metric", "label"), [
    ("readability", "Readability"),
    ("gender_coded_nl_provisional.masculine", "Masculine-coded words"),
    ("gender_coded.masculine", "Masculine-coded words"),
    ("judge.clarity", "Clarity (LLM judge)"),
    ("check.has_sections", "Check: has the required sections"),
    ("check.has_salary_range", "Check: has salary range"),
    ("ranking.top1.moroccan_dutch", "Ranked first: Moroccan-Dutch names"),
    ("something.else", "something.else"),
])
def test_metric_labels(metric: str, label: str) -> None:
    assert i18n.metric_label(metric) == label


def test_side_by_side_diff_marks_changes_and_escapes() -> None:
    markup = side_by_side_diff("a\n<b>\nc", "a\n<b>\nc2\nd", "old", "new")
    assert markup.count('class="add"') == 2 and markup.count('class="del"') == 1
    assert "&lt;b&gt;" in markup and "<b>" not in markup


def test_jobs_track_exit_code_and_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing CLI run: exit code 2 is recorded, its one-line error is found on stderr."""
    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path))
    spec = tmp_path / "missing.yaml"
    url = f"sqlite:///{tmp_path / 'x.db'}"
    job = jobs.start_run(spec, url, "missing", 0)
    deadline = time.monotonic() + 600  # a wait on the exit; the bound only stops a hang
    while jobs.poll(job) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.returncode == 2
    assert "missing.yaml" in (jobs.error_line(job) or "")
    loaded = jobs.load_job(url)
    assert loaded is not None and loaded.returncode == 2
    assert not jobs.cancel(loaded)  # nothing left to cancel
    jobs.clear_job(url)
    assert jobs.load_job(url) is None


def test_jobs_follow_a_pid_after_a_server_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run started before a restart is not our child: followed by pid, exit code unknown (-1)."""
    import subprocess

    monkeypatch.setenv("WORKBENCH_UI_STATE_DIR", str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # workbench"])
    # until the child has exec'd (its command line is what identifies a runner): a wait on that state
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 600
    while b"# workbench" not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    job = jobs.RunJob(pid=proc.pid, spec="s.yaml", experiment="e", db="sqlite:///x.db", log="run-20261201-000000",
                      started=time.time(), resume=False, after_run_id=0, folder=tmp_path)
    try:
        assert jobs.poll(job) is None
        assert jobs.cancel(job)
        proc.wait(600)  # bounds the exit only
        assert jobs.poll(job) == -1
    finally:
        proc.kill()
        proc.wait()


def test_run_page_choices_have_labels_in_both_languages() -> None:
    """Scorer presets and run modes are labelled through keys built at run time (`run_preset_<name>`)."""
    from workbench.ui.pages.run import MODES
    from workbench.ui.specs import SCORER_PRESETS

    for preset in SCORER_PRESETS:
        labels = i18n.STRINGS[f"run_preset_{preset}"]
        assert labels["en"] and labels["nl"] and labels["en"] != labels["nl"]
    for mode in MODES:
        assert {"en", "nl"} <= set(i18n.STRINGS[f"run_mode_{mode}"])
