"""One format per quantity, English and Dutch (workbench.number_format), and bidi neutralising."""

from __future__ import annotations

import math

from markupsafe import Markup

from workbench import number_format as nf
from workbench.bidi import neutralise, neutralise_value


def test_quantities_in_english() -> None:
    assert nf.p_value(0.0312) == "0.031" and nf.p_value(0.5) == "0.5" and nf.p_value(3e-5) == "<0.0001"
    assert nf.estimate(0.12, "binary") == "+12.0 pp" and nf.estimate(-1.234) == "-1.23"
    assert nf.interval(-0.03, 0.27, "binary") == "-3.0 … +27.0" and nf.interval(0.1, 0.5) == "+0.10 … +0.50"
    assert nf.mde(-0.2417, "binary") == "24.2 pp" and nf.mde(0.2449) == "0.24" and nf.mde(123) == "120"
    assert nf.rate(0.125) == "12.5%" and nf.ratio(0.8) == "0.80" and nf.effect_size(-1.05) == "-1.05"
    assert nf.count(12345) == "12,345" and nf.number(1234.5678) == "1,234.57"


def test_quantities_in_dutch() -> None:
    assert nf.number(1234.5, 1, lang="nl") == "1.234,5" and nf.count(12345, "nl") == "12.345"
    assert nf.estimate(0.032, "binary", "nl") == "+3,2 %-punt" and nf.rate(0.24, "nl") == "24,0%"
    assert nf.p_value(0.031, "nl") == "0,031" and nf.p_value(1e-6, "nl") == "<0,0001"
    assert nf.money(None, lang="nl") == "onbekend"


def test_missing_values_and_signs() -> None:
    for value in (None, math.nan, math.inf, "x"):
        assert nf.number(value) == nf.MISSING and nf.p_value(value) == nf.MISSING
    assert nf.number(-0.001, 2, signed=True) == "+0.00"  # never "-0.00"
    assert nf.significant(0.999) == "1.0" and nf.significant(-0.0049) == "-0.0049"


def test_money_never_prints_an_unknown_price_as_zero() -> None:
    assert nf.money(None) == "unknown"
    assert nf.money(0.0, unknown=True) == "unknown"
    assert nf.money(1.5, unknown=True) == "$1.5000 + unknown"
    assert nf.money(0.0) == "$0.0000"  # a known zero (simulated, cached) is zero


def test_bidi_controls_become_visible() -> None:
    assert neutralise("a\u202eb\u2066c\u200fd") == "a[U+202E]b[U+2066]c[U+200F]d"
    safe = neutralise_value(Markup("<b>x\u202ey</b>"))
    assert isinstance(safe, Markup) and str(safe) == "<b>x[U+202E]y</b>"
    assert neutralise_value(3) == 3
