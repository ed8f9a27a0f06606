"""`FastPattern`: the same matches as `pattern.finditer(text)` for IGNORECASE lint regexes, faster.

Scoring 10,000 texts with ~25 case-insensitive regexes each is dominated by the `re` engine trying
every position. Three tricks, each exact (and skipped whenever it would not be):

1. Lower-case view: a lower-case pattern *without* IGNORECASE over `text.lower()` is about twice as
   fast and finds the same spans whenever lower-casing keeps every character in place (`lowered`).
2. Leading `\\b` moved out: `\\bjong` makes `re` test every position, `jong` lets it jump to
   candidates with its prefix search; the word boundary is then checked in Python.
3. Pre-check: most rules need some literal ("jaar", "moedertaal"); `required_literals` derives those
   from the regex, and a rule whose literals are absent is skipped with cheap `in` tests.

What the tricks need to know about a regex comes from `regex_shape.shape`, which reads a conservative
subset of `re` syntax with public APIs only; a regex outside it keeps plain `finditer`. Measured reason
and figures: bench/README.md, "Wording lints" (`python bench/bench_lint.py --compare-plain`).
`WORKBENCH_LINT_FAST_REGEX=0` switches all three off (plain `re` IGNORECASE matching, same results).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from workbench.scoring.regex_shape import Item, shape
from workbench.switches import switched_on

FAST_ENV = "WORKBENCH_LINT_FAST_REGEX"

Requirement = tuple[frozenset[str], ...]  # every set must have one member in the text
_Check = str | re.Pattern[str]  # a literal to find with `in`, or an alternation of literals

# Characters that `re.IGNORECASE` matches to a letter although str.lower() maps them elsewhere
# ("ſ" matches "s", "ı"/"İ" match "i"); tests/scoring/test_fast_regex.py re-derives this set.
_FOLD_RISKY_RE = re.compile("[\u0130\u0131\u017f]")
# Non-ASCII lower-case letters a case-free pattern may contain: Latin-1's (à-þ, not ß/ÿ/µ), whose only
# IGNORECASE partner is their upper-case form (tests/scoring/test_fast_regex.py checks this over the BMP).
_PLAIN_CASE_LETTERS = frozenset(chr(cp) for cp in range(0xE0, 0xFF) if chr(cp).isalpha())


def enabled() -> bool:
    """The tricks are on unless WORKBENCH_LINT_FAST_REGEX=0."""
    return switched_on(FAST_ENV)


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    # Prefer the set whose shortest member is longest: "ervaring" filters better than "en".
    return max(sets, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _group_literals(alternatives: list[list[Item]]) -> frozenset[str] | None:
    """One literal per alternative that every match of the group contains, as a set, or None."""
    best = [_best(_sequence(alt)) for alt in alternatives]
    if any(b is None for b in best):
        return None
    return frozenset().union(*best)  # type: ignore[arg-type]


def _sequence(items: list[Item]) -> list[frozenset[str]]:
    """Literal sets of one regex sequence; every match of the sequence contains one of each set."""
    found: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append(frozenset({"".join(run).lower()}))
            run.clear()

    for item in items:
        if item.char is not None and not item.quantified:
            run.append(item.char)
            continue
        flush()
        sub: frozenset[str] | None = None
        if item.char is not None and not item.optional:  # "a+": the character is there at least once
            sub = frozenset({item.char.lower()})
        elif item.alternatives is not None and not item.optional:
            sub = _group_literals(item.alternatives)
        # Anything else (classes, assertions, optional parts) guarantees no literal.
        if sub:
            found.append(sub)
    flush()
    return found


def required_literals(pattern: re.Pattern[str]) -> Requirement | None:
    """Literal sets every match must contain (lower-cased), or None when nothing can be derived."""
    tree = shape(pattern.pattern)
    if tree is None or pattern.flags & re.VERBOSE or not all(map(_foldable, tree.literals)):
        return None
    if len(tree.alternatives) == 1:
        sets = _sequence(tree.alternatives[0])
    else:
        group = _group_literals(tree.alternatives)
        sets = [group] if group else []
    return tuple(sets) or None


@lru_cache(maxsize=16)  # the lints of one score_text call share it
def lowered(text: str) -> str | None:
    """`text.lower()` if it keeps every offset and agrees with `re.IGNORECASE`, else None."""
    if _FOLD_RISKY_RE.search(text):
        return None
    low = text.lower()
    # Equal length means every character lower-cased to exactly one character.
    return low if len(low) == len(text) else None


def _foldable(ch: str) -> bool:
    """Every character IGNORECASE matches to `ch` lower-cases to `ch.lower()` (outside _FOLD_RISKY_RE)."""
    low = ch.lower()
    return low == ch.upper() or low.isascii() or low in _PLAIN_CASE_LETTERS


def _cased_ok(ch: str) -> bool:
    """A pattern character that lower-cased text can match exactly as IGNORECASE would."""
    if ch.lower() == ch.upper():
        return True  # not a letter with case
    # An upper-case literal never matches lower-cased text; other lower-case letters may have extra
    # case equivalents ("µ" ~ "μ") that lower() would lose.
    return ch == ch.lower() and _foldable(ch)


def case_free(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The same regex without IGNORECASE, to run on `lowered(text)`; None if not equivalent.

    Equivalent when every literal/class character is lower-case or caseless (and has no case partner
    besides its upper-case form) and no local flags switch case sensitivity: then IGNORECASE on `text`
    and plain matching on its lower-case form accept the same spans.
    """
    if not pattern.flags & re.IGNORECASE or pattern.flags & (re.ASCII | re.VERBOSE):
        return None
    tree = shape(pattern.pattern)
    if tree is None or not all(map(_cased_ok, tree.literals)):
        return None
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


def _checks(requirement: Requirement | None) -> tuple[_Check, ...]:
    """One fast test per literal set: `in` for a single literal, else one regex alternation."""
    if requirement is None:
        return ()
    return tuple(
        next(iter(options)) if len(options) == 1 else re.compile("|".join(map(re.escape, sorted(options))))
        for options in requirement
    )


def _first_chars(items: list[Item]) -> set[str] | None:
    """Characters a match of the sequence must start with, or None if that is not simple to tell."""
    if not items or items[0].optional:
        return None
    first = items[0]
    if first.char is not None:
        return {first.char}
    if first.alternatives is None:
        return None
    chars: set[str] = set()
    for alt in first.alternatives:
        sub = _first_chars(alt)
        if sub is None:
            return None
        chars |= sub
    return chars


def is_word_char(ch: str) -> bool:
    """A `\\w` character, as `re` defines it for `\\b` on str patterns."""
    return ch.isalnum() or ch == "_"


class FastPattern:
    """A case-insensitive pattern whose `finditer` equals `pattern.finditer(text)`, only faster."""

    def __init__(self, pattern: re.Pattern[str], fast: bool | None = None) -> None:
        self.pattern = pattern
        self.requirement: Requirement | None = None
        self.lower: re.Pattern[str] | None = None
        self.unanchored: re.Pattern[str] | None = None
        if not (enabled() if fast is None else fast):
            self._checks: tuple[_Check, ...] = ()
            return
        self.requirement = required_literals(pattern)
        self._checks = _checks(self.requirement)
        self.lower = case_free(pattern)
        rest = shape(pattern.pattern[2:]) if pattern.pattern.startswith(r"\b") else None
        if self.lower is not None and rest is not None and len(rest.alternatives) == 1:
            # Only when the \\b belongs to the whole pattern (no top-level alternatives) and what
            # follows starts with one of a few characters, so `re` can jump between rare candidates;
            # otherwise the Python-side boundary checks cost more than they save.
            first = _first_chars(rest.alternatives[0])
            if first is not None and len(first) <= 8:
                self.unanchored = re.compile(pattern.pattern[2:], self.lower.flags)

    def may_match(self, low: str | None) -> bool:
        """False only if the pattern certainly has no match in the text `low` was made from."""
        if low is None:
            return True
        for check in self._checks:
            if isinstance(check, str):
                if check not in low:
                    return False
            elif check.search(low) is None:
                return False
        return True

    def finditer(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """Matches in `text` (`low` = `lowered(text)`); spans are offsets into `text`.

        Match objects may come from the lower-cased text: take the matched text from `text` via
        the span, use `group()` only for case-insensitive look-ups.
        """
        if low is None or self.lower is None:
            yield from self.pattern.finditer(text)
            return
        if self.unanchored is None:
            yield from self.lower.finditer(low)
            return
        search = self.unanchored.search
        n = len(low)
        pos = 0
        while pos <= n:
            m = search(low, pos)
            if m is None:
                return
            start = m.start()
            before = start > 0 and is_word_char(low[start - 1])
            after = start < n and is_word_char(low[start])
            if before != after:  # \\b holds: the anchored pattern matches here, identically
                yield m
                pos = m.end() if m.end() > start else start + 1
            else:
                pos = start + 1
