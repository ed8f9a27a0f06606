"""Precision and recall of the wording lints on the labelled evaluation set (tests/data/lint_eval/).

Targets (issue #11): gender-coded precision >= 0.90 and recall >= 0.85 per language; age and exclusion
precision >= 0.90. Every highlighted span counts (also low-severity ones), not only flag-raising ones.
Run with `-s` to see the table; the figures are in README.md ("How good are the wording flags?").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scoring.lint_eval import EVAL_DIR, GROUPS, Counts, Passage, evaluate, load, parse
from workbench.scoring.base import ScoringContext
from workbench.scoring.bias_lint import lint_scorers
from workbench.scoring.matches import Match
from workbench.scoring.pattern_rules import PRONOUN_RULE_IDS

CATEGORY_LABELS = {"masculine": "m", "feminine": "f", "age": "age", "language_origin": "excl"}
TARGETS = {"gender": (0.90, 0.85), "age": (0.90, None), "exclusion": (0.90, None)}


def label_matches(text: str, language: str) -> Iterator[tuple[Match, str]]:
    """Every highlighted span of every lint (score details, as stored for experiment outputs)."""
    seen: set[tuple[int, int, str]] = set()
    ctx = ScoringContext(language, "vacancy_text")
    for scorer in lint_scorers():
        for score in scorer.score(text, ctx):
            for m in score.detail.get("matches", []):
                label = CATEGORY_LABELS.get(m["category"]) or ("pron" if m["rule"] in PRONOUN_RULE_IDS else "title")
                if (m["start"], m["end"], label) not in seen:
                    seen.add((m["start"], m["end"], label))
                    yield m, label


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Counts]]:
    return {lang: evaluate(load(lang), label_matches, lang) for lang in ("nl", "en")}


def test_eval_set_size_and_sectors() -> None:
    for lang in ("nl", "en"):
        passages = load(lang)
        assert len(passages) >= 40, lang
        assert {p.sector for p in passages} == {"healthcare", "technical", "logistics", "hospitality", "office",
                                               "education"}
        assert len({p.id for p in passages}) == len(passages)


def test_precision_and_recall_meet_the_targets(results: dict[str, dict[str, Counts]]) -> None:
    print("\nlang  rule        precision          recall")
    for lang, counts in results.items():
        for group, c in counts.items():
            print(f"{lang:4}  {group:10}  {c.precision:5.2f} ({c.tp:3}/{c.tp + c.fp:3})   "
                  f"{c.recall:5.2f} ({c.hit:3}/{c.gold:3})")
            for line in c.false_hits:
                print(f"      false hit  {line}")
            for line in c.misses:
                print(f"      missed     {line}")
    for lang, counts in results.items():
        for group, (precision, recall) in TARGETS.items():
            c = counts[group]
            assert c.gold > 0, (lang, group)
            assert c.precision >= precision, (lang, group, c.false_hits)
            if recall is not None:
                assert c.recall >= recall, (lang, group, c.misses)


def _flagged_spans(p: Passage, language: str) -> list[tuple[int, int]]:
    return [(m["start"], m["end"]) for m, _ in label_matches(p.text, language)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_trap_is_flagged(language: str) -> None:
    """Every {trap} in the set (all the issue's false hits among them) stays unflagged."""
    flagged_traps = []
    for p in load(language):
        spans = _flagged_spans(p, language)
        for start, end in p.traps:
            if any(a < end and start < b for a, b in spans):
                flagged_traps.append(f"{p.id}: {p.text[start:end]!r}")
    assert flagged_traps == []


ISSUE_TRAPS = {
    "nl": ["warmtepompen", "afhankelijk van", "leidinggevende", "Verzorgende IG", "Meewerkend", "delen",
           "coöperatie", "vertrouwelijk", "ter attentie van", "betrokken", "Kindcentrum", "jezelf zijn",
           "Gastvrouw/gastheer"],
    "en": ["confidential", "committee", "responsible for"],
}
ISSUE_MISSES = {"nl": ["communicatieve", "creatieve", "commerciële", "sociale", "actieve", "loyaal", "deelt"]}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_issues_examples_are_in_the_set(language: str) -> None:
    passages = load(language)
    traps = {p.text[a:b] for p in passages for a, b in p.traps}
    gold = {p.text[a:b] for p in passages for a, b, _ in p.gold}
    assert set(ISSUE_TRAPS[language]) <= traps
    assert set(ISSUE_MISSES.get(language, [])) <= gold


def test_held_out_passages(results: dict[str, dict[str, Counts]]) -> None:
    """heldout_{nl,en}.txt were written after tuning and are never tuned on: the out-of-sample check.

    Measured once when written (README): NL gender-coded P 0.89 R 0.94, EN P 0.95 R 1.00 (about 20 spans
    each, so wide uncertainty). Asserted here only as a regression floor, not as the issue's targets.
    """
    print("\nheld-out  lang  rule        precision          recall")
    for lang in ("nl", "en"):
        counts = evaluate(parse(EVAL_DIR / f"heldout_{lang}.txt"), label_matches, lang)
        for group, c in counts.items():
            if c.gold or c.tp + c.fp:
                print(f"held-out  {lang:4}  {group:10}  {c.precision:5.2f} ({c.tp:3}/{c.tp + c.fp:3})   "
                      f"{c.recall:5.2f} ({c.hit:3}/{c.gold:3})")
        assert counts["gender"].precision >= 0.80 and counts["gender"].recall >= 0.80, lang


def test_groups_cover_every_label() -> None:
    assert set(GROUPS.values()) >= set(TARGETS)
