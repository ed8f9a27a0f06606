"""Bias lints for recruitment texts. They flag wording for a human to review; they never reject.

Scorers and metrics (direction/kind in `registry.metric_direction` / `registry.metric_kind`):

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
            Score(f"{self.name}.flagged", 1.0 if counted else 0.0, detail, kind="binary"),
            Score(f"{self.name}.count", float(len(counted)), count_detail),
        ]


class AgeCodedScorer(RuleLintScorer):
    """Age-coded wording: age ranges/limits, "jong team", starters, maximum years of experience."""

    def __init__(self, flag_severity: str = "medium") -> None:
        super().__init__("age_coded", "age", flag_severity)


class ExclusionScorer(RuleLintScorer):
    """Exclusionary language/origin requirements ("moedertaal Nederlands", "native speaker")."""

    def __init__(self, flag_severity: str = "medium") -> None:
        super().__init__("exclusion", "language_origin", flag_severity)


class GenderedTitleScorer(RuleLintScorer):
    """Gendered job titles without a gender marker, "(m/v)" without x; pronouns only as low severity."""

    def __init__(self, flag_severity: str = "medium") -> None:
        super().__init__("gendered_title", "gendered_title", flag_severity)


def lint_scorers() -> list[GenderCodedScorer | RuleLintScorer]:
    """All bias lints (what the "lint" entry of an experiment spec expands to)."""
    return [GenderCodedScorer(), AgeCodedScorer(), ExclusionScorer(), GenderedTitleScorer()]
