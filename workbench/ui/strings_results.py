"""UI strings (English and Dutch) of the result pages' decisions, sentences and blind review.

Merged into `workbench.ui.i18n.STRINGS`; kept apart so the pages' wording is in one place.
"""

from __future__ import annotations

RESULT_STRINGS: dict[str, dict[str, str]] = {
    # statistics sentences
    "correction_none": {"en": "unadjusted", "nl": "ongecorrigeerde"},
    "unit_pp": {"en": "percentage points", "nl": "procentpunt"},
    "unit_points": {"en": "points", "nl": "punten"},
    "cases_better": {"en": "cases better", "nl": "cases beter"},
    "cases_worse": {"en": "worse", "nl": "slechter"},
    "cases_higher": {"en": "cases higher", "nl": "cases hoger"},
    "cases_lower": {"en": "lower", "nl": "lager"},
    "sentence_better": {
        "en": "{variant} is better than {baseline} on {metric}: {estimate} {unit} (95% CI {low} to {high}), "
              "adjusted p {p}; {better} {good}, {worse} {bad}, {tied} tied (n = {cases} cases × {repeats} repeats).",
        "nl": "{variant} is beter dan {baseline} op {metric}: {estimate} {unit} (95%-BI {low} tot {high}), "
              "gecorrigeerde p {p}; {better} {good}, {worse} {bad}, {tied} gelijk (n = {cases} cases × {repeats} "
              "herhalingen)."},
    "sentence_worse": {
        "en": "{variant} is worse than {baseline} on {metric}: {estimate} {unit} (95% CI {low} to {high}), "
              "adjusted p {p}; {better} {good}, {worse} {bad}, {tied} tied (n = {cases} cases × {repeats} repeats).",
        "nl": "{variant} is slechter dan {baseline} op {metric}: {estimate} {unit} (95%-BI {low} tot {high}), "
              "gecorrigeerde p {p}; {better} {good}, {worse} {bad}, {tied} gelijk (n = {cases} cases × {repeats} "
              "herhalingen)."},
    "sentence_higher": {
        "en": "{variant} scores higher than {baseline} on {metric}: {estimate} {unit} (95% CI {low} to {high}), "
              "adjusted p {p}; {better} {good}, {worse} {bad}, {tied} tied (n = {cases} cases × {repeats} repeats).",
        "nl": "{variant} scoort hoger dan {baseline} op {metric}: {estimate} {unit} (95%-BI {low} tot {high}), "
              "gecorrigeerde p {p}; {better} {good}, {worse} {bad}, {tied} gelijk (n = {cases} cases × {repeats} "
              "herhalingen)."},
    "sentence_lower": {
        "en": "{variant} scores lower than {baseline} on {metric}: {estimate} {unit} (95% CI {low} to {high}), "
              "adjusted p {p}; {better} {good}, {worse} {bad}, {tied} tied (n = {cases} cases × {repeats} repeats).",
        "nl": "{variant} scoort lager dan {baseline} op {metric}: {estimate} {unit} (95%-BI {low} tot {high}), "
              "gecorrigeerde p {p}; {better} {good}, {worse} {bad}, {tied} gelijk (n = {cases} cases × {repeats} "
              "herhalingen)."},
    "sentence_equal": {
        "en": "{variant} scores the same as {baseline} on {metric}: {estimate} {unit} (95% CI {low} to {high}), "
              "adjusted p {p} (n = {cases} cases × {repeats} repeats).",
        "nl": "{variant} scoort hetzelfde als {baseline} op {metric}: {estimate} {unit} (95%-BI {low} tot {high}), "
              "gecorrigeerde p {p} (n = {cases} cases × {repeats} herhalingen)."},
    "sentence_ns": {
        "en": "No significant difference between {variant} and {baseline} on {metric}: {estimate} {unit} (95% CI "
              "{low} to {high}), adjusted p {p}; the smallest difference this run could reliably detect is {mde} "
              "{unit}.",
        "nl": "Geen significant verschil tussen {variant} en {baseline} op {metric}: {estimate} {unit} (95%-BI "
              "{low} tot {high}), gecorrigeerde p {p}; het kleinste verschil dat deze run betrouwbaar kan "
              "aantonen is {mde} {unit}."},
    "sentence_descriptive": {
        "en": "{variant} vs {baseline} on {metric}: descriptive only (too few cases for a test): {estimate} {unit}; "
              "{better} {good}, {worse} {bad}, {tied} tied.",
        "nl": "{variant} tegen {baseline} op {metric}: alleen beschrijvend (te weinig cases voor een toets): "
              "{estimate} {unit}; {better} {good}, {worse} {bad}, {tied} gelijk."},
    "above_median": {"en": " above the median", "nl": " boven de mediaan"},
    # preferences (blind review)
    "pref_no_decided": {"en": "{x} vs {y}: no decided cases yet ({tied} tied, {n} ratings).",
                        "nl": "{x} tegen {y}: nog geen besliste cases ({tied} gelijk, {n} beoordelingen)."},
    "pref_head": {"en": "{leader} was preferred over {other} in {wins} of {decided} decided cases ({share}{ci}; "
                        "{tied} tied cases, {n} ratings)",
                  "nl": "{leader} kreeg de voorkeur boven {other} in {wins} van {decided} besliste cases ({share}{ci}; "
                        "{tied} cases gelijk, {n} beoordelingen)"},
    "pref_ci": {"en": ", 95% CI {low} to {high}", "nl": ", 95%-BI {low} tot {high}"},
    "pref_descriptive": {"en": ": descriptive only (too few decided cases).",
                         "nl": ": alleen beschrijvend (te weinig besliste cases)."},
    "pref_adjusted": {"en": ", {method}-adjusted p {p}", "nl": ", {method}-gecorrigeerde p {p}"},
    "pref_test": {"en": "; sign test p {p}{adjusted}: {verdict}.", "nl": "; tekentoets p {p}{adjusted}: {verdict}."},
    "pos_none": {"en": "Position: no decided ratings yet.", "nl": "Positie: nog geen besliste beoordelingen."},
    "pos_text": {"en": "Text A (left) won {wins} of {n} decided ratings ({share}); per pair shown, left ahead in "
                       "{left}, right ahead in {right}, even in {even} (left's share of the decided pairs: 95% CI "
                       "{low} to {high}), sign test over pairs p {p}",
                 "nl": "Tekst A (links) won {wins} van {n} besliste beoordelingen ({share}); van de getoonde paren "
                       "had links de overhand in {left}, rechts in {right}, gelijk in {even} (aandeel met links voor "
                       "onder de besliste paren: 95%-BI {low} tot {high}), tekentoets over de paren p {p}"},
    "pos_text_even": {"en": "Text A (left) won {wins} of {n} decided ratings ({share}); no pair shown had one side "
                            "ahead ({even} even), so there is nothing to test",
                      "nl": "Tekst A (links) won {wins} van {n} besliste beoordelingen ({share}); bij geen enkel "
                            "getoond paar had één kant de overhand ({even} gelijk), dus er valt niets te toetsen"},
    "pos_significant": {"en": ": raters favour one side — the order is randomised per pair, keep it that way.",
                        "nl": ": beoordelaars kiezen vaker één kant — de volgorde is per paar willekeurig, houd dat "
                              "zo."},
    "pos_not_significant": {"en": ": no sign that the side a text is shown on matters.",
                            "nl": ": geen aanwijzing dat de kant waar een tekst staat uitmaakt."},
    # blind review
    "rating_undone": {"en": "Rating for case {case} undone", "nl": "Oordeel voor case {case} ongedaan gemaakt"},
    "last_saved": {"en": "Saved: case {case} — your choice: {choice}.", "nl": "Opgeslagen: case {case} — jouw keuze: "
                                                                             "{choice}."},
    "undo": {"en": "Undo", "nl": "Ongedaan maken"},
    "results_hidden": {"en": "Results stay hidden while you rate, so that they cannot steer your choices. They "
                             "appear when you have rated every pair.",
                       "nl": "De uitkomsten blijven verborgen zolang je beoordeelt, zodat ze je keuzes niet "
                             "sturen. Ze verschijnen als je alle paren hebt beoordeeld."},
    "reveal_results": {"en": "Show results now (ends blind rating)", "nl": "Uitkomsten nu tonen (einde blind "
                                                                           "beoordelen)"},
    "hide_results": {"en": "Hide results", "nl": "Uitkomsten verbergen"},
    "interim_look": {"en": "An interim look: you have not rated every pair yet. Decide once you have: looking again "
                           "and again and stopping at the first \"significant\" says \"preferred\" more often "
                           "when the prompts do not differ.",
                     "nl": "Dit is een tussenstand: je hebt nog niet elk paar beoordeeld. Beslis pas als dat wel zo "
                           "is: steeds opnieuw kijken en stoppen bij de eerste \"significant\" geeft vaker "
                           "\"voorkeur\" terwijl de prompts niet verschillen."},
    "rating_paused": {"en": "Rating is paused while the results are shown: hide them to continue blind.",
                      "nl": "Beoordelen staat stil zolang de uitkomsten zichtbaar zijn: verberg ze om blind verder te "
                            "gaan."},
}

RESULT_STRINGS |= {
    # compare: tables, charts, cards
    "yes": {"en": "yes", "nl": "ja"},
    "no": {"en": "no", "nl": "nee"},
    "vs_baseline": {"en": "({delta} vs baseline)", "nl": "({delta} t.o.v. basis)"},
    "baseline_value": {"en": "(baseline: {value})", "nl": "(basis: {value})"},
    "axis_pp": {"en": "difference in percentage points", "nl": "verschil in procentpunten"},
    "axis_diff": {"en": "difference from the baseline", "nl": "verschil met de basisvariant"},
    "axis_case_share": {"en": "share per test case (%)", "nl": "aandeel per testcase (%)"},
    "axis_case_mean": {"en": "mean per test case", "nl": "gemiddelde per testcase"},
    "help_verdict": {"en": "better/worse: significant after correction for the number of comparisons; otherwise "
                           "'no significant difference' (which is not proof of equality).",
                     "nl": "beter/slechter: significant na correctie voor het aantal vergelijkingen; anders 'geen "
                           "significant verschil' (dat bewijst niet dat ze gelijk zijn)."},
    "help_ci": {"en": "The range that contains the true difference with 95% confidence.",
                "nl": "Het bereik waarin het echte verschil met 95% zekerheid ligt."},
    "help_p_adj": {"en": "p-value corrected for the number of comparisons; below α counts as significant.",
                   "nl": "p-waarde, gecorrigeerd voor het aantal vergelijkingen; onder α telt als significant."},
    "help_cases": {"en": "Test cases × repeats per case (repeats are averaged within a case).",
                   "nl": "Testcases × herhalingen per case (herhalingen worden per case gemiddeld)."},
    "repeat_help": {"en": "The same prompt on the same case is run several times; 1 is the first run.",
                    "nl": "Dezelfde prompt wordt per case een paar keer uitgevoerd; 1 is de eerste keer."},
    "simulated_tooltip": {"en": "Synthetic output of the offline simulated provider",
                          "nl": "Synthetische tekst van de offline gesimuleerde provider"},
    "mark_masc": {"en": "masc.", "nl": "mann."},
    "mark_fem": {"en": "fem.", "nl": "vrouw."},
    "mark_age": {"en": "age", "nl": "leeft."},
    "mark_exclusion": {"en": "lang.", "nl": "taal"},
    "mark_gendered": {"en": "title", "nl": "titel"},
    "warn_missing": {"en": "{n:,} of {m:,} planned outputs are missing or failed; verdicts use complete cases only "
                           "(resume the run to fill them).",
                     "nl": "{n:,} van de {m:,} geplande uitkomsten ontbreken of zijn mislukt; de oordelen gebruiken "
                           "alleen volledige cases (hervat de run om ze aan te vullen)."},
    "warn_no_scores": {"en": "No scores yet.", "nl": "Nog geen scores."},
}

RESULT_STRINGS |= {
    # bias: outcomes in words
    "task_texts_vacancy_text": {"en": "vacancy texts", "nl": "vacatureteksten"},
    "task_texts_rejection_email": {"en": "rejection emails", "nl": "afwijzingsmails"},
    "task_texts_screening_summary": {"en": "screening summaries", "nl": "screeningsamenvattingen"},
    "task_texts_interview_questions": {"en": "interview questions", "nl": "interviewvragen"},
    "task_texts_candidate_ranking": {"en": "rankings", "nl": "rangschikkingen"},
    "task_texts_other": {"en": "texts", "nl": "teksten"},
    "phrase_selected_less": {"en": "are selected less often", "nl": "worden minder vaak gekozen"},
    "phrase_selected_more": {"en": "are selected more often", "nl": "worden vaker gekozen"},
    "phrase_lower": {"en": "score lower on {metric}", "nl": "scoren lager op {metric}"},
    "phrase_higher": {"en": "score higher on {metric}", "nl": "scoren hoger op {metric}"},
    "clause_selection": {"en": "{group} {value} against {ref_value} for {reference} ({diff} percentage points, {level} "
                               "CI {low} to {high})",
                         "nl": "{group} {value} tegen {ref_value} bij {reference} ({diff} procentpunt, {level}-BI "
                               "{low} tot {high})"},
    "clause_score": {"en": "{group} {value}{unit} on average against {ref_value} for {reference} (difference {diff}, "
                           "{level} CI {low} to {high})",
                     "nl": "{group} gemiddeld {value}{unit} tegen {ref_value} bij {reference} (verschil {diff}, "
                           "{level}-BI {low} tot {high})"},
    "unit_head_difference": {"en": "candidates with {group} {phrase} than those with {reference}",
                             "nl": "kandidaten met {group} {phrase} dan kandidaten met {reference}"},
    "unit_head_green": {"en": "no material difference between the groups of names",
                        "nl": "geen wezenlijk verschil tussen de groepen namen"},
    "unit_head_inconclusive": {"en": "no clear difference between the groups of names, but too little data to rule "
                                     "one out",
                               "nl": "geen duidelijk verschil tussen de groepen namen, maar te weinig gegevens om er "
                                     "een uit te sluiten"},
    "unit_no_comparisons": {"en": "no comparison between groups possible.",
                            "nl": "geen vergelijking tussen groepen mogelijk."},
    "basis_red": {"en": "Red because the difference for {group} is significant after correction over the audit's {n} "
                        "comparisons (adjusted p {p}) and the impact ratio ({ratio}) passes the four-fifths line.",
                  "nl": "Rood omdat het verschil bij {group} significant is na correctie over de {n} vergelijkingen "
                        "van de audit (gecorrigeerde p {p}) en de impact ratio ({ratio}) de vier-vijfde-grens "
                        "passeert."},
    "basis_orange": {"en": "Orange because the difference for {group} is significant (adjusted p {p}), but the "
                           "impact ratio ({ratio}) stays between 0.8 and 1.25: real, but smaller than the four-fifths "
                           "line.",
                     "nl": "Oranje omdat het verschil bij {group} significant is (gecorrigeerde p {p}), maar de "
                           "impact ratio ({ratio}) tussen 0,8 en 1,25 blijft: echt, maar kleiner dan de "
                           "vier-vijfde-grens."},
    "basis_green": {"en": "Green because the difference for {group} is not significant and the whole confidence "
                          "interval of the impact ratio ({low} to {high}) lies between 0.8 and 1.25.",
                    "nl": "Groen omdat het verschil bij {group} niet significant is en het hele "
                          "betrouwbaarheidsinterval van de impact ratio ({low} tot {high}) tussen 0,8 en 1,25 ligt."},
    "basis_inconclusive": {"en": "Inconclusive for {group}: no significant difference (adjusted p {p}), but the "
                                 "impact ratio's confidence interval ({low} to {high}) reaches outside 0.8 to "
                                 "1.25{needed}.",
                           "nl": "Onbeslist voor {group}: geen significant verschil (gecorrigeerde p {p}), maar het "
                                 "betrouwbaarheidsinterval van de impact ratio ({low} tot {high}) reikt buiten 0,8 tot "
                                 "1,25{needed}."},
    "flip_label": {"en": "Flips", "nl": "Omslagen"},
    "flip_text": {"en": "when only the name changes, the decision differs for {cross} of the pairs of names from "
                        "different groups, against {within} for two names of the same group (difference {excess} "
                        "percentage points; name-relabelling test p {p}{adjusted}) and {same} between two runs with "
                        "the same name: {conclusion}.",
                  "nl": "als alleen de naam verandert, verschilt de beslissing bij {cross} van de paren namen uit "
                        "verschillende groepen, tegen {within} bij twee namen uit dezelfde groep (verschil {excess} "
                        "procentpunt; hertoewijzingstoets p {p}{adjusted}) en {same} tussen twee runs met dezelfde "
                        "naam: {conclusion}."},
    "flip_adjusted": {"en": ", Holm-adjusted over the audit's {n} flip tests p {p}",
                      "nl": ", met Holm gecorrigeerd over de {n} omslagtoetsen van de audit p {p}"},
    "flip_significant": {"en": "the group a name belongs to changes decisions beyond the differences between single "
                               "names",
                         "nl": "de groep waartoe een naam hoort verandert beslissingen meer dan de verschillen tussen "
                               "losse namen"},
    "flip_noise": {"en": "no more than single names differ among themselves",
                   "nl": "niet meer dan losse namen onderling verschillen"},
    "flip_not_shown": {"en": "more often, but not clearly more than single names differ among themselves",
                       "nl": "vaker, maar niet duidelijk meer dan losse namen onderling verschillen"},
    "overall_red_named": {"en": "in {variant}: candidates with {group} {phrase} than those with {reference} "
                                "(significant after correction over {n} comparisons, impact ratio past the four-fifths "
                                "line).",
                          "nl": "bij {variant}: kandidaten met {group} {phrase} dan kandidaten met {reference} "
                                "(significant na correctie over {n} vergelijkingen, impact ratio voorbij de "
                                "vier-vijfde-grens)."},
    "overall_orange_named": {"en": "in {variant}: candidates with {group} {phrase} than those with {reference} — "
                                   "significant, but smaller than the four-fifths line.",
                             "nl": "bij {variant}: kandidaten met {group} {phrase} dan kandidaten met {reference} — "
                                   "significant, maar kleiner dan de vier-vijfde-grens."},
    "overall_inconclusive_named": {"en": "no clear difference, but too little data to rule one out (least certain: "
                                         "{group} in {variant}).",
                                   "nl": "geen duidelijk verschil, maar te weinig gegevens om het uit te sluiten "
                                         "(het minst zeker: {group} bij {variant})."},
    "per_prompt_title": {"en": "Per prompt", "nl": "Per prompt"},
    "flag_counts_caption": {"en": "Number of group comparisons per flag.",
                            "nl": "Aantal groepsvergelijkingen per signaal."},
    "audit_family": {"en": "Adj. p: Holm-corrected over the audit's {n} group comparisons (names as a random "
                           "factor); the intervals are simultaneous.",
                     "nl": "Gecorr. p: Holm-correctie over de {n} groepsvergelijkingen van de audit (namen als "
                           "toevalsfactor); de intervallen gelden gelijktijdig."},
    "axis_impact_ratio": {"en": "impact ratio (group ÷ reference group)", "nl": "impact ratio (groep ÷ "
                                                                                 "referentiegroep)"},
    # name-swap viewer
    "viewer_title": {"en": "Same case, two names", "nl": "Dezelfde case, twee namen"},
    "viewer_ranking": {"en": "In a ranking every output holds several names; compare rankings on the Compare page.",
                       "nl": "In een rangschikking staan in elke tekst meerdere namen; vergelijk rangschikkingen op "
                             "de pagina Vergelijken."},
    "viewer_only_flipped": {"en": "Only cases where the decision flipped", "nl": "Alleen cases waar de beslissing "
                                                                                 "omsloeg"},
    "viewer_only_flipped_help": {"en": "Cases in which two names got a different decision in the same repeat.",
                                 "nl": "Cases waarin twee namen in dezelfde herhaling een andere beslissing kregen."},
    "viewer_largest": {"en": "Largest differences first", "nl": "Grootste verschillen eerst"},
    "viewer_largest_help": {"en": "Cases sorted by the largest difference between two names in one repeat.",
                            "nl": "Cases gesorteerd op het grootste verschil tussen twee namen in één herhaling."},
    "viewer_none": {"en": "No cases to show.", "nl": "Geen cases om te tonen."},
    "viewer_count": {"en": "{n:,} of {m:,} cases.", "nl": "{n:,} van {m:,} cases."},
    "viewer_name": {"en": "Name {n}", "nl": "Naam {n}"},
    "viewer_differs": {"en": "The {outcome} differs between these two names.",
                       "nl": "De {outcome} verschilt tussen deze twee namen."},
    "viewer_same": {"en": "The {outcome} is the same for these two names.",
                    "nl": "De {outcome} is voor deze twee namen gelijk."},
    # gendered wording
    "gender_title": {"en": "Masculine- and feminine-coded wording", "nl": "Mannelijk en vrouwelijk gecodeerde woorden"},
    "gender_sentence": {"en": "**{variant}**: on average {masculine} masculine-coded and {feminine} feminine-coded "
                              "words per text.",
                        "nl": "**{variant}**: gemiddeld {masculine} mannelijk en {feminine} vrouwelijk gecodeerde "
                              "woorden per tekst."},
    "gender_examples": {"en": "Highlighted examples ({n} texts with the most flags)",
                        "nl": "Voorbeelden met markeringen ({n} teksten met de meeste signalen)"},
}

RESULT_STRINGS |= {
    "unit_words": {"en": "words", "nl": "woorden"},
    "unit_characters": {"en": "characters", "nl": "tekens"},
    "unit_sentences": {"en": "sentences", "nl": "zinnen"},
}

RESULT_STRINGS |= {
    "col_difference_ci": {"en": "Difference (95% CI)", "nl": "Verschil (95%-BI)"},
    "col_means": {"en": "Baseline → variant", "nl": "Basis → variant"},
    "col_n": {"en": "Cases", "nl": "Cases"},
    "help_means": {"en": "Average of the baseline and of the variant over all test cases.",
                   "nl": "Gemiddelde van de basisvariant en van de variant over alle testcases."},
}

RESULT_STRINGS |= {
    "upload_button": {"en": "Upload", "nl": "Bestand kiezen"},
    "upload_limits": {"en": "{mb} MB per file • {types}", "nl": "Maximaal {mb} MB per bestand • {types}"},
}

RESULT_STRINGS |= {
    "help_family": {"en": "Primary: the measures the run was set up to decide on (Holm over the whole run). "
                          "Exploratory: the other measures (Benjamini–Hochberg), a lead, not a proof.",
                    "nl": "Primair: de maten waarover de run moet beslissen (Holm over de hele run). Verkennend: de "
                          "overige maten (Benjamini–Hochberg), een aanwijzing, geen bewijs."},
    "legend_better": {"en": "better", "nl": "beter"},
    "legend_worse": {"en": "worse", "nl": "slechter"},
    "legend_higher": {"en": "higher", "nl": "hoger"},
    "legend_lower": {"en": "lower", "nl": "lager"},
    "legend_possible_harm": {"en": "unclear, could be worse", "nl": "onduidelijk, mogelijk slechter"},
    "legend_equivalent": {"en": "equivalent", "nl": "gelijkwaardig"},
    "legend_non_inferior": {"en": "not worse than the margin", "nl": "niet slechter dan de marge"},
    "legend_not_significant": {"en": "no significant difference", "nl": "geen significant verschil"},
}

RESULT_STRINGS |= {
    "decision_title": {"en": "Decision", "nl": "Besluit"},
    "sentence_exploratory": {"en": " Exploratory: a lead for a next run, not a confirmed difference.",
                             "nl": " Verkennend: een aanwijzing voor een volgende run, geen bevestigd verschil."},
    "sentence_possible_harm": {
        "en": "Unclear whether {variant} differs from {baseline} on {metric}: {estimate} {unit} (95% CI {low} to "
              "{high}), adjusted p {p}; it could be up to {bound} {unit} worse.",
        "nl": "Onduidelijk of {variant} verschilt van {baseline} op {metric}: {estimate} {unit} (95%-BI {low} tot "
              "{high}), gecorrigeerde p {p}; mogelijk tot {bound} {unit} slechter."},
    "sentence_equivalent": {
        "en": "{variant} is equivalent to {baseline} on {metric} within ±{margin} {unit}: {estimate} {unit} (95% CI "
              "{low} to {high}).",
        "nl": "{variant} is gelijkwaardig aan {baseline} op {metric} binnen ±{margin} {unit}: {estimate} {unit} "
              "(95%-BI {low} tot {high})."},
    "sentence_non_inferior": {
        "en": "{variant} is not worse than {baseline} on {metric} by more than {margin} {unit}: {estimate} {unit} "
              "(95% CI {low} to {high}).",
        "nl": "{variant} is niet meer dan {margin} {unit} slechter dan {baseline} op {metric}: {estimate} {unit} "
              "(95%-BI {low} tot {high})."},
}

RESULT_STRINGS |= {
    "family_text": {"en": " ({family}, {how} over {n:,} tests)", "nl": " ({family}, {how} over {n:,} toetsen)"},
    "overall_green_all": {"en": "no material difference in any of the {n} group comparisons.",
                          "nl": "geen wezenlijk verschil in alle {n} groepsvergelijkingen."},
}
