"""What `fast_regex` needs to know about a lint rule's regex, read from its source with public APIs only.

`shape(source)` reads a conservative subset of `re` syntax into a small tree: literal characters,
groups with alternatives, and everything else as an opaque item (classes, escapes like `\\w`/`\\s`,
anchors, look-arounds, `.`), each with whether a quantifier makes it optional. Anything outside the
subset — inline flags (`(?i)`, `(?-i:...)`), character codes (`\\x41`, `\\u0041`, `\\N{...}`), group
references, conditionals, comments, nested sets, class ranges other than `a-z`-style or `0-9`-style —
makes it return None, and `fast_regex` then leaves the pattern exactly as it is. Every regex it accepts
still compiles with `re`, which stays the only engine that matches anything.

Only the lowest-level facts are kept: the literal characters (for the lower-case check), the tree (for
literals every match needs and the characters a match can start with).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Escapes that stand for a class or an anchor matching the same characters whatever their case, or a
# control character. Any other escaped ASCII letter or digit (codes, group references) is not read.
_CASELESS_ESCAPES = frozenset("bBdDsSwWAZntrfv")
_QUANTIFIERS = frozenset("?*+{")


@dataclass
class Item:
    """One element of a sequence: a literal `char`, a group (`alternatives`), or opaque (neither)."""

    char: str | None = None
    alternatives: list[list[Item]] | None = None
    optional: bool = False  # a quantifier allows zero repetitions
    quantified: bool = False  # any quantifier: the item may repeat


@dataclass
class Shape:
    alternatives: list[list[Item]]  # the top level
    literals: set[str] = field(default_factory=set)  # every literal character, in classes too


class _Unsupported(Exception):
    pass


class _Reader:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0
        self.literals: set[str] = set()

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def alternatives(self, depth: int) -> list[list[Item]]:
        alts: list[list[Item]] = [[]]
        while self.i < len(self.s):
            c = self.peek()
            if c == "|":
                self.i += 1
                alts.append([])
            elif c == ")":
                if depth == 0:
                    raise _Unsupported("unbalanced )")
                return alts
            else:
                item = self.item(depth)
                self.quantifier(item)
                alts[-1].append(item)
        if depth:
            raise _Unsupported("unclosed group")
        return alts

    def item(self, depth: int) -> Item:
        c = self.peek()
        if c == "\\":
            return self.escape()
        if c == "[":
            self.char_class()
            return Item()
        if c == "(":
            return self.group(depth)
        if c in _QUANTIFIERS:
            raise _Unsupported("quantifier without an item")
        self.i += 1
        if c in ".^$":
            return Item()
        self.literals.add(c)
        return Item(char=c)

    def escape(self) -> Item:
        e = self.peek(1)
        if not e:
            raise _Unsupported("trailing backslash")
        self.i += 2
        if e.isascii() and e.isalnum():
            if e not in _CASELESS_ESCAPES:
                raise _Unsupported(f"escape \\{e}")
            return Item()
        self.literals.add(e)
        return Item(char=e)

    def char_class(self) -> None:
        self.i += 1
        if self.peek() == "^":
            self.i += 1
        members: list[tuple[str, bool]] = []  # (character, escaped)
        while True:
            c = self.peek()
            if not c:
                raise _Unsupported("unclosed class")
            if c == "]" and members:
                self.i += 1
                break
            if c == "[":
                raise _Unsupported("nested set")
            if c == "\\":
                e = self.peek(1)
                if e.isascii() and e.isalnum() and e not in _CASELESS_ESCAPES:
                    raise _Unsupported(f"escape \\{e} in a class")
                members.append((e, True))
                self.i += 2
            else:
                members.append((c, False))
                self.i += 1
        k = 0
        while k < len(members):
            ch, escaped = members[k]
            if k + 2 < len(members) and members[k + 1] == ("-", False):
                end, end_escaped = members[k + 2]
                # Only ranges whose every member is lower-case or caseless; an escaped endpoint may be a
                # class like \w, which `re` rejects as a range anyway.
                if escaped or end_escaped or not ("a" <= ch <= end <= "z" or "0" <= ch <= end <= "9"):
                    raise _Unsupported(f"class range {ch}-{end}")
                self.literals.update((ch, end))
                k += 3
                continue
            if not (escaped and ch.isascii() and ch.isalnum()):
                self.literals.add(ch)
            k += 1

    def group(self, depth: int) -> Item:
        s, i = self.s, self.i
        if s.startswith("(?:", i) or s.startswith("(?=", i) or s.startswith("(?!", i):
            lookaround = s[i + 2] != ":"
            self.i += 3
        elif s.startswith("(?<=", i) or s.startswith("(?<!", i):
            lookaround = True
            self.i += 4
        elif s.startswith("(?P<", i):
            end = s.find(">", i)
            if end < 0:
                raise _Unsupported("unclosed group name")
            lookaround = False
            self.i = end + 1
        elif s.startswith("(?", i):
            raise _Unsupported("inline flags, group reference, conditional or comment")
        else:
            lookaround = False
            self.i += 1
        alts = self.alternatives(depth + 1)
        self.i += 1  # the ")"
        # A look-around consumes nothing: it contributes no literal and no first character.
        return Item() if lookaround else Item(alternatives=alts)

    def quantifier(self, item: Item) -> None:
        c = self.peek()
        if c not in _QUANTIFIERS:
            return
        if c == "{":
            end = self.s.find("}", self.i)
            body = self.s[self.i + 1 : end] if end > 0 else ""
            low, _, high = body.partition(",")
            if not (low.isdigit() or low == "") or not (high.isdigit() or high == "") or not body:
                raise _Unsupported(f"repeat {{{body}}}")  # `re` would read it as literal text
            item.optional = not low or int(low) == 0
            self.i = end + 1
        else:
            item.optional = c in "?*"
            self.i += 1
        item.quantified = True
        if self.peek() in ("?", "+"):  # lazy or possessive
            self.i += 1
        if self.peek() in _QUANTIFIERS:
            raise _Unsupported("multiple repeat")


def shape(source: str) -> Shape | None:
    """The tree of `source`, or None when it uses anything outside the subset described above."""
    reader = _Reader(source)
    try:
        alternatives = reader.alternatives(0)
    except _Unsupported:
        return None
    return Shape(alternatives, reader.literals)
