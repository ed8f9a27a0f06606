"""FastPattern must find exactly what the plain regex finds (it is only a speed-up)."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.scoring.fast_regex import (
    _FOLD_RISKY_RE,
    _PLAIN_CASE_LETTERS,
    FAST_ENV,
    FastPattern,
    case_free,
    lowered,
    required_literals,
)
from workbench.scoring.gender_coded import _en_matcher
from workbench.scoring.lexicons import exclusion_rules
from workbench.scoring.regex_shape import shape

PATTERNS = [FastPattern(rule.pattern) for rule in exclusion_rules()] + [
    _en_matcher().pattern,
]

# Pieces that trigger the rules and stems, plus case/Unicode troublemakers.
PIECES = [
    "jong",
    "jonge",
    "team",
    "en",
    "dynamisch",
    "collega's",
    "medewerkers",
    "tussen",
    "25",
    "35",
    "5",
    "jaar",
    "oud",
    "ervaring",
    "werkervaring",
    "maximaal",
    "max.",
    "niet",
    "ouder",
    "dan",
    "tot",
    "à",
    "starter",
    "schoolverlater",
    "pas",
    "afgestudeerd",
    "frisse",
    "blik",
    "moedertaal",
    "Nederlands",
    "als",
    "native",
    "speaker",
    "English",
    "nationaliteit",
    "(m/v)",
    "(m/v/x)",
    "timmerman",
    "hij",
    "zijn",
    "young",
    "aged",
    "20-30",
    "recent",
    "graduate",
    "no",
    "more",
    "than",
    "years",
    "of",
    "experience",
    "digital",
    "gen",
    "z",
    "high-energy",
    "mother",
    "tongue",
    "salesman",
    "he",
    "his",
    "ambitious",
    "dominant",
    "co-operative",
    "self-confident",
    "SharePoint",
    "lead",
    "resultaatgericht",
    "snelbesluitvaardig",
    "zorgvuldig",
    "onafhankelijk",
    "kinderopvang",
    "JONG",
    "Jong",
    "İ",
    "ı",
    "ſ",
    "é",
    "e\u0301",
    "K",
    "’",
    "'",
    "-",
    "_",
    ",",
    ".",
    "(",
    ")",
    "\n",
    " ",
    "  ",
]


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40))
    return " ".join(parts) if draw(st.booleans()) else "".join(parts)


@settings(max_examples=300, deadline=None)
@given(texts())
def test_fast_pattern_equals_plain_finditer(text: str) -> None:
    low = lowered(text)
    for fast in PATTERNS:
        expected = [m.span() for m in fast.pattern.finditer(text)]
        assert [m.span() for m in fast.finditer(text, low)] == expected, fast.pattern.pattern
        if not fast.may_match(low):
            assert expected == []


def test_speedups_are_active_for_the_rules() -> None:
    # A rule outside regex_shape's subset silently loses the speed-ups; make that visible.
    rules = [FastPattern(rule.pattern) for rule in exclusion_rules()]
    assert all(f.lower is not None for f in rules)
    assert sum(f.unanchored is not None for f in rules) >= 10
    assert sum(f.requirement is not None for f in rules) == len(rules)


def test_required_literals() -> None:
    assert required_literals(re.compile(r"\bjonge?\s+(?:team|club)\b", re.I)) == (
        frozenset({"jong"}),
        frozenset({"team", "club"}),
    )
    assert required_literals(re.compile(r"\d+\s*x?", re.I)) is None


def test_case_free_rejects_unsafe_patterns() -> None:
    assert case_free(re.compile("abc", re.I)) is not None
    assert case_free(re.compile("Abc", re.I)) is None  # upper-case literal
    assert case_free(re.compile("[A-Z]x", re.I)) is None
    assert case_free(re.compile("(?-i:abc)", re.I)) is None  # local flags
    assert case_free(re.compile("µ", re.I)) is None  # extra case equivalents (µ ~ μ)
    assert case_free(re.compile("abc")) is None  # not case-insensitive at all


def test_lowered_refuses_offset_changing_or_risky_text() -> None:
    assert lowered("Jong TEAM é") == "jong team é"
    assert lowered("İstanbul") is None  # lower-cases to two characters
    assert lowered("ſtarter") is None  # IGNORECASE matches ſ to s, str.lower() does not


def test_risky_characters_are_complete_for_ascii_letters() -> None:
    # Every character that IGNORECASE equates with an ASCII letter lower-cases to it, except those
    # in _FOLD_RISKY_RE (re-derived here over the whole BMP; astral planes have no such characters).
    letter = re.compile("[a-z]", re.IGNORECASE)
    odd = {
        chr(cp)
        for cp in range(0x80, 0x10000)
        if letter.fullmatch(chr(cp)) and not ("a" <= chr(cp).lower() <= "z" and len(chr(cp).lower()) == 1)
    }
    assert odd == {ch for ch in odd if _FOLD_RISKY_RE.match(ch)}
    assert odd == {"\u0130", "\u0131", "\u017f"}


def test_plain_case_letters_have_no_other_case_partners() -> None:
    # For every lower-case letter a case-free pattern may hold (ASCII and Latin-1 à-þ), a character of
    # the BMP matches it under IGNORECASE exactly when it lower-cases to it, except the risky ones.
    letters = set(string.ascii_lowercase) | _PLAIN_CASE_LETTERS
    assert not letters & {"ß", "ÿ", "µ", "÷"}
    any_letter = re.compile("[" + "".join(sorted(letters)) + "]", re.IGNORECASE)
    for cp in range(0x10000):
        ch = chr(cp)
        partners = {c for c in letters if re.fullmatch(c, ch, re.IGNORECASE)} if any_letter.fullmatch(ch) else set()
        if _FOLD_RISKY_RE.match(ch):
            continue
        assert partners == ({ch.lower()} if ch.lower() in letters else set()), (hex(cp), partners)


def test_rule_characters_match_as_their_lower_case() -> None:
    # The same for every character the lint rules spell out (letters, digits, punctuation).
    chars = set().union(*(shape(p.pattern.pattern).literals for p in PATTERNS))  # type: ignore[union-attr]
    any_char = re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]", re.IGNORECASE)
    for cp in range(0x10000):
        ch = chr(cp)
        if _FOLD_RISKY_RE.match(ch) or not (any_char.fullmatch(ch) or ch.lower() in chars):
            continue
        partners = {c for c in chars if re.fullmatch(re.escape(c), ch, re.IGNORECASE)}
        assert partners == {ch.lower()}, (hex(cp), partners)


@pytest.mark.parametrize(
    "source",
    [r"(?i)abc", r"(?-i:abc)", r"\x41", r"\u00e9", r"\N{LATIN SMALL LETTER A}", r"(a)\1", r"(?P<x>a)(?P=x)",
     r"(?(1)a|b)", r"(?#note)a", r"[[a]", r"[!-~]", r"[a-Z]", r"a{,x}", r"a**", r"(a", r"a)", "a\\"],
)
def test_shape_refuses_syntax_outside_its_subset(source: str) -> None:
    assert shape(source) is None


def test_shape_reads_groups_quantifiers_and_classes() -> None:
    tree = shape(r"\bjonge?\s+(?:team|club){1,2}[a-z0-9_-]+(?=x)")
    assert tree is not None
    items = tree.alternatives[0]
    assert [i.char for i in items[:6]] == [None, "j", "o", "n", "g", "e"]
    assert items[5].optional and not items[6].optional and items[6].quantified
    assert [[i.char for i in alt] for alt in items[7].alternatives or []] == [list("team"), list("club")]
    assert tree.literals >= {"j", "e", "t", "c", "a", "z", "0", "9", "_", "-", "x"}


def test_switch_turns_every_trick_off(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = exclusion_rules()[0].pattern
    monkeypatch.setenv(FAST_ENV, "0")
    plain = FastPattern(pattern)
    assert (plain.lower, plain.unanchored, plain.requirement) == (None, None, None)
    assert plain.may_match(lowered("anything"))
    text = "Tussen 25 en 35 jaar oud."
    assert [m.span() for m in plain.finditer(text, lowered(text))] == [m.span() for m in pattern.finditer(text)]
    monkeypatch.delenv(FAST_ENV)
    assert FastPattern(pattern).lower is not None
