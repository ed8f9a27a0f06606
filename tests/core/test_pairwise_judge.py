"""The pairwise judge with position swap, tested with a deliberately position-biased SIMULATED judge.

Two identical prompts (a copy of the formal vacancy prompt under another id): any "preference" for one of
them is bias. A judge that picks the text shown first 80% of the time makes the candidate "win" when it is
always shown first; asked in both orders with inconsistent answers counted as ties, the consolidated
verdicts show no preference, while the raw answers expose the position bias."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.calibration.simulate import write_variant
from workbench import api
from workbench.analysis.run_results import analyse_run
from workbench.scoring.pairwise_judge import consolidate, consolidated_ratings, parse_choice, rating_row
from workbench.stats import analyse_preferences
from workbench.store.frames import pair_ratings

ROOT = Path(__file__).resolve().parents[2]


def test_choice_parsing_and_rating_rows() -> None:
    assert parse_choice('{"winner": "1", "rationale": "x"}') == "1"
    assert parse_choice('Sure! {"winner": "tie"}') == "tie"
    assert parse_choice("2") == "2"
    assert parse_choice("the first one") is None
    # output a is the text shown first
    assert rating_row("1") == {"winner": "a", "left": "a"}
    assert rating_row("2") == {"winner": "b", "left": "a"}
    assert rating_row("tie") == {"winner": "tie", "left": "a"}


def test_inconsistent_answers_are_ties() -> None:
    raw = pd.DataFrame([  # output a = the text shown first
        # pair 1: "the first shown" both times = the judge changed its mind -> tie
        {"output_a_id": 1, "output_b_id": 2, "winner": "a", "left": "a", "rater": "llm-judge:clarity"},
        {"output_a_id": 2, "output_b_id": 1, "winner": "a", "left": "a", "rater": "llm-judge:clarity"},
        # pair 2: output 3 wins in both orders
        {"output_a_id": 3, "output_b_id": 4, "winner": "a", "left": "a", "rater": "llm-judge:clarity"},
        {"output_a_id": 4, "output_b_id": 3, "winner": "b", "left": "a", "rater": "llm-judge:clarity"},
        # pair 3: one answer missing -> tie
        {"output_a_id": 6, "output_b_id": 5, "winner": "a", "left": "a", "rater": "llm-judge:clarity"},
    ])
    prefs = consolidate(raw).set_index(["first", "second"])["pref"]
    assert prefs[(1, 2)] == 0 and prefs[(3, 4)] == 1 and prefs[(5, 6)] == 0
    raw = raw.assign(case=["c1", "c1", "c2", "c2", "c3"], variant_a=["cand", "base", "cand", "base", "cand"],
                     variant_b=["base", "cand", "base", "cand", "base"], model="m")
    consolidated = consolidated_ratings(raw)
    assert list(consolidated["winner"]) == ["tie", "a", "tie"]
    assert list(consolidated["variant_a"]) == ["cand"] * 3


def _spec(folder: Path, position_bias: float, quality: float = 0.0) -> Path:
    base = write_variant(folder / "base.yaml", ROOT / "prompts/vacancy_en_formal.yaml", "ad_base")
    copy = write_variant(folder / "copy.yaml", ROOT / "prompts/vacancy_en_formal.yaml", "ad_copy")
    simulate = {"position_bias": position_bias, "effects": [{"variant": "ad_copy", "quality": quality}]}
    spec = {
        "name": "pairwise-judge", "task": "vacancy_text", "variants": [str(base), str(copy)],
        "dataset": str(ROOT / "experiments/data/vacancies_en.csv"), "models": ["simulated:default"],
        "repeats": 2, "baseline": "ad_base", "scorers": ["length", "judge:clarity"], "seed": 5,
        "judge": {"model": "simulated:judge", "mode": "pairwise",
                  "params": {"temperature": 0, "simulate": simulate}},
    }
    path = folder / f"pairwise-{position_bias}-{quality}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_position_biased_judge_is_caught_and_neutralised(tmp_path: Path, db_url: str) -> None:
    store = api.open_store(db_url)
    run_id = api.run(_spec(tmp_path, position_bias=0.8), store=store)
    with store.session() as session:
        raw = pair_ratings(session, run_id)
    assert len(raw) == 2 * 20 * 2  # 20 cases × 2 repeats, each pair asked in both orders
    assert set(raw["rater"]) == {"llm-judge:clarity"}

    # Without the swap (only the answers with the candidate shown first) the copy "wins" by a wide margin:
    first_only = raw[raw["variant_a"] == "ad_copy"].assign(left=lambda f: f["variant_a"])
    naive = analyse_preferences(first_only, reference="ad_base").pairs[0]
    assert naive.significant and naive.cases_x > 3 * naive.cases_y

    result = analyse_run(store, run_id)
    clarity = result.judge_preferences["clarity"]
    assert clarity.position_bias.significant and (clarity.position_bias.left_win_rate or 0) > 0.75
    pair = clarity.pairs[0]
    assert not pair.significant  # identical prompts: after the swap, no preference
    assert pair.ratings_tied >= 0.6 * pair.n_ratings  # the biased answers became ties
    assert result.preferences is None  # the judge's answers are not recruiter ratings
    print(f"first-shown-only: copy wins {naive.cases_x} cases vs {naive.cases_y}; swapped & consolidated: "
          f"{pair.ratings_x} / {pair.ratings_y} / {pair.ratings_tied} tied, p={pair.p_value}; "
          f"left won {clarity.position_bias.left_win_rate:.0%} of raw answers")
    from workbench.report.render import write_report

    text = write_report(store, result, tmp_path / "report.md").read_text()
    assert "## Pairwise LLM judge (position-swapped)" in text and "position bias" in text
    store.dispose()


@pytest.mark.parametrize(("bias", "quality", "worse"), [(0.0, 0.0, False), (0.3, -2.0, True)])
def test_real_differences_survive_the_swap(tmp_path: Path, db_url: str, bias: float, quality: float,
                                           worse: bool) -> None:
    store = api.open_store(db_url)
    run_id = api.run(_spec(tmp_path, position_bias=bias, quality=quality), store=store)
    clarity = analyse_run(store, run_id).judge_preferences["clarity"]
    pair = clarity.pairs[0]
    assert (pair.variant_x, pair.variant_y) == ("ad_copy", "ad_base")
    if worse:  # the copy is planted 2 points worse: the baseline wins, position bias or not
        assert pair.significant and pair.cases_y > pair.cases_x
    else:
        assert not pair.significant and not clarity.position_bias.significant
    store.dispose()
