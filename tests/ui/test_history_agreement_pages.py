"""The History page (EN/NL) and the judge-agreement section on the Review page."""

from __future__ import annotations

import numpy as np

from workbench.store.frames import pairable_outputs
from workbench.store.repository import add_ratings

from .conftest import UIEnv
from .test_pages import VACANCY, frame_with, open_page, texts


def test_history_page_in_both_languages(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    at = open_page("history", run_id)
    assert at.title[0].value == "History"
    table = frame_with(at, "Mean")
    assert set(table["Run"]) == {run_id} and (table["Cases"] > 0).all()
    assert "one run so far" in texts(at.info)
    assert at.selectbox(key="history_metric").value
    nl = open_page("history", run_id, lang="nl")
    assert nl.title[0].value == "Geschiedenis"
    assert "Gemiddelde" in frame_with(nl, "Gemiddelde").columns
    assert "Mean" not in texts(nl.caption)


def test_review_shows_the_judges_agreement_after_rating(ui_env: UIEnv) -> None:
    run_id = ui_env.runs[VACANCY]
    rng = np.random.default_rng(0)
    store = ui_env.store()
    with store.session() as session:
        outputs = pairable_outputs(session, run_id)
        first = outputs[outputs["repeat"] == 0]
        base = first[first["variant"] == "vacancy_nl_formal"].set_index("case_id")
        candidates = first[first["variant"] == "vacancy_nl_informal"].itertuples()
        rows = [{"case_id": row.case_id, "output_a_id": row.output_id,
                 "output_b_id": int(base.loc[row.case_id, "output_id"]), "left": "a",
                 "winner": str(rng.choice(["a", "b", "tie"])), "rater": rater}
                for row in candidates for rater in ("Sanne", "Joris")]
        add_ratings(session, run_id, rows)
    store.dispose()
    at = open_page("review", run_id)
    at.button(key="reveal_results").click().run()
    assert "Is the judge trustworthy?" in [s.value for s in at.subheader]
    assert "clarity" in texts(at.markdown) and "SIMULATED" in texts(at.markdown)
    nl = open_page("review", run_id, lang="nl")
    nl.button(key="reveal_results").click().run()
    assert "Is de LLM-beoordelaar betrouwbaar?" in [s.value for s in nl.subheader]
    assert "beoordelaar" in texts(nl.markdown)
