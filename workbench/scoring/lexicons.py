"""Load the bias-lint reference data in workbench/data/lexicons once (cached), keeping provenance.

The researcher's JSON files are verbatim copies (see workbench/data/SOURCES.md); this module only parses
them into typed structures, it never edits the lists. The precise matcher's word lists
(`coded_words_{en,nl}.json`), exceptions (`lint_exceptions.json`) and explanations
(`lint_explanations.json`) are ours, each entry citing what it was derived from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}

# Data-file key -> match category used in Score details and highlight CSS classes.
RULE_CATEGORIES = {
    "age": "age",
    "language_origin": "language_origin",
    "gendered_titles_pronouns": "gendered_title",
}


def load_json(filename: str, folder: str = "lexicons") -> dict[str, Any]:
    """Parsed JSON from workbench/data/<folder>/<filename> (not cached: callers cache the result)."""
    text = resources.files("workbench").joinpath("data", folder, filename).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class DecoderLexicon:
    """English gender-coded stems as used by the gender decoder (prefix match)."""

    masculine: tuple[str, ...]
    feminine: tuple[str, ...]
    hyphenated: tuple[str, ...]  # stems matched against the whole hyphenated word
    exceptions: frozenset[str]  # whole words that never count
    source: str
    license: str


@lru_cache(maxsize=1)
def gender_decoder_en() -> DecoderLexicon:
    d = load_json("gender_decoder_en.json")
    return DecoderLexicon(
        masculine=tuple(d["masculine_coded_words"]),
        feminine=tuple(d["feminine_coded_words"]),
        hyphenated=tuple(d["hyphenated_coded_words"]),
        exceptions=frozenset(w.lower() for w in d["non_coded_exceptions"]),
        source=d["_source"],
        license=d["_license"],
    )


@dataclass(frozen=True)
class CodedForm:
    form: str  # lower-case word or stem
    gender: str  # "masculine" | "feminine"
    tier: str  # "A" (sourced) | "B" (unvalidated rendering of Gaucher et al.)
    source: str


@dataclass(frozen=True)
class NlException:
    """A token starting with `form` is not counted; if `stem` is set, only not as that stem."""

    form: str
    note: str
    gender: str | None = None
    stem: str | None = None


@dataclass(frozen=True)
class NlLexicon:
    forms: dict[str, CodedForm]  # tier A wins where a form is in both tiers
    neutral: frozenset[str]
    exceptions: tuple[NlException, ...]
    status: str


# "onafhankelijk (when matching feminine 'afhankelijk' by substring)" -> scoped exception.
_EXCEPTION_RE = re.compile(r"^(?P<form>[^(]+?)\s*(?:\((?P<note>.*)\))?$")
_SCOPE_RE = re.compile(r"when matching (?P<gender>masculine|feminine) '(?P<stem>[^']+)'")


def parse_nl_exception(raw: str) -> NlException:
    """Parse one `exceptions_false_positives` entry (a word, optionally with a note in brackets)."""
    m = _EXCEPTION_RE.match(raw.strip())
    if m is None:  # pragma: no cover - the regex matches any non-empty string
        raise ValueError(f"cannot parse exception {raw!r}")
    note = m.group("note") or ""
    scope = _SCOPE_RE.search(note)
    return NlException(
        form=m.group("form").strip().lower(),
        note=note,
        gender=scope.group("gender") if scope else None,
        stem=scope.group("stem").lower() if scope else None,
    )


@lru_cache(maxsize=1)
def dutch_gender_provisional() -> NlLexicon:
    d = load_json("dutch_gender_coded_provisional.json")
    forms: dict[str, CodedForm] = {}
    tier_b = d["tier_b_unvalidated_stems"]
    for gender in ("masculine", "feminine"):
        for stem in tier_b[gender]:
            forms[stem.lower()] = CodedForm(stem.lower(), gender, "B", "researcher's rendering (unvalidated)")
    # Tier A second so that it overrides tier B for the same form; a word cited by several
    # sources keeps all of them.
    for gender in ("masculine", "feminine"):
        for source, words in d["tier_a"][gender].items():
            for word in words:
                key = word.lower()
                prior = forms.get(key)
                cited = source
                if prior is not None and prior.tier == "A":
                    if prior.gender != gender:
                        raise ValueError(f"tier A word {key!r} is listed as both masculine and feminine")
                    cited = f"{prior.source}; {source}"
                forms[key] = CodedForm(key, gender, "A", cited)
    neutral = frozenset(w.lower() for words in d["tier_a"]["neutral"].values() for w in words)
    exceptions = tuple(parse_nl_exception(e) for e in tier_b["exceptions_false_positives"])
    return NlLexicon(forms=forms, neutral=neutral, exceptions=exceptions, status=d["_status"])


@dataclass(frozen=True)
class Rule:
    id: str
    lang: str
    severity: str  # "high" | "medium" | "low"
    category: str  # see RULE_CATEGORIES
    pattern: re.Pattern[str]
    source_file: str

    @property
    def source(self) -> str:
        """Source key for explanations: "exclusion_patterns" or "workbench_supplement"."""
        return RULE_SOURCES[self.source_file]


_RULE_FILES = ("exclusion_patterns.json", "exclusion_patterns_supplement.json")
RULE_SOURCES = {
    "exclusion_patterns.json": "exclusion_patterns",
    "exclusion_patterns_supplement.json": "workbench_supplement",
}


@lru_cache(maxsize=1)
def exclusion_rules() -> tuple[Rule, ...]:
    """All regex rules (researcher's file + labelled engineering supplement), compiled once."""
    rules: list[Rule] = []
    for filename in _RULE_FILES:
        data = load_json(filename)
        for key, category in RULE_CATEGORIES.items():
            for entry in data.get(key, []):
                if entry["sev"] not in SEVERITY_RANK:
                    raise ValueError(f"{filename}: rule {entry['id']} has unknown severity {entry['sev']!r}")
                pattern = re.compile(entry["re"], re.IGNORECASE)
                rules.append(Rule(entry["id"], entry["lang"], entry["sev"], category, pattern, filename))
    return tuple(rules)


def provenance() -> dict[str, str]:
    """Short source/status strings for reports and Score details."""
    en = gender_decoder_en()
    return {
        "gender_decoder_en": f"{en.source}; {en.license}",
        "dutch_gender_coded_provisional": dutch_gender_provisional().status,
        "exclusion_patterns": load_json("exclusion_patterns.json")["_note"],
        "exclusion_patterns_supplement": load_json("exclusion_patterns_supplement.json")["_status"],
    }


# --- precise gender-coded lexicons ----------------------------------------------------------------


@dataclass(frozen=True)
class CodedEntry:
    """One coded trait and the words that express it (lower-case forms or lemmas)."""

    id: str
    gender: str  # "masculine" | "feminine"
    source: str  # "gaucher2011" | "nl_tier_a" | "nl_tier_b"
    derived_from: tuple[str, ...]  # decoder stems / "A:word" / "B:stem" in the researcher's lists
    words: tuple[str, ...]
    alternatives: tuple[str, ...]  # in the lexicon's language
    compound: bool = True  # Dutch: also as the head of a compound
    surface_only: bool = False  # match the written form only, never via the lemma


@dataclass(frozen=True)
class WordException:
    """A coded-looking word that is not coded in this context (see lint_exceptions.json)."""

    lang: str
    word: str
    kind: str
    why: str
    prev: frozenset[str] | None = None
    next: tuple[tuple[str, ...], ...] | None = None  # each a sequence of following words
    unless_next: frozenset[str] | None = None


@dataclass(frozen=True)
class CodedLexicon:
    lang: str
    entries: dict[str, CodedEntry]  # id -> entry
    by_form: dict[str, CodedEntry]  # written form -> entry
    by_lemma: dict[str, CodedEntry]  # lemma -> entry (entries that may match via the lemma)
    heads: dict[str, CodedEntry]  # forms that count as the head of a Dutch compound
    exceptions: dict[str, tuple[WordException, ...]]  # word -> exceptions


@lru_cache(maxsize=1)
def lint_exception_data() -> dict[str, Any]:
    return load_json("lint_exceptions.json")


@lru_cache(maxsize=2)
def coded_lexicon(lang: str) -> CodedLexicon:
    """The precise lexicon for "en" or "nl" (raises ValueError for a malformed data file)."""
    data = load_json(f"coded_words_{lang}.json")
    entries: dict[str, CodedEntry] = {}
    by_form: dict[str, CodedEntry] = {}
    by_lemma: dict[str, CodedEntry] = {}
    heads: dict[str, CodedEntry] = {}
    for raw in data["entries"]:
        if raw["gender"] not in ("masculine", "feminine"):
            raise ValueError(f"coded_words_{lang}.json: {raw['id']}: gender must be masculine or feminine")
        source = data["source"] if lang == "en" else f"nl_tier_{raw['tier'].lower()}"
        entry = CodedEntry(
            id=raw["id"], gender=raw["gender"], source=source, derived_from=tuple(raw["from"]),
            words=tuple(w.lower() for w in raw["words"]), alternatives=tuple(raw["alternatives"]),
            compound=raw.get("compound", True), surface_only=raw.get("surface_only", False),
        )
        entries[entry.id] = entry
        for word in entry.words:
            if word in by_form and by_form[word].id != entry.id:
                raise ValueError(f"coded_words_{lang}.json: {word!r} is in {by_form[word].id!r} and {entry.id!r}")
            by_form[word] = entry
            if not entry.surface_only:
                by_lemma[word] = entry
            if entry.compound:
                heads[word] = entry
    exceptions: dict[str, list[WordException]] = {}
    for raw in lint_exception_data()["exceptions"]:
        if raw["lang"] != lang:
            continue
        exc = WordException(
            lang=lang, word=raw["word"].lower(), kind=raw["kind"], why=raw["why"],
            prev=frozenset(raw["prev"]) if "prev" in raw else None,
            next=tuple(tuple(n.split()) for n in raw["next"]) if "next" in raw else None,
            unless_next=frozenset(raw["unless_next"]) if "unless_next" in raw else None,
        )
        exceptions.setdefault(exc.word, []).append(exc)
    return CodedLexicon(lang, entries, by_form, by_lemma, heads, {k: tuple(v) for k, v in exceptions.items()})
