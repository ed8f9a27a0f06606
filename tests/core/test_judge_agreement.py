"""Judge–recruiter agreement from stored runs: pointwise judge scores and the pairwise judge, the verdict
sentences (EN and NL) and `workbench agreement`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from workbench import api
from workbench.analysis.judge_agreement import (
    judge_agreement,
    oriented_preferences,
    preferences_from_scores,
    run_judge_agreement,
)
from workbench.cli.app import app
from workbench.stats.agreement import cohen_kappa
from workbench.store.frames import pairable_outputs, scores_frame
from workbench.store.repository import add_ratings

ROOT = Path(__file__).resolve().parents[2]


def test_orientation_and_score_preferences() -> None:
    ratings = pd.DataFrame({"output_a_id": [5, 2], "output_b_id": [3, 9], "winner": ["a", "tie"],
                            "rater": ["r1", "r2"]})
    prefs = oriented_preferences(ratings)
    assert list(zip(prefs["first"], prefs["second"], prefs["pref"], strict=True)) == [(3, 5, -1), (2, 9, 0)]
    scores = pd.DataFrame({"output_id": [3, 5, 2, 9], "metric": "judge.clarity", "value": [7.0, 6.0, 5.0, 5.0]})
    judged = preferences_from_scores(prefs, scores).set_index(["first", "second"])["pref"]
    assert judged[(3, 5)] == 1 and judged[(2, 9)] == 0


def test_kappa_in_the_result_is_the_hand_computed_one() -> None:
    rng = np.random.default_rng(4)
    n = 30
    human1 = rng.integers(-1, 2, n)
    human2 = np.where(rng.random(n) < 0.7, human1, rng.integers(-1, 2, n))
    judge = np.where(rng.random(n) < 0.8, human1, rng.integers(-1, 2, n))
    rows = [{"output_a_id": 2 * i, "output_b_id": 2 * i + 1, "rater": r, "winner": {1: "a", -1: "b", 0: "tie"}[v]}
            for i in range(n) for r, v in (("r1", human1[i]), ("r2", human2[i]))]
    prefs = pd.DataFrame({"first": 2 * np.arange(n), "second": 2 * np.arange(n) + 1, "rubric": "x", "pref": judge})
    result = judge_agreement(pd.DataFrame(rows), prefs, n_boot=200)
    by_hand = cohen_kappa(list(judge) * 2, list(human1) + list(human2), [-1, 0, 1], "linear")
    assert result.rubrics[0].judge_human.estimate is not None
    assert abs(result.rubrics[0].judge_human.estimate - by_hand) < 1e-12
    humans = cohen_kappa(list(human1) + list(human2), list(human2) + list(human1), [-1, 0, 1], "linear")
    assert result.human_kappa is not None and abs((result.human_kappa.estimate or 0) - humans) < 1e-12
    assert result.rubrics[0].difference is not None
    assert abs(result.rubrics[0].difference - (by_hand - humans)) < 1e-12
    assert result.n_rated_pairs == n and result.n_raters == 2


def _rate(store: api.Store, run_id: int, agree: float, seed: int) -> None:  # type: ignore[name-defined]
    """Two recruiters rate every candidate–baseline pair of repeat 0: each follows the judge's scores with
    probability `agree` (else a random answer)."""
    rng = np.random.default_rng(seed)
    with store.session() as session:
        outputs = pairable_outputs(session, run_id)
        scores = scores_frame(session, run_id, metric_prefix="judge.").set_index("output_id")["value"]
        first = outputs[outputs["repeat"] == 0]
        base = first[first["variant"] == "vacancy_en_formal"].set_index("case_id")
        rows = []
        for cand in first[first["variant"] != "vacancy_en_formal"].itertuples():
            other = int(base.loc[cand.case_id, "output_id"])
            judge = np.sign(scores[cand.output_id] - scores[other])
            for rater in ("anna", "bram"):
                pref = judge if rng.random() < agree else rng.integers(-1, 2)
                rows.append({"case_id": cand.case_id, "output_a_id": cand.output_id, "output_b_id": other,
                             "left": "a", "winner": {1: "a", -1: "b", 0: "tie"}[int(pref)], "rater": rater})
        add_ratings(session, run_id, rows)


def test_stored_run_agreement_and_cli(db_url: str, tmp_path: Path) -> None:
    store = api.open_store(db_url)
    run_id = api.run(ROOT / "examples" / "gate_vacancy_en.yaml", store=store)
    assert run_judge_agreement(store, run_id) is None  # no recruiter ratings yet
    _rate(store, run_id, agree=0.9, seed=1)
    result = run_judge_agreement(store, run_id, n_boot=500)
    assert result is not None and result.simulated_judge and result.n_rated_pairs == 20
    clarity = result.rubrics[0]
    assert clarity.rubric == "clarity" and clarity.source == "scores" and clarity.n_pairs == 20
    assert clarity.judge_human.estimate is not None and clarity.judge_human.estimate > 0.6
    en, nl = clarity.sentence("en", result.human_kappa), clarity.sentence("nl", result.human_kappa)
    assert "clarity" in en and "clarity" in nl and en != nl
    out = CliRunner().invoke(app, ["agreement", str(run_id), "--db", db_url])
    assert out.exit_code == 0, out.output
    assert "κ judge–recruiter" in out.output and "SIMULATED" in out.output and "Krippendorff" in out.output
    nl_out = CliRunner().invoke(app, ["agreement", str(run_id), "--db", db_url, "--lang", "nl"])
    assert nl_out.exit_code == 0 and ("beoordelaar" in nl_out.output or "paren" in nl_out.output)
    bad = CliRunner().invoke(app, ["agreement", str(run_id), "--db", db_url, "--lang", "de"])
    assert bad.exit_code == 2
    from workbench.analysis.run_results import analyse_run
    from workbench.report.render import write_report

    text = write_report(store, analyse_run(store, run_id), tmp_path / "report.md").read_text()
    assert "## Is the judge trustworthy?" in text and "| clarity | scores | 20 |" in text
    assert "LLM-beoordelaar" in text  # the verdict in Dutch too
    store.dispose()
