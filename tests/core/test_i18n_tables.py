"""The analysis layer's EN/NL sentence tables (workbench/analysis/i18n.py): every key in both languages, with
the same placeholders, so a Dutch sentence never drops or invents a number."""

from __future__ import annotations

import string

import pytest

from workbench.analysis.i18n import DECISION_TEXT, SEQUENTIAL_TEXT


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [DECISION_TEXT, SEQUENTIAL_TEXT], ids=["decision", "sequential"])
def test_every_sentence_has_both_languages_with_the_same_placeholders(table: dict[str, dict[str, str]]) -> None:
    for key, entry in table.items():
        assert set(entry) == {"en", "nl"}, key
        assert entry["en"].strip() and entry["nl"].strip(), key
        assert _fields(entry["en"]) == _fields(entry["nl"]), key
