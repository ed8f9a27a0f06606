"""Small rendering helpers shared by the pages: CSS, SIMULATED labels, output cards, flag colours."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from workbench.scoring.highlight import TOOLTIP_CSS, highlight
from workbench.scoring.matches import Match
from workbench.ui.i18n import lang, t

FLAG_COLOURS = {"red": "#d7301f", "orange": "#f28e2b", "green": "#1a9850", "inconclusive": "#878787"}
FLAG_BADGES = {"red": "red", "orange": "orange", "green": "green", "inconclusive": "gray"}  # st markdown badges
# Highlight colours per lint category (CSS classes from workbench.scoring.highlight).
CSS = """
<style>
mark.masc { background: #cfe3ff; } mark.fem { background: #f8d4ec; } mark.age { background: #ffe9a8; }
mark.exclusion { background: #ffc9c2; } mark.gendered { background: #cdf0d6; }
mark { padding: 0 2px; border-radius: 3px; color: inherit; }
mark.sev-high { box-shadow: inset 0 -2px 0 #b2182b; }
.wb-sim { display: inline-block; background: #7b2cbf; color: #fff; font-size: 0.72rem; font-weight: 700;
  letter-spacing: 0.06em; padding: 1px 7px; border-radius: 4px; vertical-align: middle; }
.wb-card { border: 1px solid rgba(128,128,128,0.35); border-radius: 8px; padding: 0.8rem 1rem; height: 100%; }
.wb-card h4 { margin: 0 0 0.4rem 0; font-size: 1rem; }
.wb-card .wb-meta { color: #777; font-size: 0.8rem; margin-bottom: 0.5rem; }
.wb-text { white-space: pre-wrap; font-size: 0.92rem; line-height: 1.45; }
.wb-legend mark { margin-right: 0.6rem; }
.wb-kbd { border: 1px solid #999; border-bottom-width: 2px; border-radius: 4px; padding: 0 5px;
  font-family: monospace; font-size: 0.85rem; }
""" + TOOLTIP_CSS + """
</style>
"""


def inject_css() -> None:
    st.html(CSS)


def simulated_badge() -> str:
    return '<span class="wb-sim" title="synthetic output of the offline simulated provider">SIMULATED</span>'


def simulated_banner() -> None:
    """Shown at the top of every page about a run whose outputs come from the simulated provider."""
    st.warning(t("simulated_banner"), icon=":material/science:")


def legend() -> None:
    items = [("masc", "legend_masc"), ("fem", "legend_fem"), ("age", "legend_age"),
             ("exclusion", "legend_exclusion"), ("gendered", "legend_gendered")]
    marks = "".join(f'<mark class="{cls}">{html.escape(t(key))}</mark>' for cls, key in items)
    st.html(f'<div class="wb-legend">{marks}</div>')


def output_card(title: str, text: str, matches: Sequence[Match], *, simulated: bool, meta: str = "",
                error: str | None = None) -> None:
    """One output with its coded wording highlighted; SIMULATED badge when it is synthetic."""
    badge = f" {simulated_badge()}" if simulated else ""
    body = (f'<div class="wb-text">{highlight(text, list(matches), "html", lang())}</div>' if error is None
            else f'<div class="wb-text" style="color:#b2182b">{html.escape(error)}</div>')
    meta_html = f'<div class="wb-meta">{html.escape(meta)}</div>' if meta else ""
    st.html(f'<div class="wb-card"><h4>{html.escape(title)}{badge}</h4>{meta_html}{body}</div>')


def empty_state(message: str, page: str | None = None, label: str | None = None) -> None:
    st.info(message, icon=":material/lightbulb:")
    if page:
        st.page_link(page, label=label or page)


def pct(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}%}"


def num(value: float | None, spec: str = ".2f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, spec)


def colour_column(frame: pd.DataFrame, column: str, colours: dict[str, str]) -> pd.io.formats.style.Styler:
    """Background colour per value of `column` (e.g. flags, verdicts), white text for contrast."""

    def style(value: object) -> str:
        colour = colours.get(str(value))
        return f"background-color: {colour}; color: white; font-weight: 600" if colour else ""

    return frame.style.map(style, subset=[column])


def stats_help() -> None:
    """The "How the statistics decide" help (families, flags, measured error rates), in the UI language."""
    with st.expander(t("stats_help_title"), icon=":material/help:"):
        st.markdown(t("stats_help_body"))
