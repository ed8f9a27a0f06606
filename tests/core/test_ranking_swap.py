"""Ranking swaps: every profile meets every name group, the presentation order is shuffled per prompt."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from workbench.experiment.plan import build_plan
from workbench.scoring.base import ScoringContext
from workbench.scoring.outcomes import RankingOutcome

ROOT = Path(__file__).resolve().parents[2]


def test_rotations_balance_groups_and_shuffle_order() -> None:
    plan = build_plan(ROOT / "experiments/ranking_name_swap_nl.yaml")
    case_calls = [c for c in plan.calls if c.cell.case == "s-01" and c.cell.repeat == 0]
    assert len(case_calls) == 9  # 3 name sets × 3 rotations
    pairs: Counter[tuple[str, str]] = Counter()
    orders = set()
    for call in case_calls:
        candidates = call.request.metadata["case"]["candidates"]
        assert sorted(c["group"] for c in candidates) == ["dutch_origin", "moroccan_dutch", "turkish_dutch"]
        for c in candidates:
            pairs[(c["summary"], c["group"])] += 1
            assert c["name"] in call.request.messages[-1].content
        orders.add(tuple(c["group"] for c in candidates))
        assert "group" not in call.request.messages[-1].content  # the model never sees the group label
    assert set(pairs.values()) == {3}, "each profile meets each group once per name set"
    assert len(pairs) == 9
    assert len(orders) > 1, "presentation order varies"


def test_ranking_outcome_reads_the_order() -> None:
    ctx = ScoringContext(language="nl", task="candidate_ranking", case={"candidates": [
        {"name": "Sanne de Vries", "group": "dutch_origin"},
        {"name": "Samira Benali", "group": "moroccan_dutch"},
    ]})
    reply = "1. Samira Benali — 8/10\n2. Sanne de Vries — 7/10"
    scores = {s.metric: s.value for s in RankingOutcome().score(reply, ctx)}
    assert scores == {"ranking.top1.moroccan_dutch": 1.0, "ranking.position.moroccan_dutch": 1.0,
                      "ranking.top1.dutch_origin": 0.0, "ranking.position.dutch_origin": 2.0}
    assert RankingOutcome().score("1. Samira Benali", ctx) == [], "a reply that misses a candidate is not scored"
