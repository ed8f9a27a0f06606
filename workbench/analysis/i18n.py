"""The analysis layer's sentences in English and Dutch (the CLI and reports use English, the UI the user's
language): the decision per variant (`decision_summary`) and the sequential run's looks (`sequential_looks`).
Placeholders in braces are filled by those modules; every key has both languages (tests/core/test_i18n_tables)."""

from __future__ import annotations

DECISION_TEXT: dict[str, dict[str, str]] = {
    "vs": {"en": "vs", "nl": "tegen"},
    "adopt": {"en": "adopt: better on {better}, and worse on no primary measure",
              "nl": "overnemen: beter op {better}, en op geen enkele primaire maat slechter"},
    "reject": {"en": "do not adopt: worse on {worse}", "nl": "niet overnemen: slechter op {worse}"},
    "promising": {"en": "promising, not yet safe: better on {better}, but could be worse on {harm}",
                  "nl": "veelbelovend, nog niet veilig: beter op {better}, maar mogelijk slechter op {harm}"},
    "equivalent": {"en": "no worse than the baseline on {same} (shown with the declared margin)",
                   "nl": "niet slechter dan de basis op {same} (aangetoond met de opgegeven marge)"},
    "differs": {"en": "differs from the baseline on {changed} (no better/worse direction for this measure)",
                "nl": "verschilt van de basis op {changed} (deze maat heeft geen richting beter/slechter)"},
    "no_decision": {"en": "no decision yet: no primary difference shown",
                    "nl": "nog geen besluit: geen primair verschil aangetoond"},
    "descriptive": {"en": "too few test cases for a verdict (descriptive only)",
                    "nl": "te weinig testcases voor een oordeel (alleen beschrijvend)"},
    "better_on": {"en": "Better on {items}.", "nl": "Beter op {items}."},
    "worse_on": {"en": "Worse on {items}.", "nl": "Slechter op {items}."},
    "changed_on": {"en": "Changed on {items}.", "nl": "Veranderd op {items}."},
    "unclear_on": {"en": "Unclear on {items}.", "nl": "Onduidelijk op {items}."},
    "unclear_item": {"en": "{metric} ({estimate}, adjusted p {p})", "nl": "{metric} ({estimate}, gecorrigeerde p {p})"},
    "harm_on": {"en": "Possible harm: {items}.", "nl": "Mogelijk nadeel: {items}."},
    "harm_item": {"en": "could be up to {bound} worse on {metric}", "nl": "tot {bound} slechter op {metric}"},
    "equivalent_on": {"en": "Equivalent on {items}.", "nl": "Gelijkwaardig op {items}."},
    "equivalent_item": {"en": "{metric} (within ±{margin})", "nl": "{metric} (binnen ±{margin})"},
    "non_inferior_on": {"en": "Not worse by more than the margin on {items}.",
                        "nl": "Niet meer dan de marge slechter op {items}."},
    "descriptive_on": {"en": "Too few cases for {items}.", "nl": "Te weinig cases voor {items}."},
    "better": {"en": "better", "nl": "beter"},
    "worse": {"en": "worse", "nl": "slechter"},
    "higher": {"en": "higher", "nl": "hoger"},
    "lower": {"en": "lower", "nl": "lager"},
    "equal": {"en": "equal", "nl": "gelijk"},
    "exploratory_on": {"en": "Exploratory, not confirmed (secondary measures, {how}): {items}.",
                       "nl": "Verkennend, niet bevestigd (secundaire maten, {how}): {items}."},
    "family": {"en": "Corrected over the primary family: {how} over {n} test{s} (chance of any false "
                     "difference in a run without real differences ≤ {alpha}).",
               "nl": "Gecorrigeerd over de primaire familie: {how} over {n} toets{s} (kans op een vals "
                     "verschil in een run zonder echte verschillen ≤ {alpha})."},
    "family_plain": {"en": "Primary family: {how} over {n} test{s}.",
                     "nl": "Primaire familie: {how} over {n} toets{s}."},
    "mde": {"en": "Smallest difference this run could detect ({power} power): {items}.",
            "nl": "Kleinste verschil dat deze run kon aantonen ({power} onderscheidend vermogen): {items}."},
    "header": {"en": "Decision per variant against the baseline {baseline} (primary: {primary}).",
               "nl": "Besluit per variant tegen de basisvariant {baseline} (primair: {primary})."},
    "simulated": {"en": "SIMULATED outputs: a demonstration, not evidence about a real model.",
                  "nl": "SIMULATED uitkomsten: een demonstratie, geen bewijs over een echt model."},
    "points": {"en": "points", "nl": "punten"},
    "pp": {"en": "percentage points", "nl": "procentpunt"},
    "ci": {"en": "95% CI", "nl": "95%-BI"},
    "cs": {"en": "95% CS (anytime-valid)", "nl": "95%-BR (altijd geldig)"},
    "to": {"en": "to", "nl": "tot"},
    "and": {"en": "and", "nl": "en"},
    "holm": {"en": "Holm", "nl": "Holm"},
    "bonferroni": {"en": "Bonferroni", "nl": "Bonferroni"},
    "bh": {"en": "Benjamini–Hochberg", "nl": "Benjamini–Hochberg"},
    "none": {"en": "no correction", "nl": "geen correctie"},
}


SEQUENTIAL_TEXT: dict[str, dict[str, str]] = {
    "better": {"en": "is better", "nl": "is beter"},
    "worse": {"en": "is worse", "nl": "is slechter"},
    "higher": {"en": "is higher", "nl": "is hoger"},
    "lower": {"en": "is lower", "nl": "is lager"},
    "equivalent": {"en": "is equivalent within the margin (futility: no difference that matters)",
                   "nl": "is gelijkwaardig binnen de marge (zinloos om door te gaan: geen verschil dat ertoe doet)"},
    "undecided": {"en": "is undecided", "nl": "is nog onbeslist"},
    "clause": {"en": "{candidate} {verb} on {metric}{where} ({est}, {conf} CS {lo}…{hi})",
               "nl": "{candidate} {verb} op {metric}{where} ({est}, {conf}-BR {lo}…{hi})"},
    "with_model": {"en": " with {model}", "nl": " met {model}"},
    "stopped": {"en": "stopped after {n} of {m} cases", "nl": "gestopt na {n} van {m} cases"},
    "ran_all": {"en": "ran all {m} cases", "nl": "alle {m} cases gebruikt"},
    "nothing_yet": {"en": "no primary comparisons yet", "nl": "nog geen primaire vergelijkingen"},
    "not_spent": {"en": "{calls} calls and {cost} not spent", "nl": "{calls} aanroepen en {cost} niet uitgegeven"},
    "no_look": {"en": "sequential run: no look yet (up to {m} cases, a look every {k})",
                "nl": "sequentiële run: nog geen tussenstand (tot {m} cases, elke {k} cases een tussenstand)"},
    "unfinished": {"en": "sequential run not finished: {where}", "nl": "sequentiële run niet af: {where}"},
    "look": {"en": "look {look}: {n} of {m} cases, {decided} of {tests} comparisons decided",
             "nl": "tussenstand {look}: {n} van {m} cases, {decided} van {tests} vergelijkingen beslist"},
    "design": {
        "en": "{where}. Sequential design: a look every {k} cases, up to {m}; the primary intervals are "
              "anytime-valid {conf} confidence sequences (Bonferroni over {tests}), valid however early the run "
              "stopped — not fixed-n t-intervals; other metrics are exploratory and not corrected for optional "
              "stopping.",
        "nl": "{where}. Sequentieel ontwerp: elke {k} cases een tussenstand, tot {m}; de intervallen van de primaire "
              "maten zijn altijd geldige {conf}-betrouwbaarheidsreeksen (Bonferroni over {tests}), geldig hoe vroeg "
              "de run ook stopte — geen t-intervallen voor een vaste n; de andere maten zijn verkennend en niet "
              "gecorrigeerd voor tussentijds stoppen.",
    },
    "tests": {"en": "{n} test", "nl": "{n} toets"},
    "tests_plural": {"en": "{n} tests", "nl": "{n} toetsen"},
}
