"""AppTest of issue #12 item 9: the Overview's winner and bias columns, the Run page's defaults per UI
language, its judge choice and its elapsed time / ETA, a prompt from scratch, "test against its base"."""

from __future__ import annotations

import yaml

from workbench.ui.pages.run import duration, elapsed_and_eta

from .conftest import UIEnv
from .test_pages import SWAP, VACANCY, frame_with, open_page, texts


def test_overview_rows_show_winner_and_bias(ui_env: UIEnv) -> None:
    at = open_page("overview")
    table = frame_with(at, "Winner").set_index("Run")
    assert table.loc[ui_env.runs[VACANCY], "Winner"] == "no decision yet"
    assert table.loc[ui_env.runs[VACANCY], "Bias"] == "–"  # no name-swap audit in that run
    bias = table.loc[ui_env.runs[SWAP], "Bias"]
    assert bias.startswith("✖ red · screening_nl_"), bias  # the flag in words, and the prompt it comes from
    assert "Click a row to open that run in Compare" in texts(at.caption)
    dutch = frame_with(open_page("overview", lang="nl"), "Winnaar").set_index("Run")
    assert dutch.loc[ui_env.runs[VACANCY], "Winnaar"] == "nog geen besluit"
    assert dutch.loc[ui_env.runs[SWAP], "Bias"].startswith("✖ rood · ")


def _chosen(at: object) -> tuple[list[str], str]:
    variants = next(m for m in at.multiselect if str(m.key).startswith("run_variants_"))  # type: ignore[attr-defined]
    return list(variants.value), str(at.selectbox(key="run_baseline").value)  # type: ignore[attr-defined]


def test_run_defaults_follow_the_ui_language(ui_env: UIEnv) -> None:
    """A base prompt and a variant derived from it, in the UI's language; the base is the baseline."""
    assert _chosen(open_page("run", lang="nl")) == (["vacancy_nl_formal", "vacancy_nl_inclusive"], "vacancy_nl_formal")
    english = open_page("run", lang="en")
    assert _chosen(english) == (["vacancy_en_formal", "vacancy_en_energetic"], "vacancy_en_formal")
    assert str(english.selectbox(key="run_dataset_en").value).endswith("vacancies_en.csv")


def _judge(at: object) -> object:
    return next(s for s in at.selectbox if str(s.key).startswith("run_judge"))  # type: ignore[attr-defined]


def test_run_page_never_picks_the_simulated_judge_for_real_models(ui_env: UIEnv) -> None:
    at = open_page("run")
    at.selectbox(key="run_preset").set_value("wording_judge").run()
    assert _judge(at).value == "simulated:judge"  # type: ignore[attr-defined]  # every model simulated
    at.multiselect(key="run_models").set_value(["simulated:default", "openai:gpt-4o-mini"]).run()
    assert _judge(at).value == "openai:gpt-4o-mini"  # type: ignore[attr-defined]
    spec = yaml.safe_load(at.code[0].value)
    assert spec["judge"] == {"model": "openai:gpt-4o-mini"}
    _judge(at).set_value("simulated:judge").run()  # type: ignore[attr-defined]
    assert "The judge is SIMULATED while real models write the texts" in texts(at.warning)
    assert yaml.safe_load(at.code[0].value)["judge"] == {"model": "simulated:judge"}
    assert not at.exception


def test_elapsed_time_and_eta() -> None:
    assert duration(65) == "1:05" and duration(3725) == "1:02:05"
    assert elapsed_and_eta(30, 0, 100) == "Elapsed 0:30"  # nothing stored yet: no pace to extrapolate
    assert elapsed_and_eta(30, 25, 100) == "Elapsed 0:30 · about 1:30 left (at the pace so far)"


def test_prompt_from_scratch_and_test_against_its_base(ui_env: UIEnv) -> None:
    at = open_page("prompts")
    library = frame_with(at, "Based on").set_index("Prompt")
    assert library.loc["vacancy_nl_inclusive", "Based on"] == "vacancy_nl_formal"
    at.text_input(key="scratch_id").input("vacancy_nl_plain").run()
    at.selectbox(key="scratch_lang").set_value("nl").run()
    at.text_area(key="scratch_user").input("Schrijf een korte vacaturetekst voor {{ job_title }}.").run()
    at.button(key="scratch_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    saved = yaml.safe_load((ui_env.prompts / "vacancy_nl_plain.yaml").read_text(encoding="utf-8"))
    assert saved["id"] == "vacancy_nl_plain" and "based_on" not in saved
    at.selectbox(key="prompts_pick").set_value("vacancy_nl_inclusive").run()
    at.button(key="test_base_vacancy_nl_inclusive").click().run()
    assert at.title[0].value == "Run an experiment"
    assert _chosen(at) == (["vacancy_nl_formal", "vacancy_nl_inclusive"], "vacancy_nl_formal")
    assert "Pre-filled from the Prompts page: vacancy_nl_inclusive against its base vacancy_nl_formal." in texts(
        at.info)


def test_run_stamp_changes_with_ratings_and_status(ui_env: UIEnv) -> None:
    """The header cache key of a run: a new rating or a status change moves it, nothing else does."""
    from workbench.store.frames import run_stamp
    from workbench.store.models import Rating, Run

    store = ui_env.store()
    run_id = ui_env.runs[VACANCY]
    with store.session() as session:
        first = run_stamp(session, run_id)
        assert run_stamp(session, run_id) == first
        rating = session.query(Rating).filter(Rating.run_id == run_id).first()
        if rating is not None:
            session.delete(rating)
            session.commit()
            assert run_stamp(session, run_id)[-1] == first[-1] - 1
        run = session.get(Run, run_id)
        assert run is not None
        run.status = "interrupted"
        session.commit()
        assert run_stamp(session, run_id)[0] == "interrupted" and run_stamp(session, run_id)[:-1] != first[:-1]
    store.dispose()
