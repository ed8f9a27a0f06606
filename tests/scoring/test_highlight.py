"""highlight(): escaping, overlapping spans, formats."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scoring.helpers import ctx
from workbench.scoring.bias_lint import AgeCodedScorer, GenderCodedScorer, highlight
from workbench.scoring.matches import Match


def _m(text: str, word: str, category: str = "masculine", rule: str = "r", severity: str = "low") -> Match:
    start = text.index(word)
    return Match(
        start=start, end=start + len(word), text=word, category=category, rule=rule, severity=severity
    )


def test_html_escapes_text_and_marks_matches() -> None:
    text = '<script>alert("x")</script> & a dominant <b>leader</b>'
    out = highlight(
        text,
        [_m(text, "dominant", rule="gender_decoder_en:dominant"), _m(text, "leader", category="feminine")],
    )
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert '<mark class="masc sev-low" tabindex="0" data-tip="&#x27;dominant&#x27; is masculine-coded' in out
    assert "Instead: well established, well known." in out  # alternatives of the precise entry
    assert '<mark class="fem sev-low" tabindex="0" data-tip="&#x27;leader&#x27; is feminine-coded' in out
    # Removing the marks and unescaping gives the original text back.
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text


def test_html_escapes_inside_matches_and_titles() -> None:
    text = "a <x> b"
    out = highlight(text, [_m(text, "<x>", category="age", rule='q"<', severity="high")])
    assert out.startswith('a <mark class="age sev-high" tabindex="0" data-tip="matched rule q&quot;&lt; (Source: ')
    assert out.endswith('aria-label="&lt;x&gt;: matched rule q&quot;&lt; (Source: age/exclusion patterns (College '
                        'voor de Rechten van de Mens; 29 CFR 1625.4); q&quot;&lt;)">&lt;x&gt;</mark> b')


def test_overlapping_matches_merge() -> None:
    text = "een jong en dynamisch team"
    (flagged, _count) = AgeCodedScorer().score(text, ctx("nl"))
    out = highlight(text, flagged.detail["matches"])
    assert out.count("<mark") == 1
    assert 'class="age sev-medium"' in out
    assert "indirecte" not in out and "indirect age discrimination" in out  # English by default
    assert "(dynamic, energetic, fresh view)" in out and " | " in out  # both rules' reasons, merged
    dutch = highlight(text, flagged.detail["matches"], ui_lang="nl")
    assert "indirecte leeftijdsdiscriminatie" in dutch and "Liever: een gemotiveerd team" in dutch


def test_markdown_and_rich() -> None:
    text = "A *dominant* [leader]_"
    matches = [_m(text, "dominant"), _m(text, "leader", category="feminine")]
    assert highlight(text, matches, fmt="markdown") == r"A \***dominant**\* \[**leader**\]\_"
    out = highlight(text, matches, fmt="rich")
    assert "[bold cyan]dominant[/]" in out and "[bold magenta]leader[/]" in out
    from rich.text import Text

    rendered = Text.from_markup(out)
    assert rendered.plain == text
    styled = {rendered.plain[span.start : span.end]: str(span.style) for span in rendered.spans}
    assert styled == {"dominant": "bold cyan", "leader": "bold magenta"}


@pytest.mark.parametrize(
    "text",
    ["[bold]not markup[/bold] \\", "a\\[b]c", "x\\\\ y \\\\\\[red]z[/red]", "end y\\", "y\\\\[/]"],
)
def test_rich_markup_round_trips(text: str) -> None:
    from rich.text import Text

    matches = [_m(text, "y")] if "y" in text else []
    assert Text.from_markup(highlight(text, matches, fmt="rich"), emoji=False).plain == text


def test_highlight_with_scorer_output_round_trips() -> None:
    text = "We zoeken een ambitieuze, zorgvuldige collega’s & meer."
    scores = GenderCodedScorer().score(text, ctx("nl"))
    matches = next(s for s in scores if s.metric.endswith(".score")).detail["matches"]
    out = highlight(text, matches)
    assert out.count('<mark class="masc') == 1 and out.count('<mark class="fem') == 1
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="fmt"):
        highlight("x", [], fmt="pdf")  # type: ignore[arg-type]
    text = "abc"
    with pytest.raises(ValueError, match="does not fit"):
        highlight(text, [Match(start=0, end=2, text="xy", category="age", rule="r", severity="low")])
    assert highlight("", []) == ""


@st.composite
def text_and_matches(draw: st.DrawFn) -> tuple[str, list[Match]]:
    text = draw(st.text(alphabet=st.sampled_from([*"ab <>&\"'[]\\/*_`#:\n", "é", "’"]), max_size=30))
    matches: list[Match] = []
    for _ in range(draw(st.integers(0, 4))):
        if len(text) < 1:
            break
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        category = draw(
            st.sampled_from(["masculine", "feminine", "age", "language_origin", "gendered_title"])
        )
        matches.append(
            Match(
                start=start,
                end=end,
                text=text[start:end],
                category=category,
                rule="r<&>",
                severity=draw(st.sampled_from(["low", "medium", "high"])),
            )
        )
    return text, matches


@settings(max_examples=300, deadline=None)
@given(text_and_matches())
def test_highlight_round_trips(case: tuple[str, list[Match]]) -> None:
    from rich.text import Text

    text, matches = case
    out = highlight(text, matches)
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text
    assert out.count("<mark") <= len(matches)
    assert Text.from_markup(highlight(text, matches, fmt="rich"), emoji=False).plain == text
