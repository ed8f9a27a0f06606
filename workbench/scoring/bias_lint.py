"""Bias lints for recruitment texts. They flag wording for a human to review; they never reject.

Scorers and metrics (kind, direction and labels declared below, in `GENDER_METRICS` / `RULE_METRICS`):

- `GenderCodedScorer` ("gender_coded"): precise word-level matching (gender_coded.py).
  English (Gaucher et al. lists): `gender_coded.masculine`, `gender_coded.feminine` (counts of coded
  words) and `gender_coded.score` = (masculine - feminine) per 100 words, > 0 leans masculine. Its
  detail carries the decoder `verdict` ("strongly feminine-coded" ... "empty") and all matches.
  `GenderCodedScorer(mode="decoder_compat")` ("gender_coded_decoder_compat") reproduces the published
  gender decoder's stem matching for English, as `gender_decoder.*` (Dutch texts: the precise Dutch
  matcher, with a note, since the decoder has no Dutch list).
  Dutch: the same three metrics under `gender_coded_nl_provisional.*`; the list is PROVISIONAL
  (tier A sourced, tier B unvalidated): every detail has `"provisional": True`, the `.score`
  detail also the list's own status text and the tier A (sourced) counts.
- `AgeCodedScorer` ("age_coded"), `ExclusionScorer` ("exclusion": language/origin requirements),
  `GenderedTitleScorer` ("gendered_title": gendered titles, "(m/v)" without x, pronouns):
  `<name>.flagged` (binary: 1.0 = at least one match of severity >= `flag_severity`, default
  "medium") and `<name>.count` (such matches; overlapping matches count once). Low-severity matches
  (e.g. Dutch "zijn", which is mostly the verb) stay in the detail without raising the flag.

Every detail has `matches`: [{start, end, text, category, rule, severity}] with character offsets
into the original text (`text[start:end] == match["text"]`), ready for `highlight()`. With a
language other than "nl"/"en" both languages' rules run and the detail says so (`language_note`).
"""

from __future__ import annotations

from typing import Any

from workbench.scoring.base import Score, ScoringContext
from workbench.scoring.catalogue import MetricInfo, scorer
from workbench.scoring.gender_coded import GenderCodedResult, find_en, find_en_decoder, find_nl
from workbench.scoring.highlight import highlight
from workbench.scoring.lemmas import warm as warm_lemmas
from workbench.scoring.lexicons import SEVERITY_RANK, dutch_gender_provisional, gender_decoder_en
from workbench.scoring.matches import Match, clusters, max_severity, nfc_view, resolve_languages
from workbench.scoring.pattern_rules import find_rule_matches
from workbench.scoring.tokens import count_words

__all__ = [
    "AgeCodedScorer",
    "ExclusionScorer",
    "GenderCodedScorer",
    "GenderedTitleScorer",
    "Match",
    "RuleLintScorer",
    "highlight",
    "lint_scorers",
]

REVIEW_NOTE = "Heuristic flag for human review; never a reason to reject a text or a person automatically."


MODES = ("precise", "decoder_compat")

_MASCULINE_HELP = ("Words that research links to a masculine stereotype (e.g. 'competitive'); many of them put "
                   "women off applying.",
                   "Woorden die onderzoek koppelt aan een mannelijk stereotype (bijv. 'competitief'); veel daarvan "
                   "schrikken vrouwen af om te solliciteren.")
_FEMININE_HELP = ("Words that research links to a feminine stereotype (e.g. 'supportive').",
                  "Woorden die onderzoek koppelt aan een vrouwelijk stereotype (bijv. 'zorgzaam').")
_BALANCE_HELP = ("Balance of masculine- and feminine-coded words: 0 is balanced, above 0 leans masculine.",
                 "Balans tussen mannelijk en vrouwelijk gecodeerde woorden: 0 is in balans, boven 0 neigt naar "
                 "mannelijk.")


def _gender_metrics(prefix: str, short: str, shown: bool, legend: str = "") -> list[MetricInfo]:
    """`<prefix>.masculine|feminine|score`; `short` = the terminal label's stem ("" = the metric id)."""
    def tag(suffix: str) -> str:
        return f"{short} {suffix}" if short else ""

    return [
        MetricInfo(f"{prefix}.masculine", kind="count", direction="lower", label_en="Masculine-coded words",
                   label_nl="Mannelijk gecodeerde woorden", short=tag("masculine"), legend=legend, column="masc.",
                   unit="words", headline=shown, summary=shown, chart=shown, filter=shown, help_en=_MASCULINE_HELP[0],
                   help_nl=_MASCULINE_HELP[1]),
        MetricInfo(f"{prefix}.feminine", kind="count", label_en="Feminine-coded words",
                   label_nl="Vrouwelijk gecodeerde woorden", short=tag("feminine"), legend=legend, unit="words",
                   card=True,
                   help_en=_FEMININE_HELP[0], help_nl=_FEMININE_HELP[1]),
        MetricInfo(f"{prefix}.score", label_en="Gender-coding balance", label_nl="Balans gendercodering",
                   short=tag("score"), legend=legend, headline=shown, help_en=_BALANCE_HELP[0],
                   help_nl=_BALANCE_HELP[1]),
    ]


# Metric prefixes of the English, the (provisional) Dutch and the decoder-compatible gender-coded counts.
GENDER_PREFIXES = ("gender_coded", "gender_coded_nl_provisional", "gender_decoder")
# The Dutch list is provisional: its terminal label carries a "*", explained under the table.
GENDER_METRICS = [*_gender_metrics("gender_coded", "gender", True),
                  *_gender_metrics("gender_coded_nl_provisional", "gender*", True, "gender* = provisional Dutch list")]
DECODER_METRICS = _gender_metrics("gender_decoder", "", False)


@scorer("gender_coded", metrics=GENDER_METRICS,
        primary=("gender_coded.masculine", "gender_coded_nl_provisional.masculine"))
class GenderCodedScorer:
    """Gender-coded word counts; see the module docstring for metric names."""

    def __init__(self, mode: str = "precise") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self.name = "gender_coded" if mode == "precise" else "gender_coded_decoder_compat"

    def prepare(self) -> None:
        """Load the lemma data up front (the runner calls this before the first call, and before it
        forks worker processes, so scoring never stalls mid-run on the ~1 s load)."""
        warm_lemmas()

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        languages, note = resolve_languages(ctx.language)
        view, mapping = nfc_view(text)
        n_words = count_words(view)
        scores: list[Score] = []
        for lang in languages:
            # `label` goes on every score; the longer provenance only on `<prefix>.score`.
            label: dict[str, Any]
            provenance: dict[str, Any]
            if lang == "en":
                en = gender_decoder_en()
                provenance = {"source": en.source, "license": en.license}
                if self.mode == "decoder_compat":
                    result = find_en_decoder(view, mapping, text)
                    prefix = "gender_decoder"
                    label = {"lexicon": "gender_decoder_en", "mode": "decoder_compat"}
                else:
                    result = find_en(view, mapping, text)
                    prefix = "gender_coded"
                    label = {"lexicon": "coded_words_en", "mode": "precise"}
            else:
                result = find_nl(view, mapping, text)
                prefix = "gender_coded_nl_provisional"
                label = {"lexicon": "dutch_gender_coded_provisional", "provisional": True, "mode": "precise"}
                if self.mode == "decoder_compat":
                    label["mode_note"] = "decoder_compat has no Dutch list; Dutch uses precise matching"
                provenance = {
                    "status": dutch_gender_provisional().status,
                    "tier_a_counts": _tier_a_counts(result),
                    "verdict_basis": "gender-decoder thresholds applied to the provisional Dutch list",
                }
            if note:
                label["language_note"] = note
            scores += _gender_scores(prefix, result, n_words, label, provenance)
        return scores


def _tier_a_counts(result: GenderCodedResult) -> dict[str, int]:
    """Counts restricted to the sourced (tier A) Dutch words."""
    return {
        "masculine": sum(m.get("source") == "nl_tier_a" for m in result.masculine),
        "feminine": sum(m.get("source") == "nl_tier_a" for m in result.feminine),
    }


def _gender_scores(
    prefix: str, result: GenderCodedResult, n_words: int, label: dict[str, Any], provenance: dict[str, Any]
) -> list[Score]:
    masculine, feminine = float(len(result.masculine)), float(len(result.feminine))
    verdict = result.verdict
    per_100 = 100.0 * (masculine - feminine) / n_words if n_words else 0.0
    score_detail = {
        **label,
        **provenance,
        "verdict": verdict,
        "matches": sorted(result.masculine + result.feminine, key=lambda m: m["start"]),
        "excluded": result.excluded,
        "words": n_words,
        "definition": "(masculine - feminine) coded words per 100 words; > 0 leans masculine",
    }
    # The spans live once, on `.score`: stored per output, a copy on every metric would triple the size.
    return [
        Score(f"{prefix}.masculine", masculine, {**label, "verdict": verdict}),
        Score(f"{prefix}.feminine", feminine, {**label, "verdict": verdict}),
        Score(f"{prefix}.score", per_100, score_detail),
    ]


def counted_clusters(matches: list[Match], flag_severity: str) -> list[list[Match]]:
    """Groups of overlapping matches that raise the flag (highest severity >= `flag_severity`)."""
    threshold = SEVERITY_RANK[flag_severity]
    return [g for g in clusters(matches) if SEVERITY_RANK[max_severity(g) or "low"] >= threshold]


class RuleLintScorer:
    """Regex-rule lint producing `<name>.flagged` (binary) and `<name>.count`."""

    def __init__(self, name: str, category: str, flag_severity: str = "medium") -> None:
        if flag_severity not in SEVERITY_RANK:
            raise ValueError(f"flag_severity must be one of {sorted(SEVERITY_RANK)}, not {flag_severity!r}")
        self.name = name
        self.category = category
        self.flag_severity = flag_severity

    def score(self, text: str, ctx: ScoringContext) -> list[Score]:
        languages, note = resolve_languages(ctx.language)
        view, mapping = nfc_view(text)
        result = find_rule_matches(view, self.category, languages, mapping, text)
        counted = counted_clusters(result.matches, self.flag_severity)
        top = max_severity(m for group in counted for m in group)
        verdict = f"flagged ({top} severity)" if counted else "not flagged"
        detail: dict[str, Any] = {
            "verdict": verdict,
            "matches": result.matches,
            "flag_severity": self.flag_severity,
            "max_severity": max_severity(result.matches),
            "note": REVIEW_NOTE,
        }
        if result.suppressed:
            detail["suppressed"] = result.suppressed
        if note:
            detail["language_note"] = note
        count_detail = {"verdict": verdict, "flag_severity": self.flag_severity, "counted": len(counted)}
        return [
            Score(f"{self.name}.flagged", 1.0 if counted else 0.0, detail),
            Score(f"{self.name}.count", float(len(counted)), count_detail),
        ]


def _rule_metrics(name: str, label: tuple[str, str], count: tuple[str, str], short: str, column: str,
                  help_: tuple[str, str]) -> list[MetricInfo]:
    """`<name>.flagged` (yes/no, a lint flag) and `<name>.count` of one rule lint; lower is better."""
    return [
        MetricInfo(f"{name}.flagged", kind="binary", direction="lower", label_en=label[0], label_nl=label[1],
                   short=short, column=column, headline=True, flag=True, filter=True, summary=bool(column),
                   help_en=help_[0], help_nl=help_[1]),
        MetricInfo(f"{name}.count", kind="count", direction="lower", label_en=count[0], label_nl=count[1]),
    ]


AGE_METRICS = _rule_metrics(
    "age_coded", ("Age-coded wording", "Leeftijdsgecodeerde taal"),
    ("Age-coded words (count)", "Leeftijdsgecodeerde woorden (aantal)"), "age-coded", "age%",
    ("Yes when the text uses wording that puts older or younger people off (e.g. 'young team').",
     "Ja als de tekst woorden gebruikt die ouderen of jongeren afschrikken (bijv. 'jong team')."))
EXCLUSION_METRICS = _rule_metrics(
    "exclusion", ("Exclusionary language demands", "Uitsluitende taaleisen"),
    ("Exclusionary language demands (count)", "Uitsluitende taaleisen (aantal)"), "exclusionary", "excl%",
    ("Yes when the text demands more language or origin than the job needs (e.g. 'native speaker').",
     "Ja als de tekst meer taal of afkomst eist dan het werk vraagt (bijv. 'moedertaalspreker')."))
TITLE_METRICS = _rule_metrics(
    "gendered_title", ("Gendered job title", "Gegenderde functietitel"),
    ("Gendered job titles (count)", "Gegenderde functietitels (aantal)"), "gendered title", "",
    ("Yes when the job title names one gender (e.g. 'salesman').",
     "Ja als de functietitel één gender noemt (bijv. 'verkoopster')."))


@scorer("age_coded", metrics=AGE_METRICS, primary=("age_coded.flagged",))
class AgeCodedScorer(RuleLintScorer):
    """Age-coded wording: age ranges/limits, "jong team", starters, maximum years of experience."""

    def __init__(self, flag_severity: str = "medium") -> None:
        super().__init__("age_coded", "age", flag_severity)


@scorer("exclusion", metrics=EXCLUSION_METRICS, primary=("exclusion.flagged",))
class ExclusionScorer(RuleLintScorer):
    """Exclusionary language/origin requirements ("moedertaal Nederlands", "native speaker")."""

    def __init__(self, flag_severity: str = "medium") -> None:
        super().__init__("exclusion", "language_origin", flag_severity)


@scorer("gendered_title", metrics=TITLE_METRICS, primary=("gendered_title.flagged",))
class GenderedTitleScorer(RuleLintScorer):
    """Gendered job titles without a gender marker, "(m/v)" without x; pronouns only as low severity."""

    def __init__(self, flag_severity: str = "medium") -> None:
        super().__init__("gendered_title", "gendered_title", flag_severity)


scorer("gender_coded_decoder_compat", metrics=DECODER_METRICS, primary=("gender_decoder.masculine",))(
    lambda: GenderCodedScorer(mode="decoder_compat"))


@scorer("lint", metrics=[*GENDER_METRICS, *AGE_METRICS, *EXCLUSION_METRICS, *TITLE_METRICS],
        primary=("gender_coded.masculine", "gender_coded_nl_provisional.masculine", "age_coded.flagged"))
def lint_scorers() -> list[GenderCodedScorer | RuleLintScorer]:
    """All bias lints (what the "lint" entry of an experiment spec expands to)."""
    return [GenderCodedScorer(), AgeCodedScorer(), ExclusionScorer(), GenderedTitleScorer()]
