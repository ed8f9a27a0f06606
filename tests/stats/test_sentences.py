"""Sentence formatting of verdicts and number formatting helpers."""

from __future__ import annotations

import pytest

from workbench.number_format import NA, decimals_for, number, p_value
from workbench.stats import Verdict


def make(**overrides) -> Verdict:
    base = dict(
        model="gpt",
        metric="readability",
        variant="vacancy_nl_inclusive",
        baseline="vacancy_nl_formal",
        kind="numeric",
        higher_is_better=True,
        estimate=6.2,
        ci_low=3.1,
        ci_high=9.4,
        confidence=0.95,
        ci_method="paired t-interval",
        p_value=0.0004,
        p_method="Monte Carlo sign-flip permutation (10,000 flips)",
        p_adjusted=0.002,
        correction="holm",
        alpha=0.05,
        significant=True,
        direction="better",
        descriptive_only=False,
        n_cases=20,
        n_repeats=3,
        n_dropped=0,
        n_better=17,
        n_worse=2,
        n_tied=1,
        variant_mean=60.0,
        baseline_mean=53.8,
        d_z=0.81,
    )
    base.update(overrides)
    return Verdict(**base)


def test_significant_sentence_matches_the_spec_example():
    assert make().sentence() == (
        "vacancy_nl_inclusive beats vacancy_nl_formal on readability by +6.2 points (95% CI 3.1 to 9.4), "
        "p=0.0004, Holm-adjusted p=0.002, d_z=0.81, 17 better / 2 worse / 1 tied, n=20 cases × 3 repeats"
    )


def test_not_significant_sentence_reports_ci_and_mde():
    v = make(
        estimate=0.55,
        ci_low=-1.2,
        ci_high=2.3,
        p_value=0.41,
        p_adjusted=0.82,
        significant=False,
        mde=3.4,
        d_z=0.12,
        n_better=9,
        n_worse=8,
        n_tied=3,
    )
    text = v.sentence()
    assert text.startswith("no significant difference between vacancy_nl_inclusive and vacancy_nl_formal")
    assert "(95% CI -1.2 to 2.3)" in text
    assert text.endswith("minimum detectable effect at 80% power: 3.4 points")
    assert "no difference" not in text.replace("no significant difference", "")


@pytest.mark.parametrize(
    ("hib", "direction", "estimate", "phrase"),
    [
        (True, "worse", -6.2, "vacancy_nl_inclusive is worse than vacancy_nl_formal on readability by -6.2"),
        (False, "better", -6.2, "beats vacancy_nl_formal on readability (lower is better) by -6.2"),
        (None, "higher", 6.2, "vacancy_nl_inclusive scores higher than vacancy_nl_formal on readability"),
        (None, "lower", -6.2, "vacancy_nl_inclusive scores lower than vacancy_nl_formal on readability"),
    ],
)
def test_direction_wording(hib, direction, estimate, phrase):
    ci = (estimate - 3.1, estimate + 3.2)
    v = make(higher_is_better=hib, direction=direction, estimate=estimate, ci_low=ci[0], ci_high=ci[1])
    assert phrase in v.sentence()
    if hib is None:
        assert "17 higher / 2 lower / 1 tied" in v.sentence()


def test_binary_sentence_in_percentage_points_with_mcnemar():
    v = make(
        kind="binary",
        estimate=0.15,
        ci_low=0.032,
        ci_high=0.271,
        p_method="exact McNemar (binomial ...)",
        p_value=0.021,
        p_adjusted=0.021,
        n_repeats=1,
        metric="mentions_salary",
    )
    text = v.sentence()
    assert "by +15 percentage points (95% CI 3 to 27)" in text
    assert "exact McNemar p=0.021" in text and "× 1 repeat" in text and "repeats" not in text


def test_descriptive_and_uncorrected_sentences():
    v = make(descriptive_only=True, significant=False, p_value=None, p_adjusted=None, n_cases=4)
    assert "descriptive only" in v.sentence() and "p=" not in v.sentence()
    v = make(correction="none", p_adjusted=0.0004)
    assert "adjusted" not in v.sentence()
    v = make(p_value=0.00001, p_adjusted=0.00003)
    assert "p<0.0001, Holm-adjusted p<0.0001" in v.sentence()


def test_number_formatting_helpers():
    assert p_value(0.0004) == "0.0004"
    assert p_value(0.0493) == "0.049"
    assert p_value(0.43) == "0.43"
    assert p_value(float("nan"), missing=NA) == "n/a"
    assert decimals_for(3.1, 9.4) == 1
    assert decimals_for(0.031, 0.094) == 3
    assert decimals_for(None, None, 250.0) == 0
    assert number(-0.00001, 2, signed=True) == "+0.00"
    assert number(2.345, 1) == "2.3"
