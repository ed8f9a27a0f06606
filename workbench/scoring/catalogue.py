"""The metric catalogue: what every metric is (kind, direction, EN/NL labels, unit, role), declared by the
scorer that produces it, next to its code.

A scorer module registers itself with the `scorer` decorator, which names the spec entry, lists the
metrics it produces (`MetricInfo`, exact names or patterns with one ``*``) and the metrics that stand for
it as the default primary metric::

    @scorer("length", metrics=[MetricInfo("words", kind="count", label_en="Length (words)", ...)],
            primary=("words",))
    class LengthScorer: ...

Metrics without a synchronous scorer (the LLM judge) are declared with `declare_metrics`. Everything that
shows, compares or summarises a metric asks `metric_info(name)`: analysis (kind, direction, headline,
flags, outcomes), the run summary, the terminal and HTML report, the UI and exports. An unknown metric
(an old run's scorer that no longer exists) gets `default_info`: numeric, no direction, its id as label.

`SCORER_MODULES` lists the modules that register scorers; adding a scorer = one new module here plus its
one line in that tuple (see CONTRIBUTING.md, "Add a scorer").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    import pandas as pd

    from workbench.scoring.base import Scorer

Kind = Literal["numeric", "binary", "count"]
Direction = Literal["higher", "lower", "neutral"]
Lang = Literal["en", "nl"]

# The modules whose import registers the built-in scorers (order = order of `scorer_names()`).
SCORER_MODULES: list[str] = [
    "workbench.scoring.text_metrics",
    "workbench.scoring.readability",
    "workbench.scoring.bias_lint",
    "workbench.scoring.outcomes",
    "workbench.scoring.agentic",
    "workbench.scoring.checks",
    "workbench.scoring.judge",
]


@dataclass(frozen=True)
class GroupPhrases:
    """How a name-swap audit words a group's difference on this metric, in English and Dutch: the group
    "are invited to an interview less often" / "… more often", and the outcome as a noun ("invitation
    decision"). ``{texts}`` stands for the task's texts ("rejection emails")."""

    less_en: str
    less_nl: str
    more_en: str
    more_nl: str
    noun_en: str = ""
    noun_nl: str = ""

    def direction(self, lang: str, less: bool) -> str:
        if less:
            return self.less_nl if lang == "nl" else self.less_en
        return self.more_nl if lang == "nl" else self.more_en

    def noun(self, lang: str) -> str:
        return (self.noun_nl if lang == "nl" else self.noun_en) or self.noun_en


@dataclass(frozen=True)
class MetricInfo:
    """One metric (``pattern`` = an exact name) or a family of metrics (``pattern`` with one ``*``:
    "judge.*", "ranking.top1.*"); labels may use ``{name}``, the part the ``*`` matched."""

    pattern: str
    # "binary": 0/1 per output (means are shares, differences percentage points); "count": whole numbers
    # per output; "numeric": anything else.
    kind: Kind = "numeric"
    direction: Direction = "neutral"  # which way is better ("neutral": neither, or two-sided)
    label_en: str = ""  # plain-language name (UI, sentences); "" = the metric id
    label_nl: str = ""
    short: str = ""  # the terminal tables' label; "" = the metric id
    legend: str = ""  # explains `short` under a terminal table ("gender* = provisional Dutch list")
    column: str = ""  # the 80-column run summary's column; "" = the metric id
    unit: str = ""  # what a value counts ("words"); "" for scores
    decimals: int = 1  # of a mean in the run summary
    can_be_primary: bool = True  # may be an experiment's `primary` metric
    headline: bool = False  # shown first in verdict tables and on the Compare page
    card: bool = False  # shown on each output's card on the Compare page too (headline metrics always are)
    flag: bool = False  # a wording lint's yes/no flag (its rate is shown with a CI)
    outcome: bool = False  # a decision parsed from the text: still valid when the text was cut off
    summary: bool = False  # a column of the run summary
    chart: bool = False  # gets a distribution chart in the HTML report
    filter: bool = False  # the Compare page can filter outputs on it (one filter per scorer, named by the label)
    audit: bool = False  # a name-swap audit outcome (shown with the bias audit)
    help_en: str = ""  # one plain sentence on what it means (UI tooltips)
    help_nl: str = ""
    parts: tuple[tuple[str, str, str], ...] = ()  # labels of ``{name}`` parts: (part, en, nl)
    phrases: GroupPhrases | None = None  # how name-swap audits word a group difference (None: generic)
    group_part: bool = False  # `{name}` is a name group of a name-swap audit (the UI words it)
    scorer: str = ""  # the registering scorer's spec name (filled in by `scorer` / `declare_metrics`)
    name: str = field(default="", compare=False)  # the concrete metric id (set by `metric_info`)
    part: str = field(default="", compare=False)  # what the `*` matched

    def __post_init__(self) -> None:
        if self.pattern.count("*") > 1:
            raise ValueError(f"metric pattern {self.pattern!r}: at most one '*'")

    # --- matching --------------------------------------------------------------------------------
    @property
    def prefix(self) -> str:
        """The literal text before the ``*`` (the whole name for an exact metric)."""
        return self.pattern.split("*", 1)[0]

    def match(self, metric: str) -> str | None:
        """The part ``*`` matched ("" for an exact name), or None if `metric` is not this one."""
        if "*" not in self.pattern:
            return "" if metric == self.pattern else None
        head, tail = self.pattern.split("*", 1)
        if len(metric) > len(head) + len(tail) and metric.startswith(head) and metric.endswith(tail):
            return metric[len(head): len(metric) - len(tail)]
        return None

    # --- what consumers read ---------------------------------------------------------------------
    @property
    def stats_kind(self) -> Literal["numeric", "binary"]:
        """What the statistics engine needs: counts are numeric there."""
        return "binary" if self.kind == "binary" else "numeric"

    @property
    def higher_is_better(self) -> bool | None:
        """True / False / None (neutral), as the statistics engine takes a metric's direction."""
        return {"higher": True, "lower": False, "neutral": None}[self.direction]

    @property
    def display_unit(self) -> str:
        """"pp" for yes/no metrics (their differences are percentage points), else `unit`."""
        return "pp" if self.kind == "binary" else self.unit

    def part_label(self, lang: str) -> str:
        for part, en, nl in self.parts:
            if part == self.part:
                return nl if lang == "nl" else en
        return self.part.replace("_", " ")

    def label(self, lang: str = "en", part: str | None = None) -> str:
        """Plain-language name in English or Dutch ("Masculine-coded words", "Clarity (LLM judge)");
        `part` replaces the ``{name}`` part's own label (the UI words name groups itself)."""
        text = (self.label_nl if lang == "nl" else "") or self.label_en
        if not text:
            return self.name.replace("_", " ")
        return text.format(name=self.part_label(lang) if part is None else part) if "{name" in text else text

    def short_label(self) -> str:
        """The terminal tables' label ("gender* masculine", "judge clarity"); the metric id by default."""
        return self.short.format(name=self.part) if self.short else self.name

    def column_label(self) -> str:
        """The run summary's column ("masc.", "j:clari"); the metric id by default."""
        return self.column.format(name=self.part) if self.column else self.name

    def help(self, lang: str = "en") -> str:
        return (self.help_nl if lang == "nl" else "") or self.help_en


def default_info(metric: str) -> MetricInfo:
    """What we assume of a metric no scorer declares: numeric, no direction, labelled by its id."""
    return MetricInfo(metric, name=metric)


# --- registration --------------------------------------------------------------------------------

Factory = Callable[[], "Scorer | list[Scorer]"]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ScorerEntry:
    """A spec entry ("length", "lint"): how to build its scorers and which metrics they produce."""

    name: str
    factory: Factory
    metrics: tuple[MetricInfo, ...]
    primary: tuple[str, ...]  # default primary metric candidates, first present wins


_SCORERS: dict[str, ScorerEntry] = {}
_METRICS: dict[str, MetricInfo] = {}  # pattern -> info (first declaration wins: "lint" reuses others')


def _add_metrics(owner: str, metrics: Iterable[MetricInfo]) -> tuple[MetricInfo, ...]:
    out = []
    for info in metrics:
        info = info if info.scorer else replace(info, scorer=owner)
        _METRICS.setdefault(info.pattern, info)
        out.append(_METRICS[info.pattern])
    _lookup.cache_clear()
    return tuple(out)


def scorer(name: str, *, metrics: Sequence[MetricInfo] = (), primary: Sequence[str] = ()) -> Callable[[F], F]:
    """Register the decorated class or factory (returning a scorer or a list of scorers) as the spec entry
    `name`, producing `metrics`. Used once per spec name, next to the scorer's code."""

    def register(factory: F) -> F:
        if name in _SCORERS and _SCORERS[name].factory is not factory:
            raise ValueError(f"two scorers register the name {name!r}")
        _SCORERS[name] = ScorerEntry(name, factory, _add_metrics(name, metrics), tuple(primary))
        return factory

    return register


def declare_metrics(owner: str, *metrics: MetricInfo) -> tuple[MetricInfo, ...]:
    """Declare metrics that no synchronous scorer produces (the LLM judge's `judge.*`)."""
    return _add_metrics(owner, metrics)


_loaded: list[str] = []


def _load() -> None:
    """Import the scorer modules once (they register themselves); modules added later load too."""
    for module in SCORER_MODULES:
        if module not in _loaded:
            import_module(module)
            _loaded.append(module)


def scorers() -> dict[str, ScorerEntry]:
    """Every registered spec entry, in the order of `SCORER_MODULES` (then registration order)."""
    _load()

    def position(entry: ScorerEntry) -> int:
        module = getattr(entry.factory, "__module__", "")
        return SCORER_MODULES.index(module) if module in SCORER_MODULES else len(SCORER_MODULES)

    return {entry.name: entry for entry in sorted(_SCORERS.values(), key=position)}


def scorer_names() -> tuple[str, ...]:
    return tuple(scorers())


def catalogue() -> tuple[MetricInfo, ...]:
    """Every declared metric (exact names and patterns), in the order of their scorers (`scorers()`, then
    metrics of other owners such as the judge), each scorer's in declaration order. Modules may be
    imported in any order, so the order never depends on which was imported first."""
    order = {name: i for i, name in enumerate(scorers())}
    return tuple(sorted(_METRICS.values(), key=lambda info: order.get(info.scorer, len(order))))


@lru_cache(maxsize=4096)
def _lookup(metric: str) -> MetricInfo:
    exact = _METRICS.get(metric)
    if exact is not None:
        return replace(exact, name=metric)
    best: tuple[int, MetricInfo, str] | None = None
    for info in _METRICS.values():
        part = info.match(metric)
        if part is not None and (best is None or len(info.pattern) > best[0]):
            best = (len(info.pattern), info, part)  # the most specific pattern wins
    if best is None:
        return default_info(metric)
    return replace(best[1], name=metric, part=best[2])


def metric_info(metric: str) -> MetricInfo:
    """Everything the workbench knows about the metric `metric` (a default for unknown metrics)."""
    _load()
    return _lookup(str(metric))


# --- shortcuts for the most common questions -----------------------------------------------------

def metric_kind(metric: str) -> Literal["numeric", "binary"]:
    """"binary" for pass/fail checks, lint flags and yes/no outcomes (values 0.0/1.0), else "numeric"."""
    return metric_info(metric).stats_kind


def metric_direction(metric: str) -> bool | None:
    """True = higher is better, False = lower is better, None = neutral / two-sided / unknown."""
    return metric_info(metric).higher_is_better


def is_text_metric(metric: str) -> bool:
    """True for metrics of the whole text (a text cut off at max_tokens distorts them); False for the
    decisions parsed from it (screening score, who was ranked first)."""
    return not metric_info(metric).outcome


def is_headline(metric: str) -> bool:
    """Shown first in verdict tables and on the Compare page."""
    return metric_info(metric).headline


def is_flag(metric: str) -> bool:
    """A wording lint's yes/no flag (its rate over outputs is shown with a CI)."""
    return metric_info(metric).flag


def is_filter_metric(metric: str) -> bool:
    """The lint metrics the Compare page filters outputs on (flags, masculine-coded counts)."""
    return metric_info(metric).filter


def is_judge_metric(metric: str) -> bool:
    return metric_info(metric).scorer == "judge"


def metric_mask(frame: pd.DataFrame, test: Callable[[str], bool]) -> pd.Series:
    """Rows of a long frame (column `metric`) whose metric passes `test`, asked once per distinct metric rather
    than once per row (a run's scores have a row per output and metric: 1.6 M for 100,000 outputs)."""
    column = frame["metric"]
    return column.isin([m for m in column.unique() if test(m)])


def outcome_prefixes() -> tuple[str, ...]:
    """Name prefixes of the outcome metrics (for selecting them in SQL)."""
    return tuple(dict.fromkeys(info.prefix for info in catalogue() if info.outcome))


def summary_metrics() -> tuple[str, ...]:
    """The exact metrics the run summary averages, in column order."""
    return tuple(info.pattern for info in catalogue() if info.summary and "*" not in info.pattern)


def summary_patterns() -> tuple[str, ...]:
    """Prefixes of metric families the run summary also averages ("judge.")."""
    return tuple(info.prefix for info in catalogue() if info.summary and "*" in info.pattern)
