"""UI strings in English and Dutch (every page), and plain-language labels for results."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

from workbench import number_format as nf
from workbench.number_format import localised_values
from workbench.scoring.catalogue import is_judge_metric, metric_info
from workbench.scoring.judge import JudgeProvenance
from workbench.ui.strings_build import BUILD_STRINGS
from workbench.ui.strings_results import RESULT_STRINGS

LANG_KEY = "lang"
LANGUAGES = ("nl", "en")

STRINGS: dict[str, dict[str, str]] = {
    # Prompt versions (Compare)
    "versions_title": {"en": "Prompt versions: a variant changed since an earlier run",
                       "nl": "Promptversies: een variant is gewijzigd sinds een eerdere run"},
    "versions_title_unchanged": {"en": "Prompt versions: every variant is at its first version",
                                 "nl": "Promptversies: elke variant is nog in de eerste versie"},
    "col_version": {"en": "Version", "nl": "Versie"},
    "col_stored": {"en": "Stored", "nl": "Opgeslagen"},
    "col_hash": {"en": "Content hash", "nl": "Inhoudshash"},
    "col_changed_since": {"en": "Changed since", "nl": "Gewijzigd sinds"},
    "versions_first": {"en": "first version", "nl": "eerste versie"},
    "versions_since": {"en": "version {n}", "nl": "versie {n}"},
    "versions_diff": {"en": "{variant}: changes from version {old} to version {new}",
                      "nl": "{variant}: wijzigingen van versie {old} naar versie {new}"},
    # navigation and sidebar
    "nav_section_results": {"en": "Results", "nl": "Resultaten"},
    "nav_section_build": {"en": "Build", "nl": "Opzetten"},
    "history_title": {"en": "History", "nl": "Geschiedenis"},
    "history_intro": {"en": "One measure over every run of this experiment: the mean over test cases with its 95% "
                               "confidence interval, per run and variant. A changed prompt is marked in the table.",
                      "nl": "Eén maat over alle runs van dit experiment: het gemiddelde over de testcases met het "
                            "95%-betrouwbaarheidsinterval, per run en variant. Een gewijzigde prompt staat gemarkeerd "
                            "in de tabel."},
    "history_empty": {"en": "No scores in the runs of this experiment yet.",
                      "nl": "Nog geen scores in de runs van dit experiment."},
    "history_one_run": {"en": "This experiment has one run so far; run it again to see a trend.",
                        "nl": "Dit experiment heeft nog maar één run; voer het opnieuw uit om een verloop te zien."},
    "history_metric": {"en": "Measure", "nl": "Maat"},
    "history_col_model": {"en": "Model", "nl": "Model"},
    "history_col_mean": {"en": "Mean", "nl": "Gemiddelde"},
    "history_col_ci": {"en": "95% CI", "nl": "95%-BI"},
    "history_col_cases": {"en": "Cases", "nl": "Cases"},
    "history_col_prompt": {"en": "Prompt (content hash)", "nl": "Prompt (inhoudshash)"},
    "history_changed": {"en": "changed", "nl": "gewijzigd"},
    "history_caption": {"en": "To test whether a change between two runs is real, use `workbench compare RUN_A "
                                 "RUN_B` (paired by variant, case and model).",
                        "nl": "Of een verschil tussen twee runs echt is, toetst `workbench compare RUN_A RUN_B` "
                              "(gepaard per variant, case en model)."},
    "agreement_title": {"en": "Is the judge trustworthy?", "nl": "Is de LLM-beoordelaar betrouwbaar?"},
    "agreement_none": {"en": "No LLM-judge verdicts for the rated pairs: add a `judge:` rubric to the spec to compare "
                                "the judge with your ratings.",
                       "nl": "Geen oordelen van de LLM-beoordelaar voor de beoordeelde paren: voeg een "
                             "`judge:`-rubriek toe aan de spec om de beoordelaar met uw beoordelingen te vergelijken."},
    "agreement_caption": {"en": "Cohen's κ (linear weights) between the judge and each recruiter rating, and between "
                                "two recruiters who rated the same pair; 95% bootstrap intervals over pairs.",
                          "nl": "Cohens κ (lineaire gewichten) tussen de beoordelaar en elke beoordeling van een "
                                "recruiter, en tussen twee recruiters die hetzelfde paar beoordeelden; 95%-bootstrap-"
                                "intervallen over paren."},
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
    "status_stale": {"en": "stale (process stopped)", "nl": "vastgelopen (proces gestopt)"},
    # sign-in and roles (workbench.ui.access)
    "auth_login_title": {"en": "Sign in to Prompt Workbench", "nl": "Inloggen bij Prompt Workbench"},
    "auth_login_body": {"en": "This workbench holds candidate data. Sign in with your work account to continue.",
                        "nl": "Deze workbench bevat kandidaatgegevens. Log in met je werkaccount om verder te gaan."},
    "auth_login_button": {"en": "Sign in", "nl": "Inloggen"},
    "auth_logout": {"en": "Sign out", "nl": "Uitloggen"},
    "auth_no_role": {"en": "Your account {name} has no access to this workbench. Ask its administrator to add "
                           "you to the roles file.",
                     "nl": "Je account {name} heeft geen toegang tot deze workbench. Vraag de beheerder om je "
                           "toe te voegen aan het rollenbestand."},
    "auth_no_proxy_user": {"en": "No signed-in user was passed on by the login proxy (header {header}). Open the "
                                 "workbench through your organisation's login page.",
                           "nl": "De inlogproxy gaf geen ingelogde gebruiker door (header {header}). Open de "
                                 "workbench via de inlogpagina van je organisatie."},
    "auth_signed_in": {"en": "Signed in as **{name}** · {role}", "nl": "Ingelogd als **{name}** · {role}"},
    "auth_local_user": {"en": "Local use: **{name}** (no sign-in)", "nl": "Lokaal gebruik: **{name}** (zonder login)"},
    "role_viewer": {"en": "viewer", "nl": "kijker"},
    "role_rater": {"en": "rater", "nl": "beoordelaar"},
    "role_runner": {"en": "runner", "nl": "uitvoerder"},
    "auth_needs_role": {"en": "Your role ({role}) may not do this: it needs the {needed} role.",
                        "nl": "Met je rol ({role}) mag je dit niet: daarvoor is de rol {needed} nodig."},
    "run_failed_status": {"en": "{run} failed: {reason}. What was stored before the failure is kept; fix the "
                                "cause and resume.",
                          "nl": "{run} is mislukt: {reason}. Wat vóór de fout is opgeslagen blijft bewaard; los de "
                                "oorzaak op en hervat."},
    "col_spent": {"en": "Spent", "nl": "Uitgegeven"},
    "col_started_by": {"en": "Started by", "nl": "Gestart door"},
    "col_cost_help": {"en": "What the kept results cost (one call per result).",
                      "nl": "Wat de bewaarde resultaten kostten (één aanroep per resultaat)."},
    "col_spent_help": {"en": "Every call paid for, including calls made again after a crash or interruption.",
                       "nl": "Alle betaalde aanroepen, ook aanroepen die na een crash of onderbreking opnieuw "
                             "zijn gedaan."},
    "stale_hint": {"en": "Run #{run} stopped without finishing (its process is gone). Continue it on the Run page "
                         "or with `workbench run {spec} --resume`.",
                   "nl": "Run #{run} is gestopt zonder af te ronden (het proces bestaat niet meer). Ga verder op "
                         "de pagina Uitvoeren of met `workbench run {spec} --resume`."},
    "auth_rating_as": {"en": "You rate as **{name}**.", "nl": "Je beoordeelt als **{name}**."},
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
    "simulated_judge_banner": {
        "en": "SIMULATED judge — the judge scores in this run come from the offline simulated judge "
              "({model}), not from a language model.",
        "nl": "SIMULATED beoordelaar-model — de scores van het beoordelaar-model in deze run komen van de "
              "offline gesimuleerde beoordelaar ({model}), niet van een taalmodel."},
    "judge_simulated_short": {"en": "SIMULATED", "nl": "SIMULATED"},
    "judged_by": {"en": "Judge scores: judged by {model}.", "nl": "Scores van het beoordelaar-model: "
                  "beoordeeld door {model}."},
    "truncated_excluded": {
        "en": "{count} of {outputs} outputs{where} were cut off at max_tokens — raise max_tokens; they are left out of "
              "the text metrics (truncated_outputs: include keeps them).",
        "nl": "{count} van de {outputs} uitkomsten{where} zijn afgekapt bij max_tokens — verhoog max_tokens; ze tellen "
              "niet mee in de tekstmetingen (truncated_outputs: include houdt ze erin)."},
    "truncated_included": {
        "en": "{count} of {outputs} outputs{where} were cut off at max_tokens — raise max_tokens; they are scored as "
              "they are (truncated_outputs: include).",
        "nl": "{count} van de {outputs} uitkomsten{where} zijn afgekapt bij max_tokens — verhoog max_tokens; ze worden "
              "gescoord zoals ze zijn (truncated_outputs: include)."},
    "cut_off": {"en": "cut off at max_tokens", "nl": "afgekapt bij max_tokens"},
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
    "col_ci": {"en": "95% CI", "nl": "95%-BI"},
    "col_p_adj": {"en": "Adj. p", "nl": "Gecorr. p"},
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
        "en": "Each variant against the baseline {baseline}, per test case (repeats averaged); α = {alpha}. "
              "Primary measures: {correction}-corrected over every primary comparison of the run; the others are "
              "exploratory (Benjamini–Hochberg). Binary measures in percentage points.",
        "nl": "Elke variant tegen de basisvariant {baseline}, per testcase (herhalingen gemiddeld); α = {alpha}. "
              "Primaire maten: {correction}-gecorrigeerd over alle primaire vergelijkingen van de run; de andere "
              "zijn verkennend (Benjamini–Hochberg). Ja/nee-maten in procentpunten."},
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
    "analysis_outdated": {"en": "These verdicts were computed before the latest ratings, dismissed flags or "
                                "results; the updated verdicts are being computed and replace them here when ready.",
                          "nl": "Deze oordelen zijn berekend vóór de laatste beoordelingen, weggeklikte markeringen "
                                "of resultaten; de bijgewerkte oordelen worden berekend en verschijnen hier zodra "
                                "ze klaar zijn."},
    "analysis_pending": {"en": "Computing the verdicts for {n:,} outputs in the background — the page updates "
                               "itself when they are ready. Everything below already works.",
                         "nl": "De oordelen voor {n:,} uitkomsten worden op de achtergrond berekend — de pagina "
                               "ververst zichzelf zodra ze klaar zijn. Alles hieronder werkt al."},
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
    "verdict_harm": {"en": "unclear: could be up to {bound} worse", "nl": "onduidelijk: mogelijk tot {bound} slechter"},
    "verdict_equivalent": {"en": "equivalent (within ±{margin})", "nl": "gelijkwaardig (binnen ±{margin})"},
    "verdict_non_inferior": {"en": "not worse by more than {margin}", "nl": "niet meer dan {margin} slechter"},
    "verdict_exploratory": {"en": "{verdict} (exploratory)", "nl": "{verdict} (verkennend)"},
    "col_family": {"en": "Family", "nl": "Familie"},
    "family_primary": {"en": "primary", "nl": "primair"},
    "family_secondary": {"en": "exploratory", "nl": "verkennend"},
    "family_supplementary": {"en": "exploratory (extra)", "nl": "verkennend (extra)"},
    "stats_help_title": {"en": "How the statistics decide", "nl": "Hoe de statistiek beslist"},
    # The English body is README.md's section "How the statistics decide" (a test keeps them equal).
    "stats_help_body": {
        "en": (
            '**The unit is the test case.** Repeats of one prompt on one case are averaged first: '
            "they only average out the model's own randomness and never count as extra evidence. "
            'Each variant is compared with the baseline on the per-case differences: the mean '
            'difference with its 95% confidence interval, a paired permutation p-value, effect '
            'sizes and how many cases got better, worse or stayed equal. Cases that belong '
            'together (a `cluster` column, e.g. vacancies of one employer) are treated as one unit '
            'of evidence per cluster.\n\n'
            '**Which p-values are corrected together.** You name the measures that decide in the '
            "spec (`primary:`; default: the first judge rubric, else the first scorer's main "
            'measure). Every primary comparison of the run (each primary measure × each variant '
            'against the baseline × each model) is one family, corrected with Holm: in a run where '
            'no prompt makes any difference, the chance of reading *any* primary "better" or '
            '"worse" is at most 5%, however many measures, variants and models you add. Every '
            'other measure is exploratory (secondary, Benjamini–Hochberg) and is labelled so '
            'wherever a p-value appears: the family column of the tables, `family` in `workbench '
            'export --verdicts`, the separate "exploratory" part of the decision summary. '
            '`correction:` and `family:` can be changed in the spec.\n\n'
            '**What a verdict says.** "Better" or "worse" only when significant after the '
            'correction. "Equivalent" or "not worse by more than M" only when you declared a '
            'margin (`non_inferiority: {measure: margin}`) and the tests against it pass. '
            '"Inconclusive: could be up to X worse" when nothing is significant but the confidence '
            'interval still reaches a harm larger than the smallest difference the run could '
            'detect (or than the margin). Otherwise "no significant difference", always with that '
            'smallest detectable difference, computed for the level the comparison is really '
            'tested at (α divided by the family size) and, with clusters, for the number of '
            'clusters. The decision summary at the top of the run summary, the report and the '
            'Compare page puts this together per variant: adopt, do not adopt, promising but not '
            'yet safe, or no decision yet.\n\n'
            '**Name-swap audits.** Each CV is screened once per candidate name. Single names '
            'differ from each other even when no group is favoured, so a group difference is '
            'judged against how much the names within a group differ, not only against the noise '
            'between outputs: every name gets a case-adjusted level and the groups are compared on '
            'those levels (names as a random factor), corrected with Holm over every group '
            'comparison of the audit. Each group is compared with the reference group you declare '
            '(`swap.reference`; default: the first group listed). Red: significant after '
            'correction and the impact ratio of the group that is worse off is below 0.8 (the '
            'four-fifths rule). Orange: significant after correction, but the ratio stays within '
            "0.8–1.25. Green: the impact ratio's confidence interval lies entirely within "
            '0.8–1.25. Otherwise inconclusive, with the number of test cases or names that would '
            'be needed. The overall flag is the worst of these and names the prompt and the group '
            'it comes from. Audits are indicative, not a legal audit.\n\n'
            '**How many names.** With three names per group a group effect can hardly be told '
            'apart from the quirks of those three names, and more test cases do not fix that. On '
            'the 1-10 screening score, with names that differ by 0.3 points and two repeats, '
            'finding a 0.5-point group difference with 80% chance needs about 10 names per group '
            'and 40 test cases; with 3 names per group no number of cases gets there. Use at least '
            '5, preferably 8–10 names per group; `workbench power --swap` works it out for your '
            'own numbers.\n\n'
            '**Measured error rates** (simulated runs with no real difference, 400 per figure, 95% '
            'intervals):\n\n'
            '| what you read | measured | limit |\n'
            '|---|---|---|\n'
            '| any primary "better/worse" in a run with identical prompts (real simulated '
            'provider, 4 primary and 3 exploratory measures, 20 cases × 2 repeats) | 2.8% '
            '(1.5–4.9%) | 5% |\n'
            '| any claim in its decision summary, exploratory findings included | 4.8% (3.1–7.3%) '
            '| — |\n'
            '| 4 variants × 5 primary measures, anything significant | 3.0% (1.7–5.2%); earlier '
            'per-measure correction: 19.2% | 5% |\n'
            '| the same runs: the report\'s "N variants differ on …" (one overall test per measure) | '
            '2.8% (1.5–4.9%); each at 5% as before: 20.8%; a verdict or a "differ", either: 4.8% | 5% |\n'
            '| 5 highly correlated repeats per case | 5.5% (3.7–8.2%); counting repeats as cases: '
            '38.8% | 5% |\n'
            '| name-swap audit, names differing by 0.3 points, no group effect: red | 2.0–3.5% (3 '
            'or 6 names, 20 or 60 cases, 1 or 2 repeats) | 5% |\n'
            '| the same: red or orange | 2.5–4.0% | 10% |\n'
            '| ranking audit (3 candidates per prompt, one name per group), no group effect: red — the names '
            'of one name set are ranked against each other, so they are compared within their set | 3.2–6.0% '
            '(3 or 6 names, 12 or 36 shortlists); as independent names before: 10.2–13.5% | 5% |\n'
            '| name-swap audit of 3 prompts at once, no group effect: "group membership changes decisions" '
            '(counterfactual flips) for any prompt | 4.5% (2.9–7.0%); each at 5% as before: 13.5% | 5% |\n'
            '| name-swap audit, a group invited at exactly 0.8 times the reference rate (the four-fifths '
            'line): green "no material bias" for it | 0.2–0.8% (3, 6 or 10 names, 20–120 cases); the '
            'whole audit green: 0.0% | 2.5% |\n'
            '| "not worse than the margin" when the variant is exactly the margin worse | 5.2% '
            '(3.5–7.9%) | 5% |\n'
            '| the same on a yes/no flag (30% vs 40%, margin 10 points, 1 repeat): what `workbench gate` '
            'passes on | 5.3% and 5.9% (30 and 60 cases; 1,000 runs each) | 5% |\n'
            '| the same with 12 clusters of 5 similar cases | 4.7% (3.6–6.2%; 1,000 runs) | 5% |\n'
            '| blind review, no prompt favoured, texts of unequal quality, every rater sees a pair the '
            'same way round: "preferred … significant" | 3.0–4.0% (1, 3 or 5 raters per pair); baseline vs 2 '
            'candidates: 2.2% | 5% |\n'
            '| the same, no side favoured: "position bias" (tested over the pairs shown) | 3.2–4.2%; tested '
            'over ratings as before: 12.0% (3 raters), 22.0% (5 raters) | 5% |\n'
            '| the same, one recruiter showing the results after every 10 of 40 pairs and stopping at the '
            'first "significant" (the Blind review page calls such a look interim) | 5.8% (3.9–8.5%); looking once, '
            'at the end: 3.2% | 5% |\n'
            '| pairwise LLM judge asked both ways round, no prompt or side favoured: "preferred … '
            'significant"; "position bias" | 5.0% (3.3–7.6%); 1.5% (0.7–3.2%) | 5% |\n'
            '| a wording lint\'s flag rate per variant: its 95% interval misses the true rate (cases flagged '
            'at different rates, repeats of a case alike) | 3.7–5.3% (10–40 cases, 1–3 repeats; 1,000 runs '
            'each) | 5% |\n'
            '| planted effects detected vs predicted power: Holm family of 4; 10 clusters; '
            'name-swap group effect | 70.0% vs 71.8%; 60.8% vs 62.0%; 60.0% vs 61.0% | within 5 '
            'points |'
        ),
        "nl": (
            '**De eenheid is de testcase.** Herhalingen van één prompt op één case worden eerst '
            'gemiddeld: ze middelen alleen de eigen willekeur van het model uit en tellen nooit '
            'als extra bewijs. Elke variant wordt met de basisvariant vergeleken op de verschillen '
            'per case: het gemiddelde verschil met zijn 95%-betrouwbaarheidsinterval, een gepaarde '
            'permutatie-p-waarde, effectgroottes en hoeveel cases beter, slechter of gelijk '
            'uitvielen. Cases die bij elkaar horen (een kolom `cluster`, bijvoorbeeld vacatures '
            'van één werkgever) tellen per cluster als één eenheid van bewijs.\n\n'
            '**Welke p-waarden samen worden gecorrigeerd.** In het experiment noem je de maten die '
            'beslissen (`primary:`; standaard de eerste beoordelaarsrubriek, anders de hoofdmaat '
            'van de eerste scorer). Alle primaire vergelijkingen van de run (elke primaire maat × '
            'elke variant tegen de basis × elk model) vormen één familie, gecorrigeerd met Holm: '
            'in een run waarin geen enkele prompt verschil maakt, is de kans dat je *ergens* een '
            'primair "beter" of "slechter" leest hooguit 5%, hoeveel maten, varianten en modellen '
            'je ook toevoegt. Alle andere maten zijn verkennend (secundair, Benjamini–Hochberg) en '
            'staan overal zo gelabeld waar een p-waarde verschijnt: de kolom familie in de '
            'tabellen, `family` in `workbench export --verdicts`, het aparte verkennende deel van '
            'de besluitsamenvatting. `correction:` en `family:` zijn in het experiment aan te '
            'passen.\n\n'
            '**Wat een oordeel zegt.** "Beter" of "slechter" alleen als het na correctie '
            'significant is. "Gelijkwaardig" of "niet meer dan M slechter" alleen als je een marge '
            'hebt opgegeven (`non_inferiority: {maat: marge}`) en de toetsen daartegen slagen. '
            '"Onduidelijk: mogelijk tot X slechter" als niets significant is, maar het '
            'betrouwbaarheidsinterval nog een nadeel bereikt dat groter is dan het kleinste '
            'verschil dat de run kon aantonen (of dan de marge). Anders "geen significant '
            'verschil", altijd met dat kleinste aantoonbare verschil, berekend voor het niveau '
            'waarop de vergelijking echt wordt getoetst (α gedeeld door de grootte van de familie) '
            'en, bij clusters, voor het aantal clusters. De besluitsamenvatting bovenaan de '
            'runsamenvatting, het rapport en de pagina Vergelijken zet dit per variant op een rij: '
            'overnemen, niet overnemen, veelbelovend maar nog niet veilig, of nog geen besluit.\n\n'
            '**Naamwissel-audits.** Elk cv wordt één keer per kandidaatnaam beoordeeld. Losse '
            'namen verschillen onderling, ook als geen enkele groep wordt voorgetrokken. Daarom '
            'wordt een groepsverschil afgezet tegen hoeveel de namen binnen een groep verschillen, '
            'niet alleen tegen de ruis tussen uitkomsten: elke naam krijgt een niveau gecorrigeerd '
            'voor de case, en de groepen worden op die niveaus vergeleken (namen als '
            'toevalsfactor), met Holm-correctie over alle groepsvergelijkingen van de audit. Elke '
            'groep wordt vergeleken met de referentiegroep die je opgeeft (`swap.reference`; '
            'standaard de eerste groep in de lijst). Rood: significant na correctie en de impact '
            'ratio van de groep die slechter af is, ligt onder 0,8 (de vier-vijfde-regel). Oranje: '
            'significant na correctie, maar de ratio blijft binnen 0,8–1,25. Groen: het '
            'betrouwbaarheidsinterval van de impact ratio ligt helemaal binnen 0,8–1,25. Anders '
            'onbeslist, met het aantal testcases of namen dat nodig zou zijn. Het totaalsignaal is '
            'het ernstigste hiervan en noemt de prompt en de groep waar het vandaan komt. Audits '
            'zijn indicatief, geen juridische audit.\n\n'
            '**Hoeveel namen.** Met drie namen per groep is een groepseffect nauwelijks te '
            'onderscheiden van de eigenaardigheden van die drie namen, en meer testcases lossen '
            'dat niet op. Op de screeningsscore van 1 tot 10, met namen die 0,3 punt onderling '
            'verschillen en twee herhalingen, vraagt een groepsverschil van 0,5 punt met 80% kans '
            'vinden ongeveer 10 namen per groep en 40 testcases; met 3 namen per groep lukt het '
            'met geen enkel aantal cases. Gebruik minstens 5, liefst 8–10 namen per groep; '
            '`workbench power --swap` rekent het uit voor je eigen getallen.\n\n'
            '**Gemeten foutkansen** (gesimuleerde runs zonder echt verschil, 400 per getal, '
            '95%-intervallen):\n\n'
            '| wat je leest | gemeten | grens |\n'
            '|---|---|---|\n'
            '| ergens een primair "beter/slechter" in een run met identieke prompts (echte '
            'gesimuleerde provider, 4 primaire en 3 verkennende maten, 20 cases × 2 herhalingen) | '
            '2,8% (1,5–4,9%) | 5% |\n'
            '| enige bewering in de besluitsamenvatting, verkennende bevindingen meegerekend | '
            '4,8% (3,1–7,3%) | — |\n'
            '| 4 varianten × 5 primaire maten, iets significant | 3,0% (1,7–5,2%); vroegere '
            'correctie per maat: 19,2% | 5% |\n'
            '| dezelfde runs: "N varianten verschillen op …" in het rapport (één totaaltoets per maat) | '
            '2,8% (1,5–4,9%); elk afzonderlijk op 5%, zoals eerder: 20,8%; een oordeel of een "verschillen", een '
            'van beide: 4,8% | 5% |\n'
            '| 5 sterk samenhangende herhalingen per case | 5,5% (3,7–8,2%); herhalingen als cases '
            'tellen: 38,8% | 5% |\n'
            '| naamwissel-audit, namen die 0,3 punt verschillen, geen groepseffect: rood | '
            '2,0–3,5% (3 of 6 namen, 20 of 60 cases, 1 of 2 herhalingen) | 5% |\n'
            '| hetzelfde: rood of oranje | 2,5–4,0% | 10% |\n'
            '| rangschikkingsaudit (3 kandidaten per prompt, één naam per groep), geen groepseffect: rood — de '
            'namen van één namenset worden tegen elkaar gerangschikt en dus binnen hun set vergeleken | '
            '3,2–6,0% (3 of 6 namen, 12 of 36 shortlists); als onafhankelijke namen zoals eerder: 10,2–13,5% '
            '| 5% |\n'
            '| naamwissel-audit van 3 prompts tegelijk, geen groepseffect: "groepslidmaatschap verandert '
            'beslissingen" (omslaande beslissingen) voor een van de prompts | 4,5% (2,9–7,0%); elk afzonderlijk op '
            '5%, zoals eerder: 13,5% | 5% |\n'
            '| naamwissel-audit, een groep die precies 0,8 keer zo vaak wordt uitgenodigd als de '
            'referentiegroep (de vier-vijfdegrens): groen "geen wezenlijke bias" voor die groep | '
            '0,2–0,8% (3, 6 of 10 namen, 20–120 cases); de hele audit groen: 0,0% | 2,5% |\n'
            '| "niet slechter dan de marge" terwijl de variant precies de marge slechter is | 5,2% '
            '(3,5–7,9%) | 5% |\n'
            '| hetzelfde bij een ja/nee-markering (30% tegen 40%, marge 10 punten, 1 herhaling): waarop '
            '`workbench gate` slaagt | 5,3% en 5,9% (30 en 60 cases; 1.000 runs elk) | 5% |\n'
            '| hetzelfde met 12 clusters van 5 vergelijkbare cases | 4,7% (3,6–6,2%; 1.000 runs) | 5% |\n'
            '| blinde beoordeling, geen prompt beter, teksten van ongelijke kwaliteit, elke beoordelaar ziet '
            'een paar in dezelfde volgorde: "voorkeur … significant" | 3,0–4,0% (1, 3 of 5 beoordelaars per '
            'paar); basis tegen 2 kandidaten: 2,2% | 5% |\n'
            '| hetzelfde, geen kant bevoordeeld: "positiebias" (getoetst over de getoonde paren) | 3,2–4,2%; '
            'over beoordelingen getoetst zoals eerder: 12,0% (3 beoordelaars), 22,0% (5 beoordelaars) | 5% |\n'
            '| hetzelfde, één recruiter die na elke 10 van de 40 paren de uitkomsten bekijkt en stopt bij de '
            'eerste "significant" (de pagina Blind beoordelen noemt zo\'n blik tussentijds) | 5,8% (3,9–8,5%); één '
            'keer kijken, aan het eind: 3,2% | 5% |\n'
            '| paarsgewijze LLM-beoordelaar in beide volgordes gevraagd, geen prompt of kant bevoordeeld: '
            '"voorkeur … significant"; "positiebias" | 5,0% (3,3–7,6%); 1,5% (0,7–3,2%) | 5% |\n'
            '| het aandeel teksten dat een woordcheck markeert, per variant: het 95%-interval mist het ware '
            'aandeel (cases die verschillend vaak gemarkeerd worden, herhalingen van een case die op elkaar '
            'lijken) | 3,7–5,3% (10–40 cases, 1–3 herhalingen; 1.000 runs elk) | 5% |\n'
            '| ingebouwde effecten gevonden tegen voorspelde power: Holm-familie van 4; 10 '
            'clusters; groepseffect in een naamwissel | 70,0% tegen 71,8%; 60,8% tegen 62,0%; '
            '60,0% tegen 61,0% | binnen 5 punten |'
        ),
    },
    "descriptive_only": {"en": "descriptive only (too few cases)", "nl": "alleen beschrijvend (te weinig cases)"},
    "significant": {"en": "significant", "nl": "significant"},
    "not_significant": {"en": "not significant", "nl": "niet significant"},
    # bias
    "bias_title": {"en": "Bias report", "nl": "Biasrapport"},
    "lint_title": {"en": "Coded wording", "nl": "Gecodeerde woorden"},
    "lint_caption": {"en": "Share of outputs in which each check found wording that can put groups off "
                           "(95% CI over test cases). A flag is a reason to look, never to reject.",
                     "nl": "Aandeel teksten waarin een controle woorden vond die groepen kunnen afschrikken "
                           "(95%-BI over testcases). Een signaal is een reden om te kijken, nooit om "
                           "af te wijzen."},
    "no_lints": {"en": "This run has no wording checks (add gender_coded, age_coded, exclusion or "
                       "gendered_title to the scorers).",
                 "nl": "Deze run heeft geen woordcontroles (voeg gender_coded, age_coded, exclusion of "
                       "gendered_title toe aan de scorers)."},
    "swap_title": {"en": "Name-swap audit", "nl": "Naamwissel-audit"},
    "swap_caption": {"en": "The same case, handled once per candidate name; only the name differs. Impact ratio = "
                           "a group's rate ÷ that of the reference group named in the experiment; below 0.8 fails "
                           "the four-fifths rule. Differences are judged against how much single names differ among "
                           "themselves.",
                     "nl": "Dezelfde case, één keer per kandidaatnaam behandeld; alleen de naam verschilt. Impact "
                           "ratio = de kans van een groep ÷ die van de referentiegroep uit het experiment; onder 0,8 "
                           "faalt de vier-vijfde-regel. Verschillen worden afgezet tegen hoeveel losse namen "
                           "onderling verschillen."},
    "no_swap": {"en": "This run has no name-swap audit. Add a `swap:` section to the experiment (see "
                      "experiments/screening_name_swap_nl.yaml).",
                "nl": "Deze run heeft geen naamwissel-audit. Voeg een `swap:`-sectie toe aan het experiment "
                      "(zie experiments/screening_name_swap_nl.yaml)."},
    "no_swap_results": {"en": "No name-swap results yet.", "nl": "Nog geen naamwisselresultaten."},
    "overall_flag": {"en": "Overall", "nl": "Totaal"},
    "overall_red": {"en": "at least one group of names is treated significantly worse, beyond the four-fifths "
                          "line (corrected over every comparison of the audit).",
                    "nl": "minstens één groep namen wordt significant slechter behandeld, voorbij de "
                          "vier-vijfde-grens (gecorrigeerd over alle vergelijkingen van de audit)."},
    "overall_orange": {"en": "a statistically significant difference between groups of names, smaller than the "
                             "four-fifths line: look closer.",
                       "nl": "een statistisch significant verschil tussen groepen namen, kleiner dan de "
                             "vier-vijfde-grens: kijk nader."},
    "overall_green": {"en": "no material difference between the groups of names: every impact ratio's confidence "
                            "interval lies within 0.8–1.25.",
                      "nl": "geen wezenlijk verschil tussen de groepen namen: het betrouwbaarheidsinterval van "
                            "elke impact ratio ligt binnen 0,8–1,25."},
    "overall_inconclusive": {"en": "no significant difference, but a material one is not ruled out either: more "
                                   "test cases or more names are needed.",
                             "nl": "geen significant verschil, maar een wezenlijk verschil is ook niet uitgesloten: "
                                   "er zijn meer testcases of meer namen nodig."},
    "overall_source": {"en": "From {variant} ({outcome}): {group} vs {reference}.",
                       "nl": "Uit {variant} ({outcome}): {group} tegen {reference}."},
    "col_selection": {"en": "Selected (group vs ref.)", "nl": "Gekozen (groep vs ref.)"},
    "flag_red": {"en": "red", "nl": "rood"},
    "flag_orange": {"en": "orange", "nl": "oranje"},
    "flag_green": {"en": "green", "nl": "groen"},
    "flag_inconclusive": {"en": "inconclusive", "nl": "onbeslist"},
    "impact_chart_title": {"en": "Impact ratio per group (dashed line: 0.8)",
                           "nl": "Impact ratio per groep (stippellijn: 0,8)"},
    "legal_label": {"en": "Indicative, not a legal audit.", "nl": "Indicatief, geen juridische audit."},
    "explain_red": {"en": "{group} vs {reference}: {rate} vs {ref_rate} (impact ratio {ratio}, beyond the "
                          "four-fifths line). The difference is statistically significant, judged against how much "
                          "single names differ and corrected over all comparisons: one group is treated worse.",
                    "nl": "{group} tegen {reference}: {rate} tegen {ref_rate} (impact ratio {ratio}, voorbij de "
                          "vier-vijfde-grens). Het verschil is statistisch significant, afgezet tegen hoeveel losse "
                          "namen verschillen en gecorrigeerd over alle vergelijkingen: één groep wordt slechter "
                          "behandeld."},
    "explain_orange": {"en": "{group} vs {reference}: {rate} vs {ref_rate} (impact ratio {ratio}). A statistically "
                             "significant difference, but within 0.8–1.25: real, and smaller than the four-fifths "
                             "line. Look closer.",
                       "nl": "{group} tegen {reference}: {rate} tegen {ref_rate} (impact ratio {ratio}). Een "
                             "statistisch significant verschil, maar binnen 0,8–1,25: echt, en kleiner dan de "
                             "vier-vijfde-grens. Kijk nader."},
    "explain_green": {"en": "No material difference between {group} and {reference}: {rate} vs {ref_rate} "
                            "(impact ratio {ratio}); its confidence interval lies within 0.8–1.25.",
                      "nl": "Geen wezenlijk verschil tussen {group} en {reference}: {rate} tegen {ref_rate} "
                            "(impact ratio {ratio}); het betrouwbaarheidsinterval ligt binnen 0,8–1,25."},
    "explain_inconclusive": {"en": "Not enough evidence either way for {group} vs {reference}: {rate} vs "
                                   "{ref_rate} (impact ratio {ratio}){needed}.",
                             "nl": "Nog te weinig bewijs voor {group} tegen {reference}: {rate} tegen "
                                   "{ref_rate} (impact ratio {ratio}){needed}."},
    "explain_needed": {"en": "; about {n:,} test cases would be needed to tell",
                       "nl": "; er zijn ongeveer {n:,} testcases nodig om het te weten"},
    "explain_names_needed": {"en": "; more test cases alone will not settle it: about {n:,} names per group are "
                                   "needed",
                             "nl": "; meer testcases alleen beslissen het niet: er zijn ongeveer {n:,} namen per "
                                   "groep nodig"},
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
    "shortcuts_help": {"en": "Keyboard: A = A is better · B = B is better · T = tie · N = next without rating · "
                             "U = undo the last rating (not while typing a comment).",
                       "nl": "Toetsenbord: A = A is beter · B = B is beter · T = gelijk · N = volgende zonder "
                             "oordeel · U = laatste oordeel ongedaan maken (niet tijdens het typen van een "
                             "opmerking)."},
    "rating_saved": {"en": "Rating saved", "nl": "Oordeel opgeslagen"},
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
    # build pages (prompts, datasets, run): shared labels
    "field_dataset": {"en": "Dataset", "nl": "Dataset"},
    "field_task": {"en": "Task", "nl": "Taak"},
    "field_language": {"en": "Language", "nl": "Taal"},
    "field_variant": {"en": "Variant", "nl": "Variant"},
    "all_tasks": {"en": "all tasks", "nl": "alle taken"},
    "overwrite_file": {"en": "Overwrite {file}", "nl": "{file} overschrijven"},
    "saved_file": {"en": "Saved {file}", "nl": "{file} opgeslagen"},
    # prompts
    "prompts_title": {"en": "Prompt library", "nl": "Promptbibliotheek"},
    "prompts_caption": {"en": "Variants in `{folder}` — every save is validated (loaded back and rendered against "
                              "the chosen test case) before anything is written.",
                        "nl": "Varianten in `{folder}` — elke wijziging wordt eerst gecontroleerd (teruggelezen en "
                              "gerenderd met de gekozen testcase) voordat er iets wordt opgeslagen."},
    "prompts_no_datasets": {"en": "No datasets in {folder} — upload one on the Datasets page.",
                            "nl": "Geen datasets in {folder} — upload er een op de pagina Datasets."},
    "prompts_no_readable_dataset": {"en": "No readable dataset.", "nl": "Geen leesbare dataset."},
    "prompts_missing_option": {"en": "  (missing variables)", "nl": "  (ontbrekende variabelen)"},
    "prompts_system": {"en": "System", "nl": "Systeem"},
    "prompts_user": {"en": "User", "nl": "Gebruiker"},
    "prompts_new_id": {"en": "New variant id", "nl": "Id van de nieuwe variant"},
    "prompts_new_id_help": {"en": "Letters, digits, '-', '_' and '.'; the file becomes <id>.yaml.",
                            "nl": "Letters, cijfers, '-', '_' en '.'; het bestand wordt <id>.yaml."},
    "prompts_variant_id": {"en": "Variant id", "nl": "Variant-id"},
    "prompts_description": {"en": "Description", "nl": "Beschrijving"},
    "prompts_tone": {"en": "Tone", "nl": "Toon"},
    "prompts_system_template": {"en": "System template", "nl": "Systeemtemplate"},
    "prompts_user_template": {"en": "User template", "nl": "Gebruikerstemplate"},
    "prompts_fix_errors": {"en": "Fix the errors above first.", "nl": "Los eerst de fouten hierboven op."},
    "prompts_exists": {"en": "{file} already exists in the library.", "nl": "{file} bestaat al in de bibliotheek."},
    "prompts_exists_tick": {"en": "{file} exists; tick 'Overwrite' to replace it.",
                            "nl": "{file} bestaat al; vink '{file} overschrijven' aan om het te vervangen."},
    "prompts_no_variants": {"en": "The prompt library {folder} has no valid variants yet.",
                            "nl": "De promptbibliotheek {folder} bevat nog geen geldige varianten."},
    "prompts_no_description": {"en": "no description", "nl": "geen beschrijving"},
    "prompts_based_on": {"en": " · based on `{base}`", "nl": " · gebaseerd op `{base}`"},
    "prompts_variables": {"en": " · variables: {names}", "nl": " · variabelen: {names}"},
    "prompts_case_heading": {"en": "Test case for preview and validation",
                             "nl": "Testcase voor voorbeeld en controle"},
    "prompts_tab_preview": {"en": "Preview", "nl": "Voorbeeld"},
    "prompts_tab_edit": {"en": "Edit", "nl": "Bewerken"},
    "prompts_tab_derive": {"en": "New variant from this", "nl": "Nieuwe variant op basis hiervan"},
    "prompts_edit_caption": {"en": "Changing a variant that stored experiments use makes re-running them fail by "
                                   "design; derive a new variant instead when results exist.",
                             "nl": "Wijzig je een variant die opgeslagen experimenten gebruiken, dan mislukt het "
                                   "opnieuw uitvoeren daarvan bewust; maak liever een nieuwe variant als er al "
                                   "resultaten zijn."},
    "prompts_no_changes": {"en": "No changes yet.", "nl": "Nog geen wijzigingen."},
    "prompts_save_changes": {"en": "Save changes", "nl": "Wijzigingen opslaan"},
    "prompts_diff_title": {"en": "Differences with the base variant",
                           "nl": "Verschillen met de oorspronkelijke variant"},
    "prompts_new": {"en": "new", "nl": "nieuw"},
    "prompts_none": {"en": "(none)", "nl": "(geen)"},
    "prompts_rendered_new": {"en": "Rendered preview of the new variant",
                             "nl": "Gerenderd voorbeeld van de nieuwe variant"},
    "prompts_create": {"en": "Create variant", "nl": "Variant aanmaken"},
    # datasets
    "datasets_title": {"en": "Datasets", "nl": "Datasets"},
    "datasets_caption": {"en": "Test cases in `{folder}`: one row per case; an `id` column names the case, every "
                               "other column is a template variable.",
                         "nl": "Testcases in `{folder}`: één rij per case; de kolom `id` geeft de case een naam, "
                               "elke andere kolom is een templatevariabele."},
    "datasets_upload": {"en": "Upload test cases (CSV, TSV or JSONL, UTF-8)",
                        "nl": "Testcases uploaden (CSV, TSV of JSONL, UTF-8)"},
    "datasets_read": {"en": "{file}: {n} test cases read.", "nl": "{file}: {n} testcases ingelezen."},
    "datasets_none": {"en": "No datasets yet — upload a CSV or JSONL file above.",
                      "nl": "Nog geen datasets — upload hierboven een CSV- of JSONL-bestand."},
    "datasets_cases_title": {"en": "Test cases", "nl": "Testcases"},
    "datasets_empty_cells": {"en": "Empty cells: {cells}", "nl": "Lege cellen: {cells}"},
    "datasets_bidi_cells": {
        "en": "{n} cells contain invisible text-direction characters. They are shown as [U+202E] and the like, "
        "so they cannot reverse what follows; saving writes them back unchanged.",
        "nl": "{n} cellen bevatten onzichtbare tekens voor de tekstrichting. Ze staan hier als [U+202E] en "
        "dergelijke, zodat ze de tekst erna niet omdraaien; bij opslaan blijven ze ongewijzigd.",
    },
    "datasets_variables_title": {"en": "Variables", "nl": "Variabelen"},
    "datasets_library_empty": {"en": "The prompt library is empty.", "nl": "De promptbibliotheek is leeg."},
    "datasets_check_against": {"en": "Check against the variants for", "nl": "Controleren tegen de varianten voor"},
    "datasets_col_variant": {"en": "variant", "nl": "variant"},
    "datasets_col_status": {"en": "status", "nl": "status"},
    "datasets_col_missing": {"en": "missing variables", "nl": "ontbrekende variabelen"},
    "datasets_col_language": {"en": "language", "nl": "taal"},
    "datasets_col_task": {"en": "task", "nl": "taak"},
    "datasets_col_uses": {"en": "uses", "nl": "gebruikt"},
    "datasets_ready": {"en": "ready", "nl": "gereed"},
    "datasets_n_missing": {"en": "{n} missing", "nl": "{n} ontbrekend"},
    "datasets_metric_fit": {"en": "Variants that fit", "nl": "Passende varianten"},
    "datasets_metric_columns": {"en": "Columns", "nl": "Kolommen"},
    "datasets_metric_missing": {"en": "Missing variables", "nl": "Ontbrekende variabelen"},
    "datasets_missing_warning": {"en": "Missing variables: {names}", "nl": "Ontbrekende variabelen: {names}"},
    "datasets_all_fit": {"en": "Every variant of this task can be rendered with this dataset.",
                         "nl": "Elke variant van deze taak kan met deze dataset worden gerenderd."},
    "datasets_candidate_name": {"en": "`candidate_name` is filled in by a name-swap audit and need not be a column.",
                                "nl": "`candidate_name` wordt ingevuld door een naamwissel-audit en hoeft geen "
                                      "kolom te zijn."},
    "datasets_save_title": {"en": "Save", "nl": "Opslaan"},
    "datasets_file_name": {"en": "File name", "nl": "Bestandsnaam"},
    "datasets_bad_name": {"en": "Give a plain file name ending in {suffixes}.",
                          "nl": "Geef een gewone bestandsnaam die eindigt op {suffixes}."},
    "datasets_save": {"en": "Save dataset", "nl": "Dataset opslaan"},
    # run
    "run_title": {"en": "Run an experiment", "nl": "Experiment uitvoeren"},
    "run_intro": {"en": "Runs the same runner as `workbench run` in a background process; results land in the store "
                        "as they arrive, so closing this page does not stop the run.",
                  "nl": "Start dezelfde runner als `workbench run` in een achtergrondproces; resultaten komen in de "
                        "database zodra ze binnen zijn, dus als je deze pagina sluit, loopt de run gewoon door."},
    "run_mode": {"en": "Experiment", "nl": "Experiment"},
    "run_mode_build": {"en": "Build from choices", "nl": "Samenstellen uit keuzes"},
    "run_mode_file": {"en": "Existing experiment file", "nl": "Bestaand experimentbestand"},
    "run_spec": {"en": "Spec: {file}", "nl": "Specificatie: {file}"},
    "run_estimate_title": {"en": "Calls and estimated cost", "nl": "Aanroepen en geschatte kosten"},
    "run_metric_calls": {"en": "Calls", "nl": "Aanroepen"},
    "run_metric_cases": {"en": "Test cases", "nl": "Testcases"},
    "run_metric_est_cost": {"en": "Estimated cost", "nl": "Geschatte kosten"},
    "run_metric_max_cost": {"en": "Maximum cost", "nl": "Maximale kosten"},
    "run_col_model": {"en": "model", "nl": "model"},
    "run_col_calls": {"en": "calls", "nl": "aanroepen"},
    "run_col_input_tokens": {"en": "input tokens", "nl": "invoertokens"},
    "run_col_output_tokens": {"en": "output tokens", "nl": "uitvoertokens"},
    "run_col_est_cost": {"en": "est. cost (USD)", "nl": "geschatte kosten (USD)"},
    "run_col_max_cost": {"en": "max cost (USD)", "nl": "max. kosten (USD)"},
    "run_until_decided": {"en": "Stop early once every candidate is decided (up to {max_cases} cases, a look every "
                                "{look_every})",
                          "nl": "Vroeg stoppen zodra elke kandidaat beslist is (tot {max_cases} cases, elke "
                                "{look_every} cases een tussenstand)"},
    "run_until_decided_help": {
        "en": "The spec has a `sequential:` block: cases are drawn in a seeded random order and the run stops as "
              "soon as every candidate is better, worse or equivalent on the primary measures, with anytime-valid "
              "error control (the same as `workbench run --until-decided`). Off: every case is run.",
        "nl": "Het experiment heeft een `sequential:`-blok: de cases worden in een vaste willekeurige volgorde "
              "getrokken en de run stopt zodra elke kandidaat beter, slechter of gelijkwaardig is op de primaire "
              "maten, met foutcontrole die op elk moment geldt (hetzelfde als `workbench run --until-decided`). "
              "Uit: alle cases worden uitgevoerd.",
    },
    "run_paced_title": {"en": "Duration under the declared rate limits (models run side by side; judge calls not "
                              "counted):",
                        "nl": "Duur binnen de opgegeven aanroeplimieten (modellen lopen naast elkaar; aanroepen van de "
                              "beoordelaar niet meegeteld):"},
    "run_paced_min": {"en": "{model}: about {minutes} min at {limit} {unit}",
                      "nl": "{model}: ongeveer {minutes} min bij {limit} {unit}"},
    "run_paced_hours": {"en": "{model}: about {hours} h at {limit} {unit}",
                        "nl": "{model}: ongeveer {hours} uur bij {limit} {unit}"},
    "run_paced_none": {"en": "{model}: no rate limits declared (paced by the provider's headers)",
                       "nl": "{model}: geen aanroeplimieten opgegeven (tempo volgens de headers van de provider)"},
    "run_estimate_caption": {"en": "Estimates use ~4 characters per token and a task-typical answer length; 'max "
                                   "cost' assumes every answer uses max_tokens. Unknown prices show as empty.",
                             "nl": "Schattingen rekenen met ~4 tekens per token en een antwoordlengte die past bij "
                                   "de taak; 'max. kosten' gaat ervan uit dat elk antwoord max_tokens gebruikt. "
                                   "Onbekende prijzen blijven leeg."},
    "run_all_simulated": {"en": "All models are SIMULATED: offline, free, synthetic outputs (labelled SIMULATED "
                                "everywhere).",
                          "nl": "Alle modellen zijn SIMULATED: offline, gratis, synthetische teksten (overal "
                                "gelabeld als SIMULATED)."},
    "run_name": {"en": "Experiment name", "nl": "Naam van het experiment"},
    "run_name_help": {"en": "Saved as experiments/ui-<name>.yaml",
                      "nl": "Wordt opgeslagen als experiments/ui-<naam>.yaml"},
    "run_lang_any": {"en": "any", "nl": "alle"},
    "run_variants": {"en": "Variants", "nl": "Varianten"},
    "run_choose_variant": {"en": "Choose at least one variant (two or more to compare).",
                           "nl": "Kies minstens één variant (twee of meer om te vergelijken)."},
    "run_baseline": {"en": "Baseline (the variant the others are compared with)",
                     "nl": "Basisvariant (de variant waarmee de andere worden vergeleken)"},
    "run_no_datasets": {"en": "No datasets yet — add one on the Datasets page.",
                        "nl": "Nog geen datasets — voeg er een toe op de pagina Datasets."},
    "run_missing_option": {"en": "  (missing: {names})", "nl": "  (ontbreekt: {names})"},
    "run_models": {"en": "Models", "nl": "Modellen"},
    "run_models_help": {"en": "Real providers need their API key in the environment of the server.",
                        "nl": "Echte providers hebben hun API-sleutel nodig in de omgeving van de server."},
    "run_other_models": {"en": "Other models (provider:model, comma-separated)",
                         "nl": "Andere modellen (provider:model, gescheiden door komma's)"},
    "run_repeats": {"en": "Repeats", "nl": "Herhalingen"},
    "run_scorers": {"en": "Scorers", "nl": "Scorers"},
    "run_preset_wording": {"en": "Wording: length, readability, coded-wording lints",
                           "nl": "Formulering: lengte, leesbaarheid, controles op gecodeerde woorden"},
    "run_preset_wording_judge": {"en": "Wording + LLM judge (clarity)",
                                 "nl": "Formulering + LLM-beoordelaar (duidelijkheid)"},
    "run_preset_screening": {"en": "Screening outcome (invite / score)",
                             "nl": "Screeningsuitkomst (uitnodigen / score)"},
    "run_preset_basic": {"en": "Basic: length and readability", "nl": "Basis: lengte en leesbaarheid"},
    "run_max_cases": {"en": "Max test cases (0 = all)", "nl": "Max. aantal testcases (0 = alle)"},
    "run_latency": {"en": "Simulated latency per call (ms)", "nl": "Gesimuleerde vertraging per aanroep (ms)"},
    "run_latency_help": {"en": "Only for simulated models: slows a demo down.",
                         "nl": "Alleen voor gesimuleerde modellen: maakt een demo trager."},
    "run_bad_name": {"en": "The name may contain letters, digits, '-', '_' and '.' only.",
                     "nl": "De naam mag alleen letters, cijfers, '-', '_' en '.' bevatten."},
    "run_choose_model": {"en": "Choose at least one model.", "nl": "Kies minstens één model."},
    "run_no_specs": {"en": "No experiment files in {folder}.", "nl": "Geen experimentbestanden in {folder}."},
    "run_spec_file": {"en": "Experiment file", "nl": "Experimentbestand"},
    "run_exists_different": {"en": "{file} exists with different settings.",
                             "nl": "{file} bestaat al, met andere instellingen."},
    "run_start": {"en": "Start run", "nl": "Run starten"},
    "run_resume_latest": {"en": "Resume latest", "nl": "Laatste hervatten"},
    "run_resume_latest_help": {"en": "Continue the newest run of this experiment (skips what is already stored).",
                               "nl": "Zet de nieuwste run van dit experiment voort (slaat over wat al is "
                                     "opgeslagen)."},
    "run_busy": {"en": "A run is in progress for this database — wait for it or cancel it first.",
                 "nl": "Er loopt al een run voor deze database — wacht tot die klaar is of stop hem eerst."},
    "run_running": {"en": "Running", "nl": "Bezig"},
    "run_starting": {"en": "Starting {experiment}…", "nl": "{experiment} wordt gestart…"},
    "run_progress": {"en": "Run #{run}: {done:,} of {total:,} outputs stored",
                     "nl": "Run #{run}: {done:,} van {total:,} uitkomsten opgeslagen"},
    "run_finishing": {"en": " — scoring with the judge / finishing…",
                      "nl": " — scoren met het beoordelaar-model / afronden…"},
    "run_failed_so_far": {"en": "{n} calls failed so far (they are retried on resume).",
                          "nl": "{n} aanroepen zijn tot nu toe mislukt (ze worden opnieuw geprobeerd als je de run "
                                "hervat)."},
    "run_cancel": {"en": "Cancel run", "nl": "Run stoppen"},
    "run_cancel_sent": {"en": "Cancel sent: the runner stores what it has and stops.",
                        "nl": "Stopverzoek verstuurd: de runner slaat op wat hij al heeft en stopt."},
    "run_numbered": {"en": "Run #{run}", "nl": "Run #{run}"},
    "run_the_run": {"en": "The run", "nl": "De run"},
    "run_could_not_start": {"en": "The run could not start: {reason}", "nl": "De run kon niet starten: {reason}"},
    "run_see_log": {"en": "see the log", "nl": "zie de log"},
    "run_interrupted": {"en": "{run} was interrupted. Everything finished so far is stored; resume to complete it.",
                        "nl": "{run} is onderbroken. Alles wat al klaar was, is opgeslagen; hervat de run om hem "
                              "af te maken."},
    "run_incomplete": {"en": "{run} finished with failed calls ({n}); resume to retry them.",
                       "nl": "{run} is klaar, maar met mislukte aanroepen ({n}); hervat de run om ze opnieuw te "
                             "proberen."},
    "run_completed": {"en": "{run} completed: {n:,} outputs stored.",
                      "nl": "{run} is voltooid: {n:,} uitkomsten opgeslagen."},
    "run_ended": {"en": "{run} ended ({status}, exit code {code}).",
                  "nl": "{run} is beëindigd ({status}, exitcode {code})."},
    "run_status_unknown": {"en": "status unknown", "nl": "status onbekend"},
    "run_open_compare": {"en": "Open in Compare", "nl": "Openen in Vergelijken"},
    "run_resume": {"en": "Resume", "nl": "Hervatten"},
    "run_dismiss": {"en": "Dismiss", "nl": "Sluiten"},
    "run_log": {"en": "Runner log", "nl": "Log van de runner"},
}

STRINGS |= RESULT_STRINGS
STRINGS |= BUILD_STRINGS

# Metric labels, help texts and units are declared by each scorer (`workbench/scoring/catalogue.py`).

# "Check a text" page and the flag explanations/dismissals on Compare (issue #11).
STRINGS.update({
    "check_title": {"en": "Check a text", "nl": "Tekst controleren"},
    "check_intro": {"en": "Paste a vacancy text you already have. Coded words are highlighted: hover over one or "
                          "move to it with Tab to see why it is flagged and what to write instead.",
                    "nl": "Plak een vacaturetekst die je al hebt. Gecodeerde woorden worden gemarkeerd: ga er met de "
                          "muis op staan of ga er met Tab naartoe om te zien waarom, en wat je beter kunt schrijven."},
    "check_text_label": {"en": "Vacancy text", "nl": "Vacaturetekst"},
    "check_text_placeholder": {"en": "Paste the text here…", "nl": "Plak hier de tekst…"},
    "check_language": {"en": "Language of the text", "nl": "Taal van de tekst"},
    "check_mode": {"en": "Matching", "nl": "Manier van zoeken"},
    "check_mode_precise": {"en": "precise (recommended)", "nl": "precies (aanbevolen)"},
    "check_mode_decoder_compat": {"en": "gender decoder compatible (English)",
                                  "nl": "zoals de gender decoder (Engels)"},
    "check_button": {"en": "Check", "nl": "Controleren"},
    "check_empty": {"en": "Paste a text first.", "nl": "Plak eerst een tekst."},
    "check_verdict": {"en": "Verdict: **{verdict}** — {m} masculine-coded, {f} feminine-coded words in {n} words.",
                      "nl": "Oordeel: **{verdict}** — {m} mannelijk en {f} vrouwelijk gecodeerde woorden op {n} "
                            "woorden."},
    "check_provisional": {"en": "The Dutch list is provisional (tier B is an unvalidated rendering of Gaucher et al.).",
                          "nl": "De Nederlandse lijst is voorlopig (tier B is een niet-gevalideerde vertaling van "
                                "Gaucher e.a.)."},
    "check_flags_raised": {"en": "Also flagged: {names}.", "nl": "Ook gesignaleerd: {names}."},
    "check_no_spans": {"en": "Nothing flagged in this text.", "nl": "Niets gesignaleerd in deze tekst."},
    "check_not_counted": {"en": "Not counted ({n}): words that look coded but are not here",
                          "nl": "Niet meegeteld ({n}): woorden die gecodeerd lijken maar het hier niet zijn"},
    "col_word": {"en": "Word", "nl": "Woord"},
    "col_category": {"en": "Kind", "nl": "Soort"},
    "col_reason": {"en": "Why", "nl": "Waarom"},
    "col_alternatives": {"en": "Instead", "nl": "Liever"},
    "col_source": {"en": "Source", "nl": "Bron"},
    "col_rule": {"en": "Rule", "nl": "Regel"},
    "verdict_strongly feminine-coded": {"en": "strongly feminine-coded", "nl": "sterk vrouwelijk gecodeerd"},
    "verdict_feminine-coded": {"en": "feminine-coded", "nl": "vrouwelijk gecodeerd"},
    "verdict_neutral": {"en": "neutral", "nl": "neutraal"},
    "verdict_masculine-coded": {"en": "masculine-coded", "nl": "mannelijk gecodeerd"},
    "verdict_strongly masculine-coded": {"en": "strongly masculine-coded", "nl": "sterk mannelijk gecodeerd"},
    "category_masculine": {"en": "masculine-coded", "nl": "mannelijk gecodeerd"},
    "category_feminine": {"en": "feminine-coded", "nl": "vrouwelijk gecodeerd"},
    "category_age": {"en": "age-coded", "nl": "leeftijd"},
    "category_language_origin": {"en": "language/origin", "nl": "taal/afkomst"},
    "category_gendered_title": {"en": "gendered title/pronoun", "nl": "gegenderde titel/voornaamwoord"},
    "flags_expander": {"en": "Flags in this text ({n}): why, alternatives, dismiss",
                       "nl": "Signalen in deze tekst ({n}): waarom, alternatieven, afwijzen"},
    "flag_dismissed_by": {"en": "Dismissed as false by {who}: {why}",
                          "nl": "Als onterecht afgewezen door {who}: {why}"},
    "flag_restore": {"en": "Restore", "nl": "Terugzetten"},
    "flag_dismiss": {"en": "Dismiss as false", "nl": "Afwijzen als onterecht"},
    "flag_why": {"en": "Why is this flag false?", "nl": "Waarom is dit signaal onterecht?"},
    "flag_why_placeholder": {"en": "e.g. a job title", "nl": "bijv. een functietitel"},
    "flag_need_name": {"en": "Fill in your name (above) to dismiss or restore flags.",
                       "nl": "Vul je naam in (hierboven) om signalen af te wijzen of terug te zetten."},
    "flag_need_why": {"en": "Say why the flag is false.", "nl": "Geef aan waarom het signaal onterecht is."},
    "flag_rates_note": {"en": "Dismissed flags are left out of the rates and verdicts and counted in the report.",
                        "nl": "Afgewezen signalen tellen niet mee in de percentages en oordelen; het rapport "
                              "telt ze wel."},
})


GROUP_LABELS: dict[str, dict[str, str]] = {
    "dutch_origin": {"en": "Dutch-origin names", "nl": "namen van Nederlandse herkomst"},
    "moroccan_dutch": {"en": "Moroccan-Dutch names", "nl": "namen van Marokkaanse herkomst"},
    "turkish_dutch": {"en": "Turkish-Dutch names", "nl": "namen van Turkse herkomst"},
    "male": {"en": "men", "nl": "mannen"},
    "female": {"en": "women", "nl": "vrouwen"},
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
    code = lang()
    text = entry.get(code) or entry["en"]
    return text.format(**localised_values(values, code)) if values else text


def _pick(entry: Mapping[str, str]) -> str:
    return entry.get(lang()) or entry["en"]


def metric_label(metric: str, judge: JudgeProvenance | None = None) -> str:
    """Plain-language name of a metric ("gender_coded_nl_provisional.masculine" -> "Masculine-coded words"),
    from the metric catalogue.

    With `judge`, judge metrics name their judge: "Clarity (LLM judge) (gpt-4o-mini)", "… (SIMULATED)".
    """
    info = metric_info(metric)
    text = info.label(lang(), group_label(info.part) if info.group_part else None)
    if judge is not None and is_judge_metric(metric):
        who = t("judge_simulated_short") if judge.simulated else judge.model.split(":", 1)[1]
        return f"{text} ({who})"
    return text


def metric_help(metric: str) -> str:
    """One plain sentence on what a measure means ("" when there is none)."""
    return metric_info(metric).help(lang())


def metric_unit(metric: str) -> str:
    """The unit a measure counts in ("words"), or "" for scores without one."""
    key = "unit_" + metric_info(metric).unit
    return t(key) if key in STRINGS else ""


def flag_name(metric: str) -> str:
    """A lint flag as it reads inside a sentence or a filter: "age-coded wording"."""
    return lower_first(metric_label(metric))


def lower_first(text: str) -> str:
    """"Clarity (LLM judge)" -> "clarity (LLM judge)": lower-case the start, keep abbreviations."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def group_label(group: str) -> str:
    """Plural, so sentences read "Moroccan-Dutch names are ..." for every group ("x.female": "... (women)")."""
    base, _, sub = group.partition(".")
    if base in GROUP_LABELS:
        text = _pick(GROUP_LABELS[base])
    else:
        text = f"{base.replace('_', ' ')} {'namen' if lang() == 'nl' else 'names'}"
    if sub:
        text += f" ({_pick(GROUP_LABELS[sub]) if sub in GROUP_LABELS else sub})"
    return text


def verdict_label(row: Mapping[str, Any]) -> str:
    """better / worse / higher / lower when significant (marked exploratory outside the primary family);
    otherwise equivalent / not worse than the margin (margin tests), "unclear: could be up to X worse"
    (possible harm) or "no significant difference"."""
    if row.get("descriptive_only"):
        return t("descriptive_only")
    kind = str(row.get("kind") or "numeric")

    def amount(value: Any) -> str:
        """A size (unsigned): "12.0 pp" / "12,0 %-punt" for yes/no measures, else two significant digits."""
        return nf.mde(value, kind, lang())

    if not row.get("significant"):
        outcome = row.get("outcome")
        if outcome == "equivalent":
            return t("verdict_equivalent", margin=amount(row.get("margin")))
        if outcome == "non_inferior":
            return t("verdict_non_inferior", margin=amount(row.get("margin")))
        if outcome == "possible_harm":
            return t("verdict_harm", bound=amount(row.get("harm_bound")))
        return t("verdict_ns")
    label = t(f"verdict_{row.get('direction', 'equal')}")
    if row.get("family", "primary") != "primary":
        return t("verdict_exploratory", verdict=label)
    return label
