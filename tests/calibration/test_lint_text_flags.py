"""Per text: how often a wording lint says "flagged" for a vacancy text that has nothing it should flag.

The per-word precision and recall are in tests/scoring/test_lint_eval.py; what a recruiter reads on the
Check-text page and in a run's flag rates is one yes/no per text (`<lint>.flagged`). Measured on the
labelled evaluation set (tests/data/lint_eval/): a text counts as clean for a lint when it has no gold span
of that lint's label. The development passages (nl.txt, en.txt) were written before the lexicons were
tuned but were looked at while tuning; the held-out passages (heldout_*.txt) were not, so they are reported
apart. Small samples: every rate has its Wilson 95% interval.
"""

from __future__ import annotations

import pytest

from tests.calibration.conftest import Rate, Report
from tests.scoring.lint_eval import EVAL_DIR, parse
from workbench.scoring.base import ScoringContext
from workbench.scoring.bias_lint import lint_scorers

pytestmark = [pytest.mark.calibration]

# the lints that raise a per-text flag, and the gold label of what they should flag
FLAG_LABELS = {"age_coded": "age", "exclusion": "excl", "gendered_title": "title"}
SETS = {"development": ("nl.txt", "en.txt"), "held-out": ("heldout_nl.txt", "heldout_en.txt")}


def _flags(files: tuple[str, ...]) -> dict[str, tuple[int, int, int, int]]:
    """Per lint: (clean texts, clean texts flagged, texts with gold spans, those flagged)."""
    counts = {lint: [0, 0, 0, 0] for lint in FLAG_LABELS}
    for name in files:
        language = "nl" if "nl" in name else "en"
        ctx = ScoringContext(language, "vacancy_text")
        for passage in parse(EVAL_DIR / name):
            flagged = {s.metric.removesuffix(".flagged"): s.value == 1.0
                       for scorer in lint_scorers() for s in scorer.score(passage.text, ctx)
                       if s.metric.endswith(".flagged")}
            for lint, label in FLAG_LABELS.items():
                has_gold = any(g[2] == label for g in passage.gold)
                row = counts[lint]
                row[2 if has_gold else 0] += 1
                row[3 if has_gold else 1] += int(flagged.get(lint, False))
    return {lint: (a, b, c, d) for lint, (a, b, c, d) in counts.items()}


@pytest.mark.parametrize("which", list(SETS))
def test_clean_texts_are_rarely_flagged(which: str, calibration_report: Report) -> None:
    counts = _flags(SETS[which])
    for lint, (clean, false_flags, with_gold, found) in counts.items():
        calibration_report(f"{which} passages (NL+EN): '{lint} flagged' on a text with nothing to flag "
                           f"{Rate(false_flags, clean)}; flagged when it has a labelled span "
                           f"{Rate(found, with_gold) if with_gold else 'n/a (none labelled)'}")
    total_clean = sum(c[0] for c in counts.values())
    total_false = sum(c[1] for c in counts.values())
    assert total_clean >= 60
    assert Rate(total_false, total_clean).value <= 0.05
    for lint, (clean, false_flags, _, _) in counts.items():  # and each lint consistent with at most 5%
        assert Rate(false_flags, clean).ci[0] <= 0.05, lint
