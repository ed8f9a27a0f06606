"""Check-a-text page and the flag explanations/dismissals on Compare (AppTest, no browser)."""

from __future__ import annotations

from sqlalchemy import select

from workbench.analysis.run_results import analyse_run
from workbench.store.db import Store
from workbench.store.models import FlagDismissal

from .conftest import UIEnv
from .test_pages import VACANCY, html, open_page, texts


def test_check_a_text_highlights_with_reasons_in_english_and_dutch(ui_env: UIEnv) -> None:
    at = open_page("check_text")
    assert at.title[0].value == "Check a text"
    at.segmented_control(key="check_lang").set_value("nl").run()
    at.text_area(key="check_text").input(
        "Gastvrouw/gastheer gezocht voor ons jong en dynamisch team. Je bent ambitieus en communicatief. "
        "Salaris afhankelijk van ervaring; je rapporteert aan je leidinggevende."
    ).run()
    assert not at.exception
    assert "neutral" in texts(at.markdown) and "1 masculine-coded, 1 feminine-coded" in texts(at.markdown)
    body = html(at)
    assert 'tabindex="0"' in body and "data-tip=" in body  # hover and keyboard focus
    assert "Instead: gemotiveerd" in body
    table = at.dataframe[0].value
    # "dynamisch" is also a (low-severity) age signal of its own; the paired title is not flagged.
    assert set(table["Word"]) == {"jong en dynamisch team", "dynamisch", "ambitieus", "communicatief"}
    assert any("afhankelijk" in str(e.label) or "Not counted" in str(e.label) for e in at.expander)

    dutch = open_page("check_text", lang="nl")
    assert dutch.title[0].value == "Tekst controleren"
    dutch.text_area(key="check_text").input("Je bent ambitieus.").run()
    assert "mannelijk gecodeerd" in texts(dutch.markdown)
    assert "Liever: gemotiveerd" in html(dutch)


def test_check_a_text_english_decoder_compat(ui_env: UIEnv) -> None:
    at = open_page("check_text")
    at.segmented_control(key="check_lang").set_value("en").run()
    at.segmented_control(key="check_mode").set_value("decoder_compat").run()
    at.text_area(key="check_text").input("A confidential committee.").run()
    assert "1 masculine-coded, 1 feminine-coded" in texts(at.markdown)
    at.segmented_control(key="check_mode").set_value("precise").run()
    assert "Nothing flagged" in texts(at.success)


def test_compare_explains_flags_and_dismisses_them(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    at = open_page("compare", run_id)
    body = html(at)
    assert "data-tip=" in body and "Instead:" in body  # explanations and alternatives on the cards
    panels = [e for e in at.expander if "Flags in this text" in str(e.label)]
    assert panels
    dismiss = next(b for b in at.button if b.label == "Dismiss as false")
    key = dismiss.key.removesuffix("_btn")
    dismiss.click().run()
    assert "Fill in your name" in texts(at.error)
    at.text_input(key="rater").input("Sanne").run()
    at.text_input(key=key).input("a job title").run()
    next(b for b in at.button if b.key == f"{key}_btn").click().run()
    assert not at.exception
    store = Store(ui_env.db_url)
    with store.session() as s:
        rows = list(s.scalars(select(FlagDismissal)))
    assert [(r.who, r.why, r.restored_at) for r in rows] == [("Sanne", "a job title", None)]
    assert "Dismissed as false by Sanne: a job title" in texts(at.caption)
    assert not analyse_run(store, run_id).dismissed.empty
    next(b for b in at.button if b.label == "Restore").click().run()
    with store.session() as s:
        assert s.scalar(select(FlagDismissal.restored_by)) == "Sanne"
    store.dispose()

    dutch = open_page("compare", run_id, lang="nl")
    assert "Liever:" in html(dutch)
