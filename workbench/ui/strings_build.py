"""UI strings of the Build pages and the Overview's decision columns (issue #12, item 9), EN and NL."""

from __future__ import annotations

BUILD_STRINGS: dict[str, dict[str, str]] = {
    # Overview: every row opens its run, with the winner and the bias flag
    "col_winner": {"en": "Winner", "nl": "Winnaar"},
    "col_winner_help": {"en": "The variant the decision summary recommends over the baseline (Compare explains "
                              "why); “no decision yet” when no primary difference was shown.",
                        "nl": "De variant die de besluitsamenvatting aanraadt boven de basislijn (Vergelijken legt "
                              "uit waarom); „nog geen besluit” als er geen primair verschil is aangetoond."},
    "col_bias": {"en": "Bias", "nl": "Bias"},
    "col_bias_help": {"en": "The name-swap audit's overall flag and the prompt it comes from (runs without a "
                            "name-swap audit: –).",
                      "nl": "De totaalvlag van de naamwissel-audit en de prompt waar die vandaan komt (runs zonder "
                            "naamwissel-audit: –)."},
    "winner_none": {"en": "no decision yet", "nl": "nog geen besluit"},
    "winner_promising": {"en": "promising: {variants}", "nl": "veelbelovend: {variants}"},
    "winner_keep_baseline": {"en": "keep {baseline}", "nl": "{baseline} houden"},
    "winner_pending": {"en": "open the run to compute", "nl": "open de run om te berekenen"},
    "winner_running": {"en": "after the run", "nl": "na de run"},
    "overview_open_hint": {"en": "Click a row to open that run in Compare. Winner and bias are shown for the "
                                 "{n} newest runs; a run with more than {limit:,} outputs shows them once it has "
                                 "been opened.",
                           "nl": "Klik op een rij om die run te openen in Vergelijken. Winnaar en bias staan bij de "
                                 "{n} nieuwste runs; een run met meer dan {limit:,} uitvoeren toont ze zodra hij "
                                 "eenmaal is geopend."},
    # Run page: judge, elapsed time and ETA, the form locked while a run runs
    "run_judge": {"en": "Judge model (LLM judge)", "nl": "Beoordelaarsmodel (LLM-beoordelaar)"},
    "run_judge_help": {"en": "The model that scores the texts on the rubric. With a real model picked, the judge is a "
                             "real model too unless you choose the SIMULATED judge here.",
                       "nl": "Het model dat de teksten op het criterium scoort. Met een echt model gekozen is de "
                             "beoordelaar ook een echt model, tenzij je hier de GESIMULEERDE beoordelaar kiest."},
    "run_judge_simulated": {"en": "simulated:judge (SIMULATED)", "nl": "simulated:judge (SIMULATED)"},
    "run_judge_simulated_real": {"en": "The judge is SIMULATED while real models write the texts: its clarity "
                                       "scores are synthetic and say nothing about these outputs.",
                                 "nl": "De beoordelaar is GESIMULEERD terwijl echte modellen de teksten schrijven: "
                                       "de helderheidsscores zijn synthetisch en zeggen niets over deze teksten."},
    "run_role_judge": {"en": " (judge)", "nl": " (beoordelaar)"},
    "run_elapsed": {"en": "Elapsed {elapsed}", "nl": "Verstreken {elapsed}"},
    "run_eta": {"en": " · about {left} left (at the pace so far)", "nl": " · nog ongeveer {left} (in het tempo tot "
                                                                       "nu toe)"},
    "run_form_locked": {"en": "The form is locked while run “{experiment}” runs: wait for it, or cancel it above.",
                        "nl": "Het formulier is vergrendeld zolang run „{experiment}” loopt: wacht tot hij klaar is "
                              "of stop hem hierboven."},
    "run_prefilled": {"en": "Pre-filled from the Prompts page: {variant} against its base {base}.",
                      "nl": "Ingevuld vanaf de pagina Prompts: {variant} tegen zijn basis {base}."},
    # Prompts page: the library table, a prompt from scratch, testing a variant against its base
    "prompts_library_title": {"en": "Library", "nl": "Bibliotheek"},
    "prompts_col_id": {"en": "Prompt", "nl": "Prompt"},
    "prompts_col_task": {"en": "Task", "nl": "Taak"},
    "prompts_col_language": {"en": "Language", "nl": "Taal"},
    "prompts_col_based_on": {"en": "Based on", "nl": "Gebaseerd op"},
    "prompts_col_description": {"en": "Description", "nl": "Beschrijving"},
    "prompts_col_file": {"en": "File", "nl": "Bestand"},
    "prompts_scratch_title": {"en": "Write a new prompt from scratch", "nl": "Een nieuwe prompt vanaf nul schrijven"},
    "prompts_scratch_caption": {"en": "Use {variable} for the columns of a dataset (e.g. {job_title}); the "
                                      "preview below checks it against the chosen test case.",
                                "nl": "Gebruik {variabele} voor de kolommen van een dataset (bijv. {job_title}); "
                                      "de voorbeeldweergave hieronder toetst hem aan de gekozen testcase."},
    "prompts_scratch_id": {"en": "new_prompt", "nl": "nieuwe_prompt"},
    "prompts_test_base": {"en": "Test against its base", "nl": "Testen tegen de basis"},
    "prompts_test_base_help": {"en": "Opens the Run page with this prompt and {base} (as the baseline) chosen.",
                               "nl": "Opent de pagina Uitvoeren met deze prompt en {base} (als basislijn) gekozen."},
    "prompts_base_missing": {"en": "Its base {base} is not in the library.",
                             "nl": "De basis {base} staat niet in de bibliotheek."},
}
