"""Read the labelled lint evaluation set (tests/data/lint_eval/) and score the lints against it.

Precision: share of highlighted spans that overlap a gold span with the same label. Recall: share of
gold spans overlapped by a highlighted span with the same label. Both counted per language and per
rule group: gender-coded (masculine and feminine together; a span of the wrong gender counts as a
false positive and a miss), age, exclusion, gendered title, pronoun.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.scoring.matches import Match

EVAL_DIR = Path(__file__).resolve().parents[1] / "data" / "lint_eval"
LABELS = ("m", "f", "age", "excl", "title", "pron")
GROUPS = {"m": "gender", "f": "gender", "age": "age", "excl": "exclusion", "title": "title", "pron": "pronoun"}
_MARK_RE = re.compile(r"\[([^\[\]|]+)\|([a-z]+)\]|\{([^{}]+)\}")


@dataclass
class Passage:
    id: str
    sector: str
    text: str
    gold: list[tuple[int, int, str]]  # (start, end, label)
    traps: list[tuple[int, int]]


def parse(path: Path) -> list[Passage]:
    """Passages of one file; raises ValueError naming the line for malformed markup."""
    passages: list[Passage] = []
    head: tuple[str, str] | None = None
    body: list[str] = []

    def flush() -> None:
        if head is None:
            return
        raw = "\n".join(body).strip("\n")
        text, gold, traps, pos = [], [], [], 0
        out_len = 0
        for m in _MARK_RE.finditer(raw):
            text.append(raw[pos : m.start()])
            out_len += m.start() - pos
            words = m.group(1) if m.group(1) is not None else m.group(3)
            if m.group(2) is not None:
                if m.group(2) not in LABELS:
                    raise ValueError(f"{path.name}: {head[0]}: unknown label {m.group(2)!r}")
                gold.append((out_len, out_len + len(words), m.group(2)))
            else:
                traps.append((out_len, out_len + len(words)))
            text.append(words)
            out_len += len(words)
            pos = m.end()
        text.append(raw[pos:])
        joined = "".join(text)
        if any(ch in joined for ch in "[]{}|"):
            raise ValueError(f"{path.name}: {head[0]}: unbalanced markup")
        passages.append(Passage(head[0], head[1], joined, gold, traps))

    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.startswith("## "):
            flush()
            parts = line[3:].split()
            if len(parts) != 2:
                raise ValueError(f"{path.name}:{number}: expected '## <id> <sector>'")
            head, body = (parts[0], parts[1]), []
        elif line.startswith("# ") or (line == "#"):
            continue
        elif head is not None:
            body.append(line)
    flush()
    return passages


def load(language: str) -> list[Passage]:
    return parse(EVAL_DIR / f"{language}.txt")


@dataclass
class Counts:
    tp: int = 0  # predicted spans that hit a gold span with the same label
    fp: int = 0
    hit: int = 0  # gold spans found
    gold: int = 0
    false_hits: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.hit / self.gold if self.gold else float("nan")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


Labeller = Callable[[str, str], Iterable[tuple[Match, str]]]


def evaluate(passages: list[Passage], label_matches: Labeller, language: str) -> dict[str, Counts]:
    """Counts per rule group; `label_matches(text, language)` yields (match, label) pairs."""
    counts = {group: Counts() for group in dict.fromkeys(GROUPS.values())}
    for p in passages:
        predicted = list(label_matches(p.text, language))
        for match, label in predicted:
            span = (match["start"], match["end"])
            group = GROUPS[label]
            ok = any(_overlaps(span, g[:2]) and g[2] == label for g in p.gold)
            c = counts[group]
            if ok:
                c.tp += 1
            else:
                c.fp += 1
                c.false_hits.append(f"{p.id}: {match['text']!r} ({match['rule']})")
        for start, end, label in p.gold:
            c = counts[GROUPS[label]]
            c.gold += 1
            if any(_overlaps((m["start"], m["end"]), (start, end)) and lab == label for m, lab in predicted):
                c.hit += 1
            else:
                c.misses.append(f"{p.id}: {p.text[start:end]!r} ({label})")
    return counts
