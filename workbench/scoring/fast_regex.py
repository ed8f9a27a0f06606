"""`FastPattern`: the same matches as `pattern.finditer(text)` for IGNORECASE lint regexes, faster.

Scoring 10,000 texts with ~25 case-insensitive regexes each is dominated by the `re` engine trying
every position. Three tricks, each exact (and skipped whenever it would not be):

1. Lower-case view: a lower-case pattern *without* IGNORECASE over `text.lower()` is about twice as
   fast and finds the same spans whenever lower-casing keeps every character in place (`lowered`).
2. Leading `\\b` moved out: `\\bjong` makes `re` test every position, `jong` lets it jump to
   candidates with its prefix search; the word boundary is then checked in Python.
3. Pre-check: most rules need some literal ("jaar", "moedertaal"); `required_literals` derives those
   from the parsed regex, and a rule whose literals are absent is skipped with cheap `in` tests.

Relies on CPython's private regex parser (`re._parser`); without it every trick is simply off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

try:  # CPython's regex parser; private, so every use below degrades to "no speed-up" on failure.
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover - other Python implementations
    _c = _p = None
    _EXTRA_CASES = {}

Requirement = tuple[frozenset[str], ...]  # every set must have one member in the text
_Check = str | re.Pattern[str]  # a literal to find with `in`, or an alternation of literals

# Characters that `re.IGNORECASE` matches to a letter although str.lower() maps them elsewhere
# ("ſ" matches "s", "ı"/"İ" match "i"); tests/scoring/test_fast_regex.py re-derives this set.
_FOLD_RISKY_RE = re.compile("[\u0130\u0131\u017f]")


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    # Prefer the set whose shortest member is longest: "ervaring" filters better than "en".
    return max(sets, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _sequence(items: Any) -> list[frozenset[str]]:
    """Literal sets of one regex sequence; every match of the sequence contains one of each set."""
    found: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append(frozenset({"".join(run).lower()}))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        sub: frozenset[str] | None = None
        if op is _c.SUBPATTERN:
            sub = _best(_sequence(av[3]))
        elif op is _c.BRANCH:
            alternatives = [_best(_sequence(alt)) for alt in av[1]]
            if all(a is not None for a in alternatives):
                sub = frozenset().union(*alternatives)  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            sub = _best(_sequence(av[2]))
        # Anything else (classes, assertions, optional parts) guarantees no literal.
        if sub:
            found.append(sub)
    flush()
    return found


def required_literals(pattern: re.Pattern[str]) -> Requirement | None:
    """Literal sets every match must contain (lower-cased), or None when nothing can be derived."""
    if _p is None:
        return None
    try:
        sets = _sequence(_p.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - parser internals changed; just don't pre-check
        return None
    return tuple(sets) or None


@lru_cache(maxsize=16)  # the lints of one score_text call share it
def lowered(text: str) -> str | None:
    """`text.lower()` if it keeps every offset and agrees with `re.IGNORECASE`, else None."""
    if _FOLD_RISKY_RE.search(text):
        return None
    low = text.lower()
    # Equal length means every character lower-cased to exactly one character.
    return low if len(low) == len(text) else None


def _cased_ok(cp: int) -> bool:
    """A pattern character that lower-cased text can match exactly as IGNORECASE would."""
    ch = chr(cp)
    if ch.lower() == ch.upper():
        return True  # not a letter with case
    if ch != ch.lower():
        return False  # an upper-case literal never matches lower-cased text
    # Characters with extra case equivalents ("µ" ~ "μ") would lose them.
    return cp < 128 or cp not in _EXTRA_CASES


def _lower_only(items: Any) -> bool:
    for op, av in items:
        if op is _c.LITERAL or op is _c.NOT_LITERAL:
            ok = _cased_ok(av)
        elif op is _c.IN:
            ok = all(
                _cased_ok(iav)
                if iop is _c.LITERAL or iop is _c.NOT_LITERAL
                else (iav[1] - iav[0] < 1024 and all(map(_cased_ok, range(iav[0], iav[1] + 1))))
                if iop is _c.RANGE
                else iop is _c.CATEGORY or iop is _c.NEGATE
                for iop, iav in av
            )
        elif op is _c.SUBPATTERN:
            ok = not av[1] and not av[2] and _lower_only(av[3])  # no local flags like (?-i:...)
        elif op is _c.BRANCH:
            ok = all(_lower_only(alt) for alt in av[1])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            ok = _lower_only(av[2])
        elif op is _c.ASSERT or op is _c.ASSERT_NOT:
            ok = _lower_only(av[1])
        else:
            ok = op in (_c.AT, _c.ANY)  # anything else (group references, ...): not safe
        if not ok:
            return False
    return True


def case_free(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The same regex without IGNORECASE, to run on `lowered(text)`; None if not equivalent.

    Equivalent when every literal/class character is lower-case or caseless and no local flags
    switch case sensitivity: then IGNORECASE on `text` and plain matching on its lower-case form
    accept the same spans.
    """
    if _p is None or not pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = _p.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - parser internals changed
        return None
    if not _lower_only(tree):
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


def _first_chars(items: Any) -> set[int] | None:
    """Characters a match of the sequence must start with, or None if that is not simple to tell."""
    if not items:
        return None
    op, av = items[0]
    if op is _c.LITERAL:
        return {av}
    if op is _c.SUBPATTERN:
        return _first_chars(av[3])
    if op is _c.BRANCH:
        chars: set[int] = set()
        for alt in av[1]:
            sub = _first_chars(alt)
            if sub is None:
                return None
            chars |= sub
        return chars
    if op is _c.IN and all(iop is _c.LITERAL for iop, _ in av):
        return {iav for _, iav in av}
    return None


def is_word_char(ch: str) -> bool:
    """A `\\w` character, as `re` defines it for `\\b` on str patterns."""
    return ch.isalnum() or ch == "_"


class FastPattern:
    """A case-insensitive pattern whose `finditer` equals `pattern.finditer(text)`, only faster."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.requirement = required_literals(pattern)
        self._checks = _checks(self.requirement)
        self.lower = case_free(pattern)
        self.unanchored: re.Pattern[str] | None = None
        if self.lower is not None and pattern.pattern.startswith(r"\b"):
            tree = _p.parse(pattern.pattern, pattern.flags)
            rest = _p.parse(pattern.pattern[2:], self.lower.flags)
            # Only when the \\b belongs to the whole pattern (not to one top-level alternative) and
            # what follows starts with one of a few characters, so `re` can jump between rare
            # candidates; otherwise the Python-side boundary checks cost more than they save.
            first = _first_chars(rest)
            if tree and tree[0] == (_c.AT, _c.AT_BOUNDARY) and first is not None and len(first) <= 8:
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
