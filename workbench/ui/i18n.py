"""UI strings in English and Dutch (recruiter-facing pages), and plain-language labels for results."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

LANG_KEY = "lang"
LANGUAGES = ("nl", "en")

STRINGS: dict[str, dict[str, str]] = {
    # navigation and sidebar
    "nav_section_results": {"en": "Results", "nl": "Resultaten"},
    "nav_section_build": {"en": "Build", "nl": "Opzetten"},
    "nav_overview": {"en": "Overview", "nl": "Overzicht"},
    "nav_compare": {"en": "Compare", "nl": "Vergelijken"},
    "nav_bias": {"en": "Bias", "nl": "Bias"},
    "nav_review": {"en": "Review", "nl": "Beoordelen"},
    "nav_prompts": {"en": "Prompts", "nl": "Prompts"},
    "nav_datasets": {"en": "Datasets", "nl": "Datasets"},
    "nav_run": {"en": "Run", "nl": "Uitvoeren"},
    "language": {"en": "Language", "nl": "Taal"},
    "run_picker": {"en": "Run", "nl": "Run"},
    "run_picker_help": {"en": "The run shown on Compare, Bias and Review.",
                        "nl": "De run die Vergelijken, Bias en Beoordelen tonen."},
    "database": {"en": "Database: `{url}`", "nl": "Database: `{url}`"},
    "db_error": {"en": "Cannot open the database: {error}", "nl": "De database kan niet worden geopend: {error}"},
    "no_runs_sidebar": {"en": "No runs yet.", "nl": "Nog geen runs."},
    "status_running": {"en": "running", "nl": "bezig"},
    "status_completed": {"en": "completed", "nl": "klaar"},
    "status_interrupted": {"en": "interrupted", "nl": "onderbroken"},
    "status_incomplete": {"en": "incomplete", "nl": "onvolledig"},
    "status_failed": {"en": "failed", "nl": "mislukt"},
    # shared
    "no_runs": {"en": "No runs yet — start one on the Run page.",
                "nl": "Nog geen runs — start er een op de pagina Uitvoeren."},
    "go_run": {"en": "Go to the Run page", "nl": "Naar Uitvoeren"},
    "no_outputs_yet": {"en": "This run has no outputs yet — it may still be starting, or start it on the Run page.",
                       "nl": "Deze run heeft nog geen uitkomsten — hij start misschien nog, of start hem op "
                             "Uitvoeren."},
    "run_caption": {"en": "Run #{run} · {experiment} · {status}", "nl": "Run #{run} · {experiment} · {status}"},
    "baseline_caption": {"en": " · baseline: {baseline}", "nl": " · basisvariant: {baseline}"},
    "simulated_banner": {
        "en": "SIMULATED — these outputs come from the offline simulated provider: synthetic texts for demos and "
              "calibration, not real model output.",
        "nl": "SIMULATED — deze teksten komen van de offline gesimuleerde provider: synthetische teksten voor "
              "demo's en kalibratie, geen echte modeluitvoer."},
    "of_planned": {"en": "of {total}", "nl": "van {total}"},
    "metric_runs": {"en": "Runs", "nl": "Runs"},
    "metric_outputs": {"en": "Outputs", "nl": "Uitkomsten"},
    "metric_running": {"en": "Running now", "nl": "Nu bezig"},
    "metric_cost": {"en": "Total cost", "nl": "Totale kosten"},
    "metric_errors": {"en": "Errors", "nl": "Fouten"},
    "metric_variants": {"en": "Variants", "nl": "Varianten"},
    "metric_models": {"en": "Models", "nl": "Modellen"},
    "metric_ratings": {"en": "Ratings", "nl": "Beoordelingen"},
    "col_run": {"en": "Run", "nl": "Run"},
    "col_experiment": {"en": "Experiment", "nl": "Experiment"},
    "col_status": {"en": "Status", "nl": "Status"},
    "col_progress": {"en": "Progress", "nl": "Voortgang"},
    "col_outputs": {"en": "Outputs", "nl": "Uitkomsten"},
    "col_errors": {"en": "Errors", "nl": "Fouten"},
    "col_cost": {"en": "Cost", "nl": "Kosten"},
    "col_started": {"en": "Started", "nl": "Gestart"},
    "col_model": {"en": "Model", "nl": "Model"},
    "col_metric": {"en": "Measure", "nl": "Maat"},
    "col_variant": {"en": "Variant", "nl": "Variant"},
    "col_baseline_mean": {"en": "Baseline mean", "nl": "Gem. basis"},
    "col_variant_mean": {"en": "Variant mean", "nl": "Gem. variant"},
    "col_difference": {"en": "Difference", "nl": "Verschil"},
    "col_ci": {"en": "95% CI", "nl": "95%-BI"},
    "col_p_adj": {"en": "Adj. p", "nl": "Gecorr. p"},
    "col_cases": {"en": "Cases×repeats", "nl": "Cases×herhalingen"},
    "col_verdict": {"en": "Verdict", "nl": "Oordeel"},
    "col_lint": {"en": "Check", "nl": "Controle"},
    "col_rate": {"en": "Share flagged", "nl": "Aandeel gemarkeerd"},
    "col_outcome": {"en": "Outcome", "nl": "Uitkomst"},
    "col_group": {"en": "Group", "nl": "Groep"},
    "col_reference": {"en": "Compared with", "nl": "Vergeleken met"},
    "col_impact_ratio": {"en": "Impact ratio (95% CI)", "nl": "Impact ratio (95%-BI)"},
    "col_flag": {"en": "Flag", "nl": "Signaal"},
    "col_explanation": {"en": "What this means", "nl": "Wat dit betekent"},
    "col_versus": {"en": "versus", "nl": "tegen"},
    "col_ratings": {"en": "Ratings", "nl": "Beoordelingen"},
    "col_wins": {"en": "Cases won / lost / tied", "nl": "Cases gewonnen / verloren / gelijk"},
    "col_win_rate": {"en": "Win rate", "nl": "Winstpercentage"},
    "baseline": {"en": "baseline", "nl": "basis"},
    "words": {"en": "words", "nl": "woorden"},
    "repeat": {"en": "Repeat", "nl": "Herhaling"},
    "case": {"en": "Test case", "nl": "Testcase"},
    "case_data": {"en": "Test case data", "nl": "Gegevens van de testcase"},
    "previous": {"en": "Previous", "nl": "Vorige"},
    "next": {"en": "Next", "nl": "Volgende"},
    "metric": {"en": "Measure", "nl": "Maat"},
    "technical_details": {"en": "Technical details", "nl": "Technische details"},
    # overview
    "overview_title": {"en": "Prompt Workbench", "nl": "Prompt Workbench"},
    "overview_intro": {"en": "A/B tests of recruitment prompts: which wording works best, with honest statistics "
                             "and bias flags.",
                       "nl": "A/B-tests van recruitmentprompts: welke formulering werkt het best, met eerlijke "
                             "statistiek en biassignalen."},
    "next_steps": {"en": "Where to next", "nl": "Verder naar"},
    "compare_blurb": {"en": "Verdicts per measure and the texts side by side.",
                      "nl": "Oordelen per maat en de teksten naast elkaar."},
    "bias_blurb": {"en": "Coded wording and the name-swap audit.",
                   "nl": "Gecodeerde woorden en de naamwissel-audit."},
    "review_blurb": {"en": "Rate texts blind: A, B or tie.", "nl": "Beoordeel teksten blind: A, B of gelijk."},
    # compare
    "compare_title": {"en": "Compare variants", "nl": "Varianten vergelijken"},
    "verdicts_title": {"en": "Verdicts", "nl": "Oordelen"},
    "verdicts_caption": {
        "en": "Each variant against the baseline {baseline}, per test case (repeats averaged); α = {alpha}, "
              "{correction}-corrected. Binary measures in percentage points.",
        "nl": "Elke variant tegen de basisvariant {baseline}, per testcase (herhalingen gemiddeld); α = {alpha}, "
              "{correction}-gecorrigeerd. Ja/nee-maten in procentpunten."},
    "verdicts_stale": {"en": "Computed on {n:,} of the {m:,} outputs stored now; newer verdicts are being computed "
                             "— reload the page in a moment.",
                       "nl": "Berekend op {n:,} van de {m:,} uitkomsten die er nu zijn; nieuwere oordelen worden "
                             "berekend — herlaad de pagina zo meteen."},
    "no_verdicts": {"en": "No comparisons: a single variant, or no scores yet.",
                    "nl": "Geen vergelijkingen: één variant, of nog geen scores."},
    "verdict_sentences": {"en": "Significant differences ({n})", "nl": "Significante verschillen ({n})"},
    "effect_chart_title": {"en": "Difference vs baseline with 95% CI", "nl": "Verschil met de basis, met 95%-BI"},
    "distribution_title": {"en": "Per-variant distribution", "nl": "Verdeling per variant"},
    "distribution_caption": {"en": "Dots: one per test case (repeats averaged). Diamond and bar: mean with 95% CI.",
                             "nl": "Punten: één per testcase (herhalingen gemiddeld). Ruit en balk: gemiddelde "
                                   "met 95%-BI."},
    "no_scores_metric": {"en": "No scores for this measure.", "nl": "Geen scores voor deze maat."},
    "side_by_side_title": {"en": "Outputs side by side", "nl": "Teksten naast elkaar"},
    "filter_model": {"en": "Model", "nl": "Model"},
    "filter_flag": {"en": "Only cases flagged for", "nl": "Alleen cases met signaal"},
    "flag_any": {"en": "— all cases —", "nl": "— alle cases —"},
    "filter_case": {"en": "Find case", "nl": "Zoek case"},
    "filter_case_placeholder": {"en": "case id contains…", "nl": "case-id bevat…"},
    "no_cases_match": {"en": "No test cases match these filters.", "nl": "Geen testcases voldoen aan deze filters."},
    "case_n": {"en": "Test case ({n} match)", "nl": "Testcase ({n} gevonden)"},
    "swap_name": {"en": "Candidate name", "nl": "Kandidaatnaam"},
    "no_outputs_case": {"en": "No outputs for this case with these filters.",
                        "nl": "Geen uitkomsten voor deze case met deze filters."},
    "analysis_pending": {"en": "Computing the verdicts for {n:,} outputs in the background — the page updates "
                               "itself when they are ready. Everything below already works.",
                         "nl": "De oordelen voor {n:,} uitkomsten worden op de achtergrond berekend — de pagina "
                               "ververst zichzelf zodra ze klaar zijn. Alles hieronder werkt al."},
    "flagname_gender_coded": {"en": "masculine-coded words", "nl": "mannelijk gecodeerde woorden"},
    "flagname_age_coded": {"en": "age-coded wording", "nl": "leeftijdsgecodeerde taal"},
    "flagname_exclusion": {"en": "exclusionary language demands", "nl": "uitsluitende taaleisen"},
    "flagname_gendered_title": {"en": "gendered job title", "nl": "gegenderde functietitel"},
    "legend_masc": {"en": "masculine-coded", "nl": "mannelijk gecodeerd"},
    "legend_fem": {"en": "feminine-coded", "nl": "vrouwelijk gecodeerd"},
    "legend_age": {"en": "age-coded", "nl": "leeftijd"},
    "legend_exclusion": {"en": "language/origin", "nl": "taal/afkomst"},
    "legend_gendered": {"en": "gendered title", "nl": "gegenderde titel"},
    "verdict_better": {"en": "better", "nl": "beter"},
    "verdict_worse": {"en": "worse", "nl": "slechter"},
    "verdict_higher": {"en": "higher", "nl": "hoger"},
    "verdict_lower": {"en": "lower", "nl": "lager"},
    "verdict_equal": {"en": "equal", "nl": "gelijk"},
    "verdict_ns": {"en": "no significant difference", "nl": "geen significant verschil"},
    "descriptive_only": {"en": "descriptive only (too few cases)", "nl": "alleen beschrijvend (te weinig cases)"},
    "significant": {"en": "significant", "nl": "significant"},
    "not_significant": {"en": "not significant", "nl": "niet significant"},
    # bias
    "bias_title": {"en": "Bias report", "nl": "Biasrapport"},
    "lint_title": {"en": "Coded wording", "nl": "Gecodeerde woorden"},
    "lint_caption": {"en": "Share of outputs in which each check found wording that can put groups off "
                           "(95% CI, test cases resampled). A flag is a reason to look, never to reject.",
                     "nl": "Aandeel teksten waarin een controle woorden vond die groepen kunnen afschrikken "
                           "(95%-BI, testcases herbemonsterd). Een signaal is een reden om te kijken, nooit om "
                           "af te wijzen."},
    "no_lints": {"en": "This run has no wording checks (add gender_coded, age_coded, exclusion or "
                       "gendered_title to the scorers).",
                 "nl": "Deze run heeft geen woordcontroles (voeg gender_coded, age_coded, exclusion of "
                       "gendered_title toe aan de scorers)."},
    "swap_title": {"en": "Name-swap audit", "nl": "Naamwissel-audit"},
    "swap_caption": {"en": "The same CV, screened once per candidate name. Impact ratio = selection rate of a group "
                           "÷ that of the most-selected group; below 0.8 fails the four-fifths rule.",
                     "nl": "Hetzelfde cv, één keer beoordeeld per kandidaatnaam. Impact ratio = selectiekans van "
                           "een groep ÷ die van de vaakst gekozen groep; onder 0,8 faalt de vier-vijfde-regel."},
    "no_swap": {"en": "This run has no name-swap audit. Add a `swap:` section to the experiment (see "
                      "experiments/screening_name_swap_nl.yaml).",
                "nl": "Deze run heeft geen naamwissel-audit. Voeg een `swap:`-sectie toe aan het experiment "
                      "(zie experiments/screening_name_swap_nl.yaml)."},
    "no_swap_results": {"en": "No name-swap results yet.", "nl": "Nog geen naamwisselresultaten."},
    "overall_flag": {"en": "Overall", "nl": "Totaal"},
    "overall_red": {"en": "at least one group of names is treated significantly worse (impact ratio below 0.8).",
                    "nl": "minstens één groep namen wordt significant slechter behandeld (impact ratio onder 0,8)."},
    "overall_orange": {"en": "warning signs that need a closer look or more test cases.",
                       "nl": "waarschuwingssignalen die nader onderzoek of meer testcases vragen."},
    "overall_green": {"en": "no material difference between the groups of names.",
                      "nl": "geen wezenlijk verschil tussen de groepen namen."},
    "overall_inconclusive": {"en": "no clear difference, but too little data to rule one out.",
                             "nl": "geen duidelijk verschil, maar te weinig gegevens om het uit te sluiten."},
    "col_selection": {"en": "Selected (group vs ref.)", "nl": "Gekozen (groep vs ref.)"},
    "flag_red": {"en": "red", "nl": "rood"},
    "flag_orange": {"en": "orange", "nl": "oranje"},
    "flag_green": {"en": "green", "nl": "groen"},
    "flag_inconclusive": {"en": "inconclusive", "nl": "onbeslist"},
    "impact_chart_title": {"en": "Impact ratio per group (dashed line: 0.8)",
                           "nl": "Impact ratio per groep (stippellijn: 0,8)"},
    "legal_label": {"en": "Indicative, not a legal audit.", "nl": "Indicatief, geen juridische audit."},
    "explain_red": {"en": "{group} are selected less often than {reference}: {rate} vs {ref_rate} (impact ratio "
                          "{ratio}, below 0.8). The difference is statistically significant: names from this "
                          "group are treated worse.",
                    "nl": "{group} worden minder vaak gekozen dan {reference}: {rate} tegen {ref_rate} (impact "
                          "ratio {ratio}, onder 0,8). Het verschil is statistisch significant: namen uit deze "
                          "groep worden slechter behandeld."},
    "explain_orange": {"en": "Warning sign for {group} vs {reference}: {rate} vs {ref_rate} (impact ratio {ratio}). "
                             "Either the ratio is below 0.8 without a significant difference, or there is a "
                             "significant difference above 0.8. Look closer{needed}.",
                       "nl": "Waarschuwing voor {group} tegen {reference}: {rate} tegen {ref_rate} (impact "
                             "ratio {ratio}). De ratio ligt onder 0,8 zonder significant verschil, of er is een "
                             "significant verschil boven 0,8. Kijk nader{needed}."},
    "explain_green": {"en": "No material difference between {group} and {reference}: {rate} vs {ref_rate} "
                            "(impact ratio {ratio}); equivalence within the margin is shown.",
                      "nl": "Geen wezenlijk verschil tussen {group} en {reference}: {rate} tegen {ref_rate} "
                            "(impact ratio {ratio}); gelijkwaardigheid binnen de marge is aangetoond."},
    "explain_inconclusive": {"en": "Not enough evidence either way for {group} vs {reference}: {rate} vs "
                                   "{ref_rate} (impact ratio {ratio}){needed}.",
                             "nl": "Nog te weinig bewijs voor {group} tegen {reference}: {rate} tegen "
                                   "{ref_rate} (impact ratio {ratio}){needed}."},
    "explain_needed": {"en": "; about {n:,} test cases would be needed to tell",
                       "nl": "; er zijn ongeveer {n:,} testcases nodig om het te weten"},
    # review
    "review_title": {"en": "Blind review", "nl": "Blind beoordelen"},
    "review_intro": {"en": "Two texts for the same test case, written with different prompts. Which is better? "
                           "The prompt names stay hidden and the order is random.",
                     "nl": "Twee teksten voor dezelfde testcase, geschreven met verschillende prompts. Welke is "
                           "beter? De promptnamen blijven verborgen en de volgorde is willekeurig."},
    "rater_name": {"en": "Your name", "nl": "Je naam"},
    "rater_placeholder": {"en": "e.g. Sanne", "nl": "bijv. Sanne"},
    "enter_name": {"en": "Enter your name to start rating.", "nl": "Vul je naam in om te beginnen."},
    "no_pairs": {"en": "Nothing to compare: this run needs at least two variants with outputs for the same cases.",
                 "nl": "Niets te vergelijken: deze run heeft minstens twee varianten met teksten voor dezelfde "
                       "cases nodig."},
    "rated_n_of_m": {"en": "Rated {n} of {m} pairs", "nl": "{n} van {m} paren beoordeeld"},
    "all_rated": {"en": "You rated every pair of this run — thank you!",
                  "nl": "Je hebt alle paren van deze run beoordeeld — dank je!"},
    "text_label": {"en": "Text {label}", "nl": "Tekst {label}"},
    "comment": {"en": "Comment (optional)", "nl": "Opmerking (optioneel)"},
    "comment_hint": {"en": "why? (saved with your rating)", "nl": "waarom? (wordt opgeslagen bij je oordeel)"},
    "left_better": {"en": "A is better", "nl": "A is beter"},
    "right_better": {"en": "B is better", "nl": "B is beter"},
    "tie": {"en": "Tie", "nl": "Gelijk"},
    "skip": {"en": "Next (skip)", "nl": "Volgende (overslaan)"},
    "shortcuts_help": {"en": "Keyboard: A = A is better · B = B is better · T = tie · N = next without rating "
                             "(not while typing a comment).",
                       "nl": "Toetsenbord: A = A is beter · B = B is beter · T = gelijk · N = volgende zonder "
                             "oordeel (niet tijdens het typen van een opmerking)."},
    "rating_saved": {"en": "Rating saved", "nl": "Oordeel opgeslagen"},
    "reveal_title": {"en": "Reveal the prompts of the pair you just rated (case {case})",
                     "nl": "Toon de prompts van het paar dat je net beoordeelde (case {case})"},
    "reveal_body": {"en": "A was **{left}**, B was **{right}**; you chose: {choice}.",
                    "nl": "A was **{left}**, B was **{right}**; jouw keuze: {choice}."},
    "choice_left": {"en": "A", "nl": "A"},
    "choice_right": {"en": "B", "nl": "B"},
    "choice_tie": {"en": "tie", "nl": "gelijk"},
    "preferences_title": {"en": "Preferences so far", "nl": "Voorkeuren tot nu toe"},
    "preferences_caption": {"en": "{n} ratings by all raters; sign test per pair at test-case level "
                                  "(Holm-corrected).",
                            "nl": "{n} beoordelingen van alle beoordelaars; tekentoets per paar op "
                                  "testcaseniveau (Holm-gecorrigeerd)."},
    "no_ratings_yet": {"en": "No ratings yet.", "nl": "Nog geen beoordelingen."},
    "bradley_terry": {"en": "Bradley–Terry strengths", "nl": "Bradley–Terry-sterktes"},
}

METRIC_LABELS: dict[str, dict[str, str]] = {
    "readability": {"en": "Readability", "nl": "Leesbaarheid"},
    "words": {"en": "Length (words)", "nl": "Lengte (woorden)"},
    "characters": {"en": "Length (characters)", "nl": "Lengte (tekens)"},
    "sentences": {"en": "Sentences", "nl": "Zinnen"},
    "masculine": {"en": "Masculine-coded words", "nl": "Mannelijk gecodeerde woorden"},
    "feminine": {"en": "Feminine-coded words", "nl": "Vrouwelijk gecodeerde woorden"},
    "gender_score": {"en": "Gender-coding balance", "nl": "Balans gendercodering"},
    "age_coded.flagged": {"en": "Age-coded wording", "nl": "Leeftijdsgecodeerde taal"},
    "exclusion.flagged": {"en": "Exclusionary language demands", "nl": "Uitsluitende taaleisen"},
    "gendered_title.flagged": {"en": "Gendered job title", "nl": "Gegenderde functietitel"},
    "screening.invite": {"en": "Invited (share)", "nl": "Uitgenodigd (aandeel)"},
    "screening.score": {"en": "Screening score", "nl": "Screeningsscore"},
    "check": {"en": "Check: {name}", "nl": "Controle: {name}"},
    "judge": {"en": "Judge: {name}", "nl": "Beoordelaar-model: {name}"},
}

GROUP_LABELS: dict[str, dict[str, str]] = {
    "dutch_origin": {"en": "Dutch-origin names", "nl": "Nederlandse namen"},
    "moroccan_dutch": {"en": "Moroccan-Dutch names", "nl": "Marokkaans-Nederlandse namen"},
    "turkish_dutch": {"en": "Turkish-Dutch names", "nl": "Turks-Nederlandse namen"},
}


def default_language() -> str:
    """$WORKBENCH_UI_LANG, else the browser's locale (Dutch for nl-*), else English."""
    env = (os.environ.get("WORKBENCH_UI_LANG") or "").lower()[:2]
    if env in LANGUAGES:
        return env
    try:
        locale = (st.context.locale or "").lower()
    except Exception:  # no browser context (bare mode)
        locale = ""
    return "nl" if locale.startswith("nl") else "en"


def lang() -> str:
    value = st.session_state.get(LANG_KEY)
    return value if value in LANGUAGES else "en"


def t(key: str, **values: Any) -> str:
    """The UI string `key` in the current language (English fallback), formatted with `values`."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang()) or entry["en"]
    return text.format(**values) if values else text


def _pick(entry: Mapping[str, str]) -> str:
    return entry.get(lang()) or entry["en"]


def metric_label(metric: str) -> str:
    """Plain-language name of a metric ("gender_coded_nl_provisional.masculine" -> "Masculine-coded words")."""
    if metric in METRIC_LABELS:
        return _pick(METRIC_LABELS[metric])
    if metric.startswith("gender_coded"):
        suffix = metric.rsplit(".", 1)[-1]
        key = {"masculine": "masculine", "feminine": "feminine", "score": "gender_score"}.get(suffix)
        if key:
            return _pick(METRIC_LABELS[key])
    for prefix in ("check", "judge"):
        if metric.startswith(prefix + "."):
            return _pick(METRIC_LABELS[prefix]).format(name=metric.split(".", 1)[1].replace("_", " "))
    return metric


def group_label(group: str) -> str:
    """Plural, so sentences read "Moroccan-Dutch names are ..." for every group."""
    if group in GROUP_LABELS:
        return _pick(GROUP_LABELS[group])
    plain = group.replace("_", " ").replace(".", " ")
    return f"{plain} {'namen' if lang() == 'nl' else 'names'}"


def verdict_label(row: Mapping[str, Any]) -> str:
    """better / worse / higher / lower when significant; otherwise "no significant difference"."""
    if row.get("descriptive_only"):
        return t("descriptive_only")
    if not row.get("significant"):
        return t("verdict_ns")
    return t(f"verdict_{row.get('direction', 'equal')}")


_NL_VERBS = {"better": "is beter dan", "worse": "is slechter dan", "higher": "scoort hoger dan",
             "lower": "scoort lager dan", "equal": "is gelijk aan"}


def verdict_sentence(verdict: Any) -> str:
    """A significant verdict in one sentence: the stats engine's own in English, a plain one in Dutch."""
    if lang() != "nl":
        return str(verdict.sentence())
    scale, unit = (100.0, "procentpunt") if verdict.kind == "binary" else (1.0, "punten")

    def fmt(value: float | None, signed: bool = False) -> str:
        if value is None:
            return "–"
        return (f"{value * scale:+.2f}" if signed else f"{value * scale:.2f}").replace(".", ",")

    good, bad = ("beter", "slechter") if verdict.higher_is_better is not None else ("hoger", "lager")
    p = verdict.p_adjusted
    p_text = "–" if p is None else ("< 0,0001" if p < 1e-4 else f"{p:.4f}".replace(".", ","))
    return (
        f"{verdict.variant} {_NL_VERBS.get(verdict.direction, 'verschilt van')} {verdict.baseline} op "
        f"{metric_label(verdict.metric).lower()}: {fmt(verdict.estimate, True)} {unit} (95%-BI "
        f"{fmt(verdict.ci_low)} tot {fmt(verdict.ci_high)}), gecorrigeerde p {p_text}; "
        f"{verdict.n_better} cases {good}, {verdict.n_worse} {bad}, {verdict.n_tied} gelijk "
        f"(n = {verdict.n_cases} cases × {verdict.n_repeats} herhalingen)."
    )


def _fmt_rate(value: Any) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{float(value):.0%}"


def bias_explanation(row: Mapping[str, Any]) -> str:
    """One plain sentence per name-swap comparison, in the UI language."""
    flag = str(row.get("flag", "inconclusive"))
    ratio = row.get("impact_ratio")
    needed = row.get("cases_needed")
    needed_text = ""
    if needed is not None and not (isinstance(needed, float) and math.isnan(needed)):
        needed_text = t("explain_needed", n=int(needed))
    is_score = row.get("outcome") == "score"
    return t(
        f"explain_{flag}" if f"explain_{flag}" in STRINGS else "explain_inconclusive",
        group=group_label(str(row.get("group", ""))),
        reference=group_label(str(row.get("reference", ""))),
        rate=_fmt_rate(row.get("rate")) + (" ≥ median" if is_score else ""),
        ref_rate=_fmt_rate(row.get("reference_rate")),
        ratio="–" if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)) else f"{float(ratio):.2f}",
        needed=needed_text,
    )
