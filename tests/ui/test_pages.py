"""AppTest of every page against a store with the simulated demo runs (no browser)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from workbench.store.db import Store
from workbench.store.models import Output, Rating, Run
from workbench.ui import jobs
from workbench.ui import verdict_cache as ui_analysis
from workbench.ui.run_stats import analyse_for_pages

from .conftest import APP, ROOT, UIEnv

VACANCY, SWAP = "vacancy-tone-nl", "screening-name-swap-nl"


def open_page(page: str, run_id: int | None = None, *, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = lang
    if run_id is not None:
        at.session_state["run_id"] = run_id
    at.run()
    if page != "overview":
        at.switch_page(f"workbench/ui/pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(elements: object) -> str:
    return "\n".join(str(e.value) for e in elements)  # type: ignore[attr-defined]


def html(at: AppTest) -> str:
    return "\n".join(str(e.proto.body) for e in at.html)


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


# -- overview and errors -------------------------------------------------------------------------


def test_overview_lists_runs_with_simulated_label(ui_env: UIEnv) -> None:
    at = open_page("overview")
    assert at.title[0].value == "Prompt Workbench"
    table = frame_with(at, "Experiment")
    assert set(ui_env.runs) <= {name.split("  ·")[0] for name in table["Experiment"]}
    assert table["Experiment"].str.contains("SIMULATED").all()
    assert {m.label for m in at.metric} >= {"Runs", "Outputs"}


def test_empty_store_shows_how_to_start(ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBENCH_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    for page in ("overview", "compare", "bias", "review"):
        at = open_page(page)
        assert "No runs yet — start one on the Run page." in texts(at.info), page


@pytest.mark.parametrize("kind", ["missing_dir", "corrupt", "bad_url"])
def test_bad_database_is_one_clear_error(ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         kind: str) -> None:
    if kind == "missing_dir":
        url = f"sqlite:///{tmp_path / 'nope' / 'x.db'}"
    elif kind == "corrupt":
        bad = tmp_path / "corrupt.db"
        bad.write_bytes(b"this is not a database" * 100)
        url = f"sqlite:///{bad}"
    else:
        url = "nosuchdriver://user:secret@host/db"
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    for page in ("overview", "compare", "review"):
        at = open_page(page, 1)
        errors = texts(at.error)
        assert "Cannot open the database" in errors or "database error" in errors, (page, errors)
        assert "Traceback" not in errors and "secret" not in errors
        assert all("\n" not in e.value for e in at.error)


# -- compare -------------------------------------------------------------------------------------


def test_compare_shows_verdicts_simulated_labels_and_highlights(ui_env: UIEnv) -> None:
    at = open_page("compare", ui_env.runs[VACANCY])
    assert at.title[0].value == "Compare variants"
    assert "SIMULATED" in texts(at.warning)  # banner on the run page
    verdicts = frame_with(at, "Verdict")
    assert {"vacancy_nl_inclusive", "vacancy_nl_informal"} <= set(verdicts["Variant"])
    assert "Readability" in set(verdicts["Measure"])
    words = verdicts["Verdict"].str.split(" ", n=1).str[1]  # "▲ better": a symbol, never colour alone
    labels = r"(better|worse|higher|lower)( \(exploratory\))?|no significant difference|unclear: could be up to .+"
    assert words.str.fullmatch(labels).all(), verdicts["Verdict"]
    assert set(verdicts["Family"]) <= {"primary", "exploratory"}
    significant = (~words.str.startswith(("no significant", "unclear"))).tolist()
    assert significant == sorted(significant, reverse=True)  # significant verdicts first
    body = html(at)
    assert body.count('class="wb-sim"') == 3  # a SIMULATED badge on each output card
    assert "<mark class=" in body  # coded words highlighted
    assert len(at.get("vega_lite_chart")) >= 2  # effect chart + distribution chart


def test_compare_shows_prompt_versions_and_their_diff(ui_env: UIEnv) -> None:
    """README "Prompt versions": Compare shows which version a run used and the diff to the one before."""
    from workbench.experiment.plan import build_plan
    from workbench.runner.run import run_experiment

    spec = ui_env.experiments / "vacancy_tone_nl.yaml"
    spec.write_text(spec.read_text().replace("prompts/", f"{ui_env.prompts}/").replace(
        "experiments/data", f"{ui_env.experiments}/data"))
    variant = ui_env.prompts / "vacancy_nl_inclusive.yaml"
    variant.write_text(variant.read_text().replace("Schrijf", "Schrijf kort", 1))
    store = ui_env.store()
    run_id = run_experiment(build_plan(spec), store).run_id
    store.dispose()
    for lang, title, since in (("en", "Prompt versions: a variant changed", "version 1"),
                               ("nl", "Promptversies: een variant is gewijzigd", "versie 1")):
        at = open_page("compare", run_id, lang=lang)
        assert any(e.label.startswith(title) for e in at.expander), [e.label for e in at.expander]
        diff = "\n".join(str(c.value) for c in at.code)
        assert "+" in diff and "Schrijf kort" in diff, diff
        assert since in set(frame_with(at, "Variant").iloc[:, -1])
    unchanged = open_page("compare", ui_env.runs[VACANCY])
    assert any(e.label.startswith("Prompt versions: every variant") for e in unchanged.expander)


def test_compare_filters_and_paging_are_server_side(ui_env: UIEnv) -> None:
    at = open_page("compare", ui_env.runs[VACANCY])
    all_cases = at.selectbox(key="cmp_case").options
    assert len(all_cases) == 20
    at.selectbox(key="cmp_flag").set_value("age_coded").run()
    flagged = at.selectbox(key="cmp_case").options
    assert 0 < len(flagged) < len(all_cases)
    first = at.selectbox(key="cmp_case").value
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    assert at.selectbox(key="cmp_case").value != first
    at.text_input(key="cmp_search").input("nl-0").run()
    assert all(o.startswith("nl-0") for o in at.selectbox(key="cmp_case").options)
    assert not at.exception


def test_compare_in_dutch(ui_env: UIEnv) -> None:
    at = open_page("compare", ui_env.runs[VACANCY], lang="nl")
    assert at.title[0].value == "Varianten vergelijken"
    verdicts = frame_with(at, "Oordeel")
    assert "Leesbaarheid" in set(verdicts["Maat"])
    assert "gesimuleerde" in texts(at.warning)


def test_compare_big_run_computes_in_background(ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the inline limit the page renders at once and shows the verdicts when they are ready."""
    monkeypatch.setattr(ui_analysis, "INLINE_LIMIT", 0)
    at = open_page("compare", ui_env.runs[SWAP])
    assert "Computing the verdicts" in texts(at.info)
    assert at.selectbox(key="cmp_case").options  # the case browser works meanwhile
    deadline = time.monotonic() + 30
    while "Computing the verdicts" in texts(at.info) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert "screening_nl_blind_criteria" in set(frame_with(at, "Verdict")["Variant"])


def test_page_analysis_matches_the_full_analysis(ui_env: UIEnv) -> None:
    """Analysing only the displayed metrics gives the same statistics as the report's full analysis."""
    from workbench.analysis.run_results import analyse_run

    store = ui_env.store()
    for run_id in ui_env.runs.values():
        slow, fast = analyse_run(store, run_id), analyse_for_pages(store, run_id)
        pd.testing.assert_frame_equal(slow.headline_verdicts(), fast.headline_verdicts())
        pd.testing.assert_frame_equal(slow.lint_rates, fast.lint_rates)
        assert slow.info == fast.info and slow.warnings == fast.warnings
        if slow.bias is not None:
            assert fast.bias is not None
            pd.testing.assert_frame_equal(slow.bias.to_frame(), fast.bias.to_frame())
    store.dispose()


# -- bias ----------------------------------------------------------------------------------------


def test_bias_page_flags_the_planted_name_effect(ui_env: UIEnv) -> None:
    at = open_page("bias", ui_env.runs[SWAP])
    assert "SIMULATED" in texts(at.warning)
    audit = frame_with(at, "Impact ratio (95% CI)")
    red = audit[audit["Flag"] == "✖ red"]
    assert list(red["Variant"]) == ["screening_nl_structured"]
    assert list(red["Group"]) == ["Moroccan-Dutch names"]
    overall = texts(at.error)
    assert "Overall: ✖ red" in overall and "screening_nl_structured" in overall  # names its prompt and group
    assert "candidates with Moroccan-Dutch names are invited to an interview less often" in overall
    sentences = [str(e.proto.body) for e in at.html if "wb-prompt-bias" in str(e.proto.body)]
    assert len(sentences) == 2  # one sentence per prompt
    structured = next(s for s in sentences if "screening_nl_structured" in s)
    assert "Red because the difference for Moroccan-Dutch names is significant after correction" in structured
    assert "Flips: when only the name changes" in texts(at.markdown)  # flip evidence outside the details
    # two prompts, two flip tests: each claim rests on the Holm-adjusted p, as in the report
    assert texts(at.markdown).count("Holm-adjusted over the audit's 2 flip tests p") == 2
    assert "Indicative, not a legal audit." in texts(at.caption)
    # the adjusted p-values say their family (issue #10: every surface names it)
    assert f"Adj. p: Holm-corrected over the audit's {len(audit)} group comparisons" in texts(at.caption)


def test_bias_page_lint_rates_and_dutch(ui_env: UIEnv) -> None:
    at = open_page("bias", ui_env.runs[VACANCY], lang="nl")
    rates = frame_with(at, "Aandeel gemarkeerd")
    assert {"Leeftijdsgecodeerde taal", "Uitsluitende taaleisen"} <= set(rates["Controle"])
    assert "naamwissel-audit" in texts(at.info)


# -- review --------------------------------------------------------------------------------------


def rate_button(at: AppTest, name: str) -> object:
    """The button of the pair on screen (keys name the pair: rate_a_<output a>_<output b>)."""
    found = [b for b in at.button if str(b.key).startswith(f"{name}_")]
    assert len(found) == 1, [b.key for b in at.button]
    return found[0]


def ratings_in(env: UIEnv, run_id: int) -> list[Rating]:
    store = env.store()
    with store.session() as session:
        ratings = list(session.scalars(select(Rating).where(Rating.run_id == run_id).order_by(Rating.id)))
    store.dispose()
    return ratings


def shown_pair(at: AppTest) -> str:
    return str(rate_button(at, "rate_a").key).removeprefix("rate_a_")


def test_review_rating_is_stored_blind(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    at = open_page("review", run_id)
    assert "Enter your name to start rating." in texts(at.info)
    at.text_input(key="rater").input("Sanne").run()
    cards = html(at)
    assert cards.count('class="wb-sim"') == 2
    assert "vacancy_nl_" not in cards  # variant names stay hidden
    assert "Rated 0 of 40 pairs" in str(at.get("progress")[0].proto.text)
    comment_key = next(w.key for w in at.text_input if str(w.key).startswith("comment_"))
    at.text_input(key=comment_key).input("clearer headings").run()
    first = shown_pair(at)
    rate_button(at, "rate_a").click().run()
    assert not at.exception
    ratings = ratings_in(ui_env, run_id)
    assert len(ratings) == 1
    rating = ratings[0]
    assert rating.rater == "Sanne" and rating.comment == "clearer headings"
    assert f"{rating.output_a_id}_{rating.output_b_id}" == first  # keyed to the pair that was on screen
    assert rating.winner == rating.left  # "A is better" = the output shown on the left won
    assert "Rated 1 of 40 pairs" in str(at.get("progress")[0].proto.text)
    assert shown_pair(at) != first
    rate_button(at, "rate_tie").click().run()
    rate_button(at, "rate_skip").click().run()
    rate_button(at, "rate_b").click().run()
    assert len(ratings_in(ui_env, run_id)) == 3


def test_review_keeps_results_hidden_until_revealed(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    at = open_page("review", run_id)
    at.text_input(key="rater").input("Sanne").run()
    for _ in range(3):
        rate_button(at, "rate_a").click().run()
    page_text = "\n".join([texts(at.markdown), texts(at.caption), html(at)])
    assert "vacancy_nl_" not in page_text  # no prompt names anywhere while rating
    assert not any("Win rate" in e.value.columns for e in at.dataframe)
    assert "Results stay hidden while you rate" in texts(at.caption)
    at.button(key="reveal_results").click().run()
    prefs = frame_with(at, "Win rate")
    assert set(prefs["versus"]) == {"vacancy_nl_formal"}  # the baseline is the reference
    # the position check counts the pairs shown (3 ratings by one rater: 3 pairs), not only the ratings
    assert re.search(r"won \d of \d decided ratings .*; per pair shown, left ahead in \d, right ahead in \d, "
                     r"even in \d", texts(at.markdown))
    assert "Rating is paused while the results are shown" in texts(at.info)
    assert "An interim look: you have not rated every pair yet" in texts(at.caption)
    assert not any(str(b.key).startswith("rate_a_") for b in at.button)  # no blind rating after seeing results
    at.button(key="hide_results").click().run()
    assert rate_button(at, "rate_a") is not None


def test_review_undo_puts_the_pair_back(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    at = open_page("review", run_id)
    at.text_input(key="rater").input("Sanne").run()
    first = shown_pair(at)
    rate_button(at, "rate_b").click().run()
    second = shown_pair(at)
    rate_button(at, "rate_a").click().run()
    assert len(ratings_in(ui_env, run_id)) == 2
    undo = next(b for b in at.button if str(b.key).startswith("undo_"))
    assert undo.proto.shortcut == "u"
    undo.click().run()
    assert [f"{r.output_a_id}_{r.output_b_id}" for r in ratings_in(ui_env, run_id)] == [first]
    assert shown_pair(at) == second  # the undone pair is shown again
    assert "Rated 1 of 40 pairs" in str(at.get("progress")[0].proto.text)
    next(b for b in at.button if str(b.key).startswith("undo_")).click().run()
    assert ratings_in(ui_env, run_id) == [] and shown_pair(at) == first


def test_review_rating_does_not_recompute_the_verdicts(ui_env: UIEnv) -> None:
    """A rating changes the preferences, not the verdicts: Compare and Bias keep their cached analysis."""
    from workbench.store.frames import run_header

    run_id = ui_env.runs[VACANCY]
    store = ui_env.store()
    with store.session() as session:
        before = run_header(session, run_id).version
    at = open_page("review", run_id)
    at.text_input(key="rater").input("Sanne").run()
    rate_button(at, "rate_a").click().run()
    with store.session() as session:
        after = run_header(session, run_id)
    store.dispose()
    assert after.ratings == 1 and after.version == before


def test_rater_name_is_remembered_across_pages(ui_env: UIEnv) -> None:
    at = open_page("review", ui_env.runs[VACANCY])
    at.text_input(key="rater").input("Sanne").run()
    at.switch_page("workbench/ui/pages/compare.py").run()
    at.switch_page("workbench/ui/pages/review.py").run()
    assert at.text_input(key="rater").value == "Sanne"
    assert rate_button(at, "rate_a") is not None


def test_review_buttons_have_keyboard_shortcuts(ui_env: UIEnv) -> None:
    at = open_page("review", ui_env.runs[VACANCY])
    at.text_input(key="rater").input("Tom").run()
    shortcuts = {str(b.key).rsplit("_", 2)[0]: b.proto.shortcut for b in at.button
                 if b.key and str(b.key).startswith("rate_")}
    assert shortcuts == {"rate_a": "a", "rate_b": "b", "rate_tie": "t", "rate_skip": "n"}


# -- prompts -------------------------------------------------------------------------------------


def prompts_page(variant: str) -> AppTest:
    at = open_page("prompts")
    at.selectbox(key="prompts_pick").set_value(variant).run()
    return at


def test_prompts_preview_renders_with_a_test_case(ui_env: UIEnv) -> None:
    at = prompts_page("vacancy_nl_formal")
    rendered = "\n".join(str(c.value) for c in at.code)
    assert "Schrijf een formele vacaturetekst voor de functie" in rendered
    assert "{{" not in rendered


def test_prompts_bad_template_shows_inline_error(ui_env: UIEnv) -> None:
    at = prompts_page("vacancy_nl_formal")
    at.text_area(key="edit_vacancy_nl_formal_user").input("Schrijf voor {{ job_title").run()
    assert any("template syntax error" in e.value for e in at.error), texts(at.error)
    assert at.button(key="edit_vacancy_nl_formal_save").disabled
    at.text_area(key="edit_vacancy_nl_formal_user").input("Voor {{ unknown_column }}").run()
    assert any("unknown_column" in e.value for e in at.error)


def test_prompts_create_variant_with_diff(ui_env: UIEnv) -> None:
    repo_files = sorted(p.name for p in (ROOT / "prompts").iterdir())
    at = prompts_page("vacancy_nl_inclusive")
    prefix = "new_vacancy_nl_inclusive"
    at.text_input(key=f"{prefix}_id").input("vacancy_nl_short").run()
    base_user = at.text_area(key=f"{prefix}_user").value
    at.text_area(key=f"{prefix}_user").input(base_user + "\nHoud het kort.").run()
    assert "Houd het kort." in html(at) and 'class="add"' in html(at)  # side-by-side diff
    at.button(key=f"{prefix}_save").click().run()
    assert not at.exception
    saved = ui_env.prompts / "vacancy_nl_short.yaml"
    text = saved.read_text(encoding="utf-8")
    assert "based_on: vacancy_nl_inclusive" in text and "Houd het kort." in text
    assert sorted(p.name for p in (ROOT / "prompts").iterdir()) == repo_files  # repo untouched
    assert "Saved vacancy_nl_short.yaml" in texts(at.success)


def test_prompts_never_overwrite_without_confirmation(ui_env: UIEnv) -> None:
    target = ui_env.prompts / "vacancy_nl_formal.yaml"
    before = target.read_text(encoding="utf-8")
    at = prompts_page("vacancy_nl_inclusive")
    at.text_input(key="new_vacancy_nl_inclusive_id").input("vacancy_nl_formal").run()
    assert "vacancy_nl_formal.yaml already exists in the library." in texts(at.warning)
    assert at.button(key="new_vacancy_nl_inclusive_save").disabled
    assert target.read_text(encoding="utf-8") == before


# -- datasets ------------------------------------------------------------------------------------


def test_datasets_upload_shows_missing_variables(ui_env: UIEnv) -> None:
    at = open_page("datasets")
    csv = b"id,job_title,company\nx-1,Kok,De Pan\nx-2,Monteur,Garage Oost\n"
    at.file_uploader(key="ds_upload").upload("mini.csv", csv, "text/csv").run()
    assert not at.exception
    assert "mini.csv: 2 test cases read." in texts(at.success)
    at.selectbox(key="ds_task").set_value("vacancy_text").run()
    warning = texts(at.warning)
    assert "Missing variables" in warning and "`location`" in warning and "`salary`" in warning
    report = frame_with(at, "missing variables")
    formal = report[report["variant"] == "vacancy_nl_formal"].iloc[0]
    assert "duties" in formal["missing variables"]
    at.button(key="ds_save").click().run()
    assert (ui_env.experiments / "data" / "mini.csv").exists()


def test_datasets_bad_upload_is_an_inline_error(ui_env: UIEnv) -> None:
    at = open_page("datasets")
    at.file_uploader(key="ds_upload").upload("bad.csv", b"id,a\n1,2\n1,3\n", "text/csv").run()
    assert any("duplicate test case id" in e.value and "bad.csv" in e.value for e in at.error)


# -- run -----------------------------------------------------------------------------------------


def wait_for(at: AppTest, predicate: object, timeout: float = 60) -> AppTest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        if predicate(at):  # type: ignore[operator]
            return at
        time.sleep(0.3)
    raise AssertionError(f"timed out; info={texts(at.info)} success={texts(at.success)} error={texts(at.error)}")


def test_run_page_estimates_then_runs_in_background(ui_env: UIEnv) -> None:
    at = open_page("run")
    at.number_input(key="run_max_cases").set_value(3).run()
    calls = {m.label: m.value for m in at.metric}
    assert calls["Calls"] == "6" and calls["Estimated cost"] == "$0.0000"
    assert "SIMULATED" in frame_with(at, "calls")["model"].iloc[0]
    at.button(key="run_start").click().run()
    assert (ui_env.experiments / "ui-demo.yaml").exists()
    wait_for(at, lambda a: "completed" in texts(a.success))
    assert "Run #3 completed: 6 outputs stored." in texts(at.success)
    with ui_env.store().session() as session:
        run = session.get(Run, 3)
        assert run is not None and run.status == "completed" and run.total_calls == 6
    assert at.session_state["run_id"] == 3  # the new run is picked for the other pages


def new_outputs(store: Store) -> int:
    """Outputs of runs started by the test (the demo store holds runs 1 and 2)."""
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Output).where(Output.run_id > 2)) or 0)


def test_run_page_cancel_and_resume(ui_env: UIEnv) -> None:
    at = open_page("run")
    at.number_input(key="run_latency").set_value(1500).run()  # 60 calls, 16 at a time: ~6 s
    at.button(key="run_start").click().run()
    job = jobs.load_job(ui_env.db_url)
    assert job is not None
    store = ui_env.store()
    deadline = time.monotonic() + 60
    while new_outputs(store) == 0 and time.monotonic() < deadline:  # the runner has stored something
        time.sleep(0.2)
    assert new_outputs(store) > 0
    at.run()
    at.button(key="run_cancel").click().run()
    wait_for(at, lambda a: "interrupted" in texts(a.warning))
    with store.session() as session:
        assert session.scalar(select(Run.status).where(Run.id == 3)) == "interrupted"
    at.button(key="run_resume_after").click().run()
    wait_for(at, lambda a: "completed" in texts(a.success))
    with store.session() as session:
        assert session.scalar(select(Run.status).where(Run.id == 3)) == "completed"
        assert session.scalar(select(func.count()).select_from(Run)) == 3  # resumed, not a new run
    store.dispose()


def test_run_page_surfaces_cli_error(ui_env: UIEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real provider without its API key: the CLI exits 2 with one line, shown as is."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    at = open_page("run")
    at.multiselect(key="run_models").set_value(["anthropic:claude-3-5-haiku-latest"]).run()
    at.button(key="run_start").click().run()
    wait_for(at, lambda a: "could not start" in texts(a.error))
    error = next(e.value for e in at.error if "could not start" in e.value)
    assert "\n" not in error and "Traceback" not in error


# -- build pages in Dutch ------------------------------------------------------------------------

LABELLED = ("button", "checkbox", "expander", "file_uploader", "metric", "multiselect", "number_input", "radio",
            "selectbox", "tabs", "text_area", "text_input")
TEXTUAL = ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success")


def visible_strings(at: AppTest) -> set[str]:
    """Every title, message, widget label/help/option and table column on the page, markdown marks stripped."""
    found: set[str] = set()
    for kind in TEXTUAL:
        found |= {str(e.value).strip("*# ") for e in getattr(at, kind)}
    for kind in LABELLED:
        for element in getattr(at, kind):
            found.add(str(element.label))
            found.add(str(getattr(element.proto, "help", "") or ""))
            found |= {str(o) for o in getattr(element, "options", [])}
    for frame in at.dataframe:
        found |= {str(c) for c in frame.value.columns}
    return found - {""}


def assert_no_english(at: AppTest, *prefixes: str) -> None:
    """No fixed string of these pages' keys shows in English when the UI is Dutch."""
    from workbench.ui.i18n import STRINGS

    english = {v["en"].strip("*# ") for k, v in STRINGS.items()
               if k.startswith(prefixes) and "{" not in v["en"] and v["en"] != v["nl"]}
    left = english & visible_strings(at)
    assert not left, left


def test_prompts_page_in_dutch(ui_env: UIEnv) -> None:
    at = open_page("prompts", lang="nl")
    at.selectbox(key="prompts_pick").set_value("vacancy_nl_inclusive").run()
    assert at.title[0].value == "Promptbibliotheek"
    assert [tab.label for tab in at.tabs] == ["Voorbeeld", "Bewerken", "Nieuwe variant op basis hiervan"]
    assert at.text_area(key="edit_vacancy_nl_inclusive_user").label == "Gebruikerstemplate"
    assert "Testcase voor voorbeeld en controle" in texts(at.markdown)
    assert "Nog geen wijzigingen." in texts(at.caption)
    assert_no_english(at, "prompts_", "field_", "all_tasks")
    at.text_input(key="new_vacancy_nl_inclusive_id").input("vacancy_nl_formal").run()
    assert "vacancy_nl_formal.yaml bestaat al in de bibliotheek." in texts(at.warning)
    assert at.checkbox(key="new_vacancy_nl_inclusive_confirm").label == "vacancy_nl_formal.yaml overschrijven"
    assert not at.exception


def test_datasets_page_in_dutch(ui_env: UIEnv) -> None:
    at = open_page("datasets", lang="nl")
    assert at.title[0].value == "Datasets"
    assert "één rij per case" in texts(at.caption)
    csv = b"id,job_title,company\nx-1,Kok,De Pan\nx-2,Monteur,Garage Oost\n"
    at.file_uploader(key="ds_upload").upload("mini.csv", csv, "text/csv").run()
    assert "mini.csv: 2 testcases ingelezen." in texts(at.success)
    at.selectbox(key="ds_task").set_value("vacancy_text").run()
    assert "Ontbrekende variabelen: " in texts(at.warning)
    report = frame_with(at, "ontbrekende variabelen")
    assert {"variant", "status", "taal", "taak", "gebruikt"} <= set(report.columns)
    assert report["status"].str.endswith("ontbrekend").any()
    assert {m.label for m in at.metric} == {"Passende varianten", "Kolommen", "Ontbrekende variabelen"}
    assert at.button(key="ds_save").label == "Dataset opslaan"
    assert_no_english(at, "datasets_", "field_", "all_tasks")
    assert not at.exception


def test_run_page_in_dutch(ui_env: UIEnv) -> None:
    at = open_page("run", lang="nl")
    assert at.title[0].value == "Experiment uitvoeren"
    assert at.radio(key="run_mode").options == ["Samenstellen uit keuzes", "Bestaand experimentbestand"]
    presets = at.selectbox(key="run_preset").options
    assert "Formulering: lengte, leesbaarheid, controles op gecodeerde woorden" in presets
    at.number_input(key="run_max_cases").set_value(3).run()
    calls = {m.label: m.value for m in at.metric}
    assert calls["Aanroepen"] == "6" and calls["Geschatte kosten"] == "$0,0000"
    assert "SIMULATED" in frame_with(at, "aanroepen")["model"].iloc[0]
    assert "Alle modellen zijn SIMULATED" in texts(at.info)
    assert at.button(key="run_start").label == "Run starten"
    assert_no_english(at, "run_", "field_", "all_tasks")
    at.button(key="run_start").click().run()
    wait_for(at, lambda a: "voltooid" in texts(a.success))
    assert "Run #3 is voltooid: 6 uitkomsten opgeslagen." in texts(at.success)
    assert at.button(key="run_open").label == "Openen in Vergelijken"
    at.radio(key="run_mode").set_value("file").run()
    assert at.selectbox(key="run_spec_file").label == "Experimentbestand"
    assert not at.exception


def test_run_page_says_how_long_the_declared_rate_limits_take(ui_env: UIEnv) -> None:
    """As `workbench run --dry-run` does (#17): the generation calls' duration per rate-limited model."""
    (ui_env.experiments / "limited.yaml").write_text(f"""name: limited
variants: [{ui_env.prompts}/vacancy_en_formal.yaml, {ui_env.prompts}/vacancy_en_inclusive.yaml]
dataset: {ui_env.experiments}/data/vacancies_en.csv
repeats: 50
models:
  - id: anthropic:claude-haiku-4-5
    rpm: 50
  - id: openai:gpt-4o
scorers: [length]
""")
    for lang, expected in (("en", ("anthropic:claude-haiku-4-5: about 41 min at 50 RPM",
                                   "openai:gpt-4o: no rate limits declared")),
                           ("nl", ("anthropic:claude-haiku-4-5: ongeveer 41 min bij 50 RPM",
                                   "openai:gpt-4o: geen aanroeplimieten opgegeven"))):
        at = open_page("run", lang=lang)
        at.radio(key="run_mode").set_value("file").run()
        at.selectbox(key="run_spec_file").set_value(ui_env.experiments / "limited.yaml").run()
        assert not at.exception, [e.message for e in at.exception]
        shown = texts(at.caption)
        for line in expected:
            assert line in shown, shown
