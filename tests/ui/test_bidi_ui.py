"""Bidi control characters in the UI (#14): a U+202E in a dataset cell or an output is shown as a visible
"[U+202E]" on the Compare and Review pages (output cards, the test-case picker, the case heading, the case
data JSON) and in the Datasets page's editable grid, never obeyed (it would reverse the text after it)."""

from __future__ import annotations

import csv
from pathlib import Path

from streamlit.testing.v1 import AppTest

from workbench.experiment.plan import build_plan
from workbench.runner.run import run_experiment

from .conftest import ROOT, UIEnv
from .test_pages import html, open_page, texts

BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def shown(at: AppTest) -> str:
    """Every text the page shows in cards, headings, captions and pickers."""
    parts = [html(at)]
    for kind in ("markdown", "caption", "selectbox", "expander", "json"):
        for element in getattr(at, kind):
            parts += [str(getattr(element, "value", "")), str(getattr(element, "label", ""))]
            parts += [str(option) for option in getattr(element, "options", [])]  # as displayed (formatted)
    return "\n".join(parts)


def test_compare_and_review_show_bidi_controls_instead_of_obeying_them(ui_env: UIEnv, tmp_path: Path) -> None:
    with (ROOT / "experiments/data/vacancies_nl.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:4]
    for row in rows:
        row["id"] += BIDI  # case ids: the picker, card titles, the review heading
        row["job_title"] = f"{BIDI}{row['job_title']}"  # ends up in every output and in the case labels
    data = tmp_path / "vacancies.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / "experiments/vacancy_tone_nl.yaml").read_text().replace(
        "experiments/data/vacancies_nl.csv", str(data)).replace("prompts/", f"{ROOT}/prompts/").replace(
        "repeats: 3", "repeats: 1"))
    store = ui_env.store()
    run_id = run_experiment(build_plan(spec), store).run_id
    store.dispose()
    for page in ("compare", "review"):
        at = open_page(page, run_id)
        if page == "review":
            at.text_input(key="rater").input("Sanne").run()  # the pair is shown once the rater has a name
        text = shown(at)
        assert "[U+202E]" in text, f"{page}: the control characters are shown"
        assert BIDI not in text, f"{page}: a raw U+202E would reverse what follows it"


def test_datasets_grid_shows_bidi_controls_and_saves_them_back_unchanged(ui_env: UIEnv) -> None:
    upload = f"id,job_title,company\nx-1,{BIDI}Kok,De Pan\nx-2,Monteur,Garage{BIDI} Oost\n".encode()
    at = open_page("datasets")
    at.file_uploader(key="ds_upload").upload("bidi.csv", upload, "text/csv").run()
    assert not at.exception
    grids = [e.value for e in at.dataframe if "job_title" in e.value.columns]
    assert grids, "the editable grid is shown"
    cells = "\n".join(grids[0].astype(str).to_numpy().ravel())
    assert "[U+202E]Kok" in cells and "Garage[U+202E] Oost" in cells
    assert BIDI not in cells, "a raw U+202E in the grid would reverse the cells after it"
    assert "2 cells contain invisible text-direction characters" in texts(at.caption)
    at.button(key="ds_save").click().run()
    saved = (ui_env.experiments / "data" / "bidi.csv").read_bytes()
    assert saved.replace(b"\r\n", b"\n") == upload, "an unedited dataset is written back byte for byte"
