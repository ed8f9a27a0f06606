"""Shipped data files: provenance fields, SOURCES.md coverage, copies of the reference files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from workbench.scoring.lexicons import dutch_gender_provisional, gender_decoder_en, load_json, provenance

DATA = Path(str(resources.files("workbench"))) / "data"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
COPIED = {
    "lexicons": [
        "gender_decoder_en.json",
        "dutch_gender_coded_provisional.json",
        "exclusion_patterns.json",
        "wan2023_lexicons.json",
    ],
    "names": ["names_bloomberg_2024.json", "names_swap_sets.json"],
}


def test_sources_md_lists_every_data_file() -> None:
    sources = (DATA / "SOURCES.md").read_text("utf-8")
    for folder in ("lexicons", "names"):
        for path in sorted((DATA / folder).glob("*.json")):
            assert f"`{path.name}`" in sources, path.name
    for label in ("PROVISIONAL", "UNVALIDATED", "verify before use"):
        assert label in sources


@pytest.mark.parametrize(("folder", "name"), [(f, n) for f, names in COPIED.items() for n in names])
def test_copies_keep_provenance(folder: str, name: str) -> None:
    data = json.loads((DATA / folder / name).read_text("utf-8"))
    fields = json.dumps({k: v for k, v in data.items() if k.startswith("_")}) + json.dumps(data)
    assert any(key in fields for key in ('"_source"', '"_status"', '"_note"'))
    reference = REFERENCE / name
    if reference.exists():  # the researcher's originals, when this checkout has them beside it
        assert json.loads(reference.read_text("utf-8")) == data


def test_provenance_strings() -> None:
    info = provenance()
    assert "lovedaybrooke/gender-decoder" in info["gender_decoder_en"] and "MIT" in info["gender_decoder_en"]
    assert info["dutch_gender_coded_provisional"].startswith("PROVISIONAL")
    assert "never auto-reject" in info["exclusion_patterns"]
    assert "UNVALIDATED" in info["exclusion_patterns_supplement"]


def test_lexicon_parsing() -> None:
    en = gender_decoder_en()
    assert not set(en.masculine) & set(en.feminine)
    nl = dutch_gender_provisional()
    assert nl.forms["analytisch"].tier == "A" and "artra.nl" in nl.forms["analytisch"].source
    assert "EW magazine" in nl.forms["analytisch"].source  # cited by two sources
    assert nl.forms["gedreven"].tier == "B"
    scoped = [e for e in nl.exceptions if e.stem]
    assert [(e.form, e.gender, e.stem) for e in scoped] == [("onafhankelijk", "feminine", "afhankelijk")]
    assert {"praktisch", "intelligent", "divers"} == nl.neutral
    assert load_json("names_swap_sets.json", folder="names")["nl_curated_unvalidated"]["_source"]
