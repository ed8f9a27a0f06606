"""Configurable pass/fail checks from experiment specs; each yields one binary Score `check.<name>`.

Config examples (YAML/JSON dicts):
    {"check": "contains", "name": "mentions_salary", "value": ["salaris", "€"], "mode": "any"}
    {"check": "not_contains", "value": "moedertaal", "ignore_case": true}
    {"check": "regex", "name": "has_salary", "pattern": "€\\s?\\d"}
    {"check": "json_valid"}
    {"check": "required_sections", "sections": ["Wat ga je doen", "Wat vragen wij", "Wat bieden wij"]}
    {"check": "max_words", "limit": 400}        {"check": "min_words", "limit": 150}

`name` defaults to the check type. A bad config raises ValueError naming the offending field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.catalogue import MetricInfo, declare_metrics
from workbench.scoring.tokens import count_words

CheckFn = Callable[[str], tuple[bool, dict[str, Any]]]

_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")
_FENCE_RE = re.compile(r"^```[\w-]*[ \t]*\n(?P<body>.*?)\n?```$", re.DOTALL)


class _Config:
    """Typed access to one check's config dict; every error names the check and the field."""

    def __init__(self, raw: Mapping[str, Any], allowed: set[str]) -> None:
        self.raw = raw
        self.label = f"check {raw.get('check')!r}" + (f" (name={raw['name']!r})" if "name" in raw else "")
        unknown = sorted(set(raw) - allowed - {"check", "name"})
        if unknown:
            raise ValueError(f"{self.label}: unknown field {unknown[0]!r}; allowed: {sorted(allowed)}")

    def error(self, field: str, message: str) -> ValueError:
        return ValueError(f"{self.label}: field {field!r} {message}")

    def required(self, field: str) -> Any:
        if field not in self.raw:
            raise self.error(field, "is required")
        return self.raw[field]

    def boolean(self, field: str, default: bool) -> bool:
        value = self.raw.get(field, default)
        if not isinstance(value, bool):
            raise self.error(field, f"must be true or false, not {value!r}")
        return value

    def strings(self, field: str) -> list[str]:
        value = self.required(field)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
            raise self.error(field, f"must be a non-empty string or list of non-empty strings, not {value!r}")
        return items

    def limit(self, field: str) -> int:
        value = self.required(field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(field, f"must be a non-negative integer, not {value!r}")
        return value

    def choice(self, field: str, options: tuple[str, ...]) -> str:
        value = self.raw.get(field, options[0])
        if value not in options:
            raise self.error(field, f"must be one of {list(options)}, not {value!r}")
        return str(value)


def _contains(cfg: _Config, negate: bool) -> CheckFn:
    values = cfg.strings("value")
    ignore_case = cfg.boolean("ignore_case", False)
    mode = "all" if negate else cfg.choice("mode", ("all", "any"))
    needles = [v.casefold() for v in values] if ignore_case else values

    def run(text: str) -> tuple[bool, dict[str, Any]]:
        hay = text.casefold() if ignore_case else text
        found = [v for v, n in zip(values, needles, strict=True) if n in hay]
        if negate:
            return not found, {"found": found}
        passed = len(found) == len(values) if mode == "all" else bool(found)
        return passed, {"found": found, "missing": [v for v in values if v not in found], "mode": mode}

    return run


def _regex(cfg: _Config) -> CheckFn:
    pattern = cfg.required("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise cfg.error("pattern", f"must be a non-empty string, not {pattern!r}")
    flags = re.IGNORECASE if cfg.boolean("ignore_case", False) else 0
    flags |= re.MULTILINE if cfg.boolean("multiline", False) else 0
    flags |= re.DOTALL if cfg.boolean("dotall", False) else 0
    negate = cfg.boolean("negate", False)
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise cfg.error("pattern", f"is not a valid regular expression: {exc}") from None

    def run(text: str) -> tuple[bool, dict[str, Any]]:
        m = compiled.search(text)
        detail: dict[str, Any] = {"pattern": pattern, "negate": negate}
        if m:  # the text is cut short: a ".*" pattern could otherwise copy the whole output
            detail["match"] = {"start": m.start(), "end": m.end(), "text": m.group()[:200]}
        return (m is None) if negate else (m is not None), detail

    return run


def _json_valid(cfg: _Config) -> CheckFn:
    strip_fences = cfg.boolean("strip_code_fences", True)

    def run(text: str) -> tuple[bool, dict[str, Any]]:
        body = text.strip()
        fence = _FENCE_RE.match(body) if strip_fences else None
        if fence:
            body = fence.group("body")  # LLMs often wrap JSON in ```json fences
        try:
            json.loads(body)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            return False, {"error": str(exc), "fenced": bool(fence)}
        return True, {"fenced": bool(fence)}

    return run


def _heading_key(line: str) -> str:
    """Normalise a heading line: markdown markers, trailing ":?!." and case do not matter."""
    line = line.replace("’", "'").strip().lstrip("#>").strip().strip("*_").strip()
    line = line.rstrip(":?!.").strip().strip("*_").strip().rstrip(":?!.").strip()
    return " ".join(line.split()).casefold()


def _required_sections(cfg: _Config) -> CheckFn:
    sections = cfg.strings("sections")
    anywhere = cfg.boolean("anywhere", False)
    keys = [_heading_key(s) for s in sections]

    # A heading is a short line that is, or starts with, the section name ("Wat bieden wij jou?").
    slack = 40
    longest = max(map(len, keys)) + slack + 20  # + room for markdown markers and punctuation

    def present(key: str, lines: list[str], folded: str) -> bool:
        if anywhere:
            return key in folded
        limit = len(key) + slack
        return any(line == key or (line.startswith(f"{key} ") and len(line) <= limit) for line in lines)

    def run(text: str) -> tuple[bool, dict[str, Any]]:
        lines = [_heading_key(line) for line in text.splitlines() if len(line) <= longest]
        folded = " ".join(text.replace("’", "'").split()).casefold() if anywhere else ""
        missing = [s for s, k in zip(sections, keys, strict=True) if not present(k, lines, folded)]
        return not missing, {"missing": missing, "required": sections}

    return run


def _word_limit(cfg: _Config, upper: bool) -> CheckFn:
    limit = cfg.limit("limit")

    def run(text: str) -> tuple[bool, dict[str, Any]]:
        n = count_words(text)
        return (n <= limit) if upper else (n >= limit), {"words": n, "limit": limit}

    return run


# check type -> (allowed extra fields, factory)
_CHECKS: dict[str, tuple[set[str], Callable[[_Config], CheckFn]]] = {
    "contains": ({"value", "ignore_case", "mode"}, lambda c: _contains(c, negate=False)),
    "not_contains": ({"value", "ignore_case"}, lambda c: _contains(c, negate=True)),
    "regex": ({"pattern", "ignore_case", "multiline", "dotall", "negate"}, _regex),
    "json_valid": ({"strip_code_fences"}, _json_valid),
    "required_sections": ({"sections", "anywhere"}, _required_sections),
    "max_words": ({"limit"}, lambda c: _word_limit(c, upper=True)),
    "min_words": ({"limit"}, lambda c: _word_limit(c, upper=False)),
}
CHECK_TYPES = tuple(_CHECKS)


# A check is configured in the spec (a dict entry, not a name), so it declares its metric family only.
# `{name}` labels: the demo experiments' checks.
declare_metrics("check", MetricInfo(
    "check.*", kind="binary", direction="higher", label_en="Check: {name}", label_nl="Controle: {name}",
    short="check {name}", headline=True,
    help_en="Yes when the text passes this check.", help_nl="Ja als de tekst aan deze controle voldoet.",
    parts=(("has_sections", "has the required sections", "bevat de vaste kopjes"),
           ("has_salary", "mentions the salary", "noemt het salaris")),
))


class CheckScorer:
    """One configured check; `name` is the metric, `check.<config name>`. 1.0 = pass, 0.0 = fail."""

    def __init__(self, check: str, metric: str, run: CheckFn) -> None:
        self.check = check
        self.name = metric
        self._run = run

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        passed, detail = self._run(text)
        return [Score(self.name, 1.0 if passed else 0.0, {"check": self.check, **detail})]


def build_check(config: Mapping[str, Any]) -> CheckScorer:
    """Validate one check config dict and build its scorer (ValueError names the bad field)."""
    if not isinstance(config, Mapping):
        raise ValueError(f"a check config must be a mapping, not {type(config).__name__}")
    check = config.get("check")
    valid = ", ".join(CHECK_TYPES)
    if check is None:
        raise ValueError(f"check config {dict(config)!r}: field 'check' is required (one of {valid})")
    if check not in _CHECKS:
        raise ValueError(f"check config: field 'check' has unknown value {check!r} (valid: {valid})")
    allowed, factory = _CHECKS[check]
    cfg = _Config(config, allowed)
    name = config.get("name", check)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise cfg.error("name", f"must be letters, digits, '_', '.', ':' or '-' (non-empty), not {name!r}")
    return CheckScorer(check, f"check.{name}", factory(cfg))
