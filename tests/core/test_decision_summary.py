"""The decision summary per variant (workbench.analysis.decision_summary): structure and sentences in EN and NL."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.stats.conftest import frame_from_matrix
from workbench.analysis.decision_summary import decision_sentence, decision_summary, summary_lines
from workbench.stats import analyse


def _analysis(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 40
    base = rng.normal(6, 1, n)
    cols = {
        # "good": clearly better on clarity; "bad": clearly worse; "risky": better on clarity, noisy on tone
        "clarity": np.column_stack([base, base + 1.0 + rng.normal(0, 0.4, n), base - 1.0 + rng.normal(0, 0.4, n),
                                    base + 1.0 + rng.normal(0, 0.4, n)]),
        "tone": np.column_stack([base, base + rng.normal(0, 0.2, n), base + rng.normal(0, 0.2, n),
                                 base - 0.3 + rng.normal(0, 2.5, n)]),
        "words": np.column_stack([base * 30, base * 30 + 40 + rng.normal(0, 5, n), base * 30, base * 30]),
    }
    frame = pd.concat([frame_from_matrix(m, ["base", "good", "bad", "risky"], metric=k) for k, m in cols.items()])
    return analyse(frame, "base", primary=["clarity", "tone"], metric_directions={"clarity": True, "tone": True},
                   margins={"tone": 0.5}, n_bootstrap=0, seed=seed)


def test_structure_per_variant():
    summary = decision_summary(_analysis(), simulated=True)
    assert summary.primary_metrics == ("clarity", "tone") and summary.baseline == "base"
    good, bad, risky = (summary.for_variant(v) for v in ("good", "bad", "risky"))
    assert good.recommendation == "adopt" and [f.metric for f in good.better] == ["clarity"]
    assert [f.metric for f in good.equivalent] == ["tone"]  # only from the TOST against the 0.5 margin
    assert [(f.metric, f.outcome) for f in good.exploratory] == [("words", "higher")]
    assert bad.recommendation == "reject" and [f.metric for f in bad.worse] == ["clarity"]
    assert risky.recommendation == "promising" and [f.metric for f in risky.possible_harm] == ["tone"]
    harm = risky.possible_harm[0]
    assert harm.harm_bound is not None and harm.harm_bound > 0.5 and harm.harm_bound == pytest.approx(-harm.ci_low)
    assert good.family is not None
    assert (good.family.name, good.family.correction, good.family.size) == ("primary", "holm", 6)
    assert all(f.mde is not None and f.mde > 0 for f in good.primary)
    payload = json.loads(json.dumps(summary.to_dict(), allow_nan=False))
    assert {d["variant"]: d["recommendation"] for d in payload["decisions"]} == {
        "bad": "reject", "good": "adopt", "risky": "promising"}
    assert payload["simulated"] is True


def test_sentences_in_english_and_dutch():
    summary = decision_summary(_analysis(), simulated=True)
    en = summary_lines(summary, "en", label=str.upper)
    assert en[0] == "Decision per variant against the baseline base (primary: CLARITY and TONE)."
    assert en[1].startswith("SIMULATED outputs")
    bad, good, risky = en[2:]  # in the analysis' (sorted) order
    assert good.startswith("good vs base: adopt: better on CLARITY, and worse on no primary measure.")
    assert "Better on CLARITY (+1.12 points, 95% CI 0.98" in good and "Equivalent on TONE (within ±0.50 points)" in good
    assert "Exploratory, not confirmed (secondary measures, Benjamini–Hochberg): WORDS higher (+" in good
    assert "Corrected over the primary family: Holm over 6 tests" in good and "≤ 5%" in good
    assert "Smallest difference this run could detect (80% power): CLARITY" in good
    assert bad.startswith("bad vs base: do not adopt: worse on CLARITY.")
    assert risky.startswith("risky vs base: promising, not yet safe: better on CLARITY, but could be worse on TONE.")
    assert "Possible harm: could be up to" in risky and "points worse on TONE" in risky
    nl = summary_lines(summary, "nl")
    assert nl[0] == "Besluit per variant tegen de basisvariant base (primair: clarity en tone)."
    assert nl[3].startswith("good tegen base: overnemen: beter op clarity, en op geen enkele primaire maat slechter.")
    assert "Gecorrigeerd over de primaire familie: Holm over 6 toetsen" in nl[3] and "95%-BI" in nl[3]
    assert "Mogelijk nadeel: tot " in nl[4] and "," in nl[4].split("tot ")[1][:5]  # Dutch decimal comma
    assert "points" not in " ".join(nl) and "punten" in nl[3]


def test_no_decision_and_descriptive_and_several_models():
    frame = frame_from_matrix(np.random.default_rng(3).normal(0, 1, (30, 2)), ["base", "v"], metric="q")
    two = pd.concat([frame, frame.assign(model="other")])
    summary = decision_summary(analyse(two, "base", metric_directions={"q": True}, n_bootstrap=0))
    assert [d.recommendation for d in summary.decisions] == ["no_decision", "no_decision"]
    lines = summary_lines(summary, "en")
    assert "v vs base (m): no decision yet: no primary difference shown." in lines[1]
    assert "Unclear on q (" in lines[1] and "adjusted p" in lines[1]
    small = frame_from_matrix(np.ones((4, 2)), ["base", "v"], metric="q")
    d = decision_summary(analyse(small, "base", n_bootstrap=0)).decisions[0]
    assert d.recommendation == "descriptive"
    assert decision_sentence(d, "nl").startswith("v tegen base: te weinig testcases voor een oordeel")
