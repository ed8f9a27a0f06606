"""The statistics help on Compare and Bias is README's "How the statistics decide", in English and Dutch."""

from __future__ import annotations

import re
from pathlib import Path

from tests.ui.conftest import UIEnv
from tests.ui.test_pages import SWAP, VACANCY, open_page
from workbench.ui.i18n import STRINGS

ROOT_README = Path(__file__).resolve().parents[2] / "README.md"


def _words(text: str) -> str:
    return " ".join(text.split())


def test_readme_section_is_the_english_help_text() -> None:
    readme = ROOT_README.read_text(encoding="utf-8")
    section = readme[readme.index("## How the statistics decide"):readme.index("## Speed")]
    assert _words(STRINGS["stats_help_body"]["en"]) in _words(section)


def test_dutch_help_has_the_same_figures_and_structure() -> None:
    en, nl = STRINGS["stats_help_body"]["en"], STRINGS["stats_help_body"]["nl"]
    numbers = re.compile(r"\d+(?:[.,]\d+)?%")
    assert [n.replace(".", ",") for n in numbers.findall(en)] == numbers.findall(nl)
    assert en.count("|") == nl.count("|") and en.count("**") == nl.count("**")
    assert "`swap.reference`" in nl and "`primary:`" in nl and "Holm" in nl


def test_compare_and_bias_pages_show_the_help(ui_env: UIEnv) -> None:
    for page, run, lang, title in (("compare", VACANCY, "en", "How the statistics decide"),
                                   ("bias", SWAP, "nl", "Hoe de statistiek beslist")):
        at = open_page(page, ui_env.runs[run], lang=lang)
        (help_box,) = [e for e in at.expander if e.label == title]
        body = "\n".join(str(m.value) for m in help_box.markdown)
        assert _words(STRINGS["stats_help_body"][lang]) == _words(body)
