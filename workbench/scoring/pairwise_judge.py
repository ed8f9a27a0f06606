"""Pairwise LLM judge with position swap (`judge: {mode: pairwise}`).

For every judge rubric, every candidate output is paired with the baseline output of the same case, model,
repeat (and swapped-in name), and the judge is asked twice which of the two is better on the rubric: once
with the candidate shown first, once with the order swapped. Both answers are stored as ratings by
``llm-judge:<rubric>``, output a being the text shown first (``left`` = "a"), so the judge's position bias
is measured from them directly. For the analysis the two answers are consolidated: the same winner
twice is that winner; anything else (the judge changed its mind when the order changed, or said tie) is a
tie. The consolidated verdicts feed the same sign test / Bradley–Terry analysis as the recruiters' blind
ratings (`workbench.stats.analyse_preferences`) and the judge–recruiter agreement
(`workbench.analysis.judge_agreement`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from workbench.experiment.spec import ModelSpec
from workbench.providers.base import CompletionRequest
from workbench.scoring.judge import Rubric, judge_call

JUDGE_RATER_PREFIX = "llm-judge:"

_SYSTEM = (
    "You are a careful evaluator of recruitment texts. You compare two texts written for the same task on one "
    "rubric. Judge only the texts, not their order or length. Reply with JSON only: "
    '{"winner": "1" or "2" or "tie", "rationale": "<one sentence>"}.'
)
_JSON = re.compile(r"\{.*\}", re.S)


def judge_rater(rubric: str) -> str:
    return f"{JUDGE_RATER_PREFIX}{rubric}"


def pairwise_request(
    rubric: Rubric, first: str, second: str, task: str, language: str, model: ModelSpec, seed: int,
    first_variant: str, second_variant: str,
) -> CompletionRequest:
    """One pairwise question: which of the two texts (shown in this order) is better on the rubric?"""
    user = (
        f"Task of the texts: {task} (language: {language}).\n"
        f"Rubric ({rubric.name}): {rubric.instructions}\n\n"
        f"<text_1>\n{first}\n</text_1>\n\n<text_2>\n{second}\n</text_2>\n\n"
        "Which text is better on this rubric: 1, 2, or tie?"
    )
    # Variant names never reach a real judge (blind); only the simulated judge's planted effects use them.
    return judge_call(model, _SYSTEM, user, seed,
                      {"judge_pairwise": rubric.name, "first_variant": first_variant, "second_variant": second_variant})


def parse_choice(reply: str) -> str | None:
    """"1", "2" or "tie" from the judge's reply; None when it cannot be read."""
    match = _JSON.search(reply or "")
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            value = str(data.get("winner", "")).strip().lower()
            if value in ("1", "2", "tie"):
                return value
    stripped = (reply or "").strip().lower().strip(".\"'")
    return stripped if stripped in ("1", "2", "tie") else None


def rating_row(choice: str) -> dict[str, str]:
    """A stored rating: output a is the text shown first (left), b the one shown second."""
    return {"winner": {"1": "a", "2": "b", "tie": "tie"}[choice], "left": "a"}


def consolidate(raw: pd.DataFrame) -> pd.DataFrame:
    """Both answers per pair → one preference: the same winner twice is that winner, else a tie.

    ``raw``: output_a_id, output_b_id, winner, rater (``llm-judge:<rubric>``). Returns first, second (output
    ids, first < second), rubric and pref (+1 first better, 0 tie, −1 second better), as
    ``judge_agreement.preferences_from_scores`` does."""
    from workbench.analysis.judge_agreement import oriented_preferences

    if raw.empty:
        return pd.DataFrame(columns=["first", "second", "rubric", "pref"])
    prefs = oriented_preferences(raw)
    prefs["rubric"] = prefs["rater"].str.removeprefix(JUDGE_RATER_PREFIX)
    grouped = prefs.groupby(["first", "second", "rubric"])["pref"]
    # both orders must give the same answer; a changed mind (or a missing answer) is a tie
    return grouped.agg(lambda s: int(s.iloc[0]) if len(s) >= 2 and s.nunique() == 1 else 0).reset_index()


def consolidated_ratings(raw: pd.DataFrame) -> pd.DataFrame:
    """The consolidated verdicts in the shape `analyse_preferences` reads (case, variant_a, variant_b,
    winner, left=None, rater), one per pair and rubric, oriented as the pair's first answer (the candidate
    shown first); ``raw`` as stored (see `pair_ratings`)."""
    columns = ["case", "variant_a", "variant_b", "winner", "left", "rater", "model"]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    flip = {"a": "b", "b": "a", "tie": "tie"}
    low = raw[["output_a_id", "output_b_id"]].min(axis=1)
    high = raw[["output_a_id", "output_b_id"]].max(axis=1)
    rows: list[dict[str, Any]] = []
    for _, group in raw.groupby([low, high, raw["rater"]], sort=False):
        first = group.iloc[0]
        winners = {w if a == first["output_a_id"] else flip[w] for a, w in zip(group["output_a_id"], group["winner"],
                                                                              strict=True)}
        winner = winners.pop() if len(group) >= 2 and len(winners) == 1 else "tie"
        rows.append({"case": first["case"], "variant_a": first["variant_a"], "variant_b": first["variant_b"],
                     "winner": winner, "left": None, "rater": first["rater"], "model": first["model"]})
    return pd.DataFrame(rows, columns=columns)
