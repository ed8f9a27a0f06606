"""Small rendering helpers shared by the pages: CSS, SIMULATED labels, output cards, flag badges.

Colours come from `workbench.ui.palette` (AA contrast in light and dark themes); colour is never the
only cue: badges carry a word and a symbol, highlighted words a category label and an underline style.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from workbench.scoring.highlight import TOOLTIP_CSS, highlight
from workbench.scoring.matches import Match
from workbench.ui.i18n import lang, t
from workbench.ui.palette import DARK_TEXT, FLAG_COLOURS, FLAG_SYMBOLS, HIGHLIGHTS, SIMULATED, THEME_TEXT, WHITE

# Highlight categories (CSS classes from workbench.scoring.highlight) -> the legend's label key.
LEGEND = {"masc": "legend_masc", "fem": "legend_fem", "age": "legend_age", "exclusion": "legend_exclusion",
          "gendered": "legend_gendered"}


def css() -> str:
    """The page CSS in the current language (the highlight labels are text, not only colour)."""
    marks = "\n".join(
        f"mark.{cls} {{ background: {bg}; text-decoration: underline {style} {DARK_TEXT}; }}\n"
        f"mark.{cls}::before {{ content: \"{t('mark_' + cls)}\"; }}"
        for cls, (bg, style) in HIGHLIGHTS.items()
    )
    return f"""
<style>
{marks}
mark {{ color: {DARK_TEXT}; padding: 0 2px; border-radius: 3px; text-underline-offset: 3px;
  text-decoration-thickness: 1.5px; }}
mark::before {{ font-size: 0.62em; font-weight: 700; vertical-align: super; margin-right: 2px; }}
mark.sev-high {{ box-shadow: inset 0 -2px 0 #b2182b; }}
.wb-sim {{ display: inline-block; background: {SIMULATED}; color: {WHITE}; font-size: 0.72rem; font-weight: 700;
  letter-spacing: 0.06em; padding: 1px 7px; border-radius: 4px; vertical-align: middle; }}
.wb-badge {{ display: inline-block; color: {WHITE}; font-weight: 600; font-size: 0.85rem; padding: 0 7px;
  border-radius: 4px; white-space: nowrap; }}
.wb-card {{ border: 1px solid rgba(128,128,128,0.35); border-radius: 8px; padding: 0.8rem 1rem; height: 100%; }}
.wb-card h4 {{ margin: 0 0 0.4rem 0; font-size: 1rem; }}
.wb-card .wb-meta {{ opacity: 0.8; font-size: 0.8rem; margin-bottom: 0.5rem; }}
.wb-card .wb-error {{ background: #fde0dc; color: #8a1022; padding: 2px 6px; border-radius: 4px; }}
.wb-text {{ white-space: pre-wrap; font-size: 0.92rem; line-height: 1.55; }}
.wb-legend mark {{ margin-right: 0.6rem; }}
.wb-scores {{ list-style: none; margin: 0 0 0.6rem 0; padding: 0; font-size: 0.82rem; display: flex;
  flex-wrap: wrap; gap: 2px 14px; }}
.wb-delta {{ opacity: 0.85; }}
.wb-tip {{ position: relative; border-bottom: 1px dotted currentColor; cursor: help; }}
.wb-tip:hover::after, .wb-tip:focus::after {{ content: attr(data-tip); position: absolute; left: 0; top: 1.5em;
  z-index: 20; width: max-content; max-width: 300px; white-space: normal; background: {DARK_TEXT}; color: {WHITE};
  padding: 5px 8px; border-radius: 4px; font-size: 0.8rem; font-weight: 400; line-height: 1.35; }}
.wb-tip:focus {{ outline: 2px solid #2166ac; outline-offset: 1px; }}
[data-testid="stAppDeployButton"] {{ display: none; }}
[data-testid="stMainBlockContainer"] {{ padding-left: 2.5rem; padding-right: 2.5rem; max-width: 100%; }}
.wb-kbd {{ border: 1px solid #999; border-bottom-width: 2px; border-radius: 4px; padding: 0 5px;
  font-family: monospace; font-size: 0.85rem; }}
{TOOLTIP_CSS}
</style>
"""


def chart_text_colour() -> str:
    """Black CI lines on the light theme, light ones on the dark theme (as Streamlit reports it)."""
    try:
        dark = getattr(st.context.theme, "type", None) == "dark"
    except Exception:  # no browser context (bare mode, AppTest)
        dark = False
    return THEME_TEXT["dark"] if dark else "#000000"


def tooltip(label: str, text: str) -> str:
    """HTML: `label` with a plain-language tooltip shown on hover and on keyboard focus (tab to it)."""
    if not text:
        return html.escape(label)
    return (f'<span class="wb-tip" tabindex="0" data-tip="{html.escape(text)}" '
            f'aria-label="{html.escape(label)}: {html.escape(text)}">{html.escape(label)}</span>')


def inject_css() -> None:
    st.html(css())


def simulated_badge() -> str:
    return f'<span class="wb-sim" title="{html.escape(t("simulated_tooltip"))}">SIMULATED</span>'


def simulated_banner() -> None:
    """Shown at the top of every page about a run whose outputs come from the simulated provider."""
    st.warning(t("simulated_banner"), icon=":material/science:")


def legend() -> None:
    marks = "".join(f'<mark class="{cls}">{html.escape(t(key))}</mark>' for cls, key in LEGEND.items())
    st.html(f'<div class="wb-legend">{marks}</div>')


def flag_text(flag: str) -> str:
    """A flag in words with its symbol ("✖ red" / "✖ rood"): never colour alone."""
    return f"{FLAG_SYMBOLS.get(flag, '?')} {t('flag_' + flag)}"


def flag_badge(flag: str, suffix: str = "") -> str:
    """Inline HTML badge: white text on the flag's colour (≥ 4.5:1), symbol and word."""
    colour = FLAG_COLOURS.get(flag, FLAG_COLOURS["inconclusive"])
    label = html.escape(flag_text(flag) + suffix)
    return f'<span class="wb-badge wb-flag-{html.escape(flag)}" style="background:{colour}">{label}</span>'


def output_card(title: str, text: str, matches: Sequence[Match], *, simulated: bool, meta: str = "",
                error: str | None = None, extra_html: str = "") -> None:
    """One output with its coded wording highlighted; SIMULATED badge when it is synthetic."""
    badge = f" {simulated_badge()}" if simulated else ""
    body = (f'<div class="wb-text">{highlight(text, list(matches), "html", lang())}</div>' if error is None
            else f'<div class="wb-text"><span class="wb-error">{html.escape(error)}</span></div>')
    meta_html = f'<div class="wb-meta">{html.escape(meta)}</div>' if meta else ""
    st.html(f'<div class="wb-card"><h4>{html.escape(title)}{badge}</h4>{meta_html}{extra_html}'
            f'{body}</div>')


def file_uploader_text(key: str, button: str, limits: str) -> None:
    """Streamlit's file uploader writes "Upload" and "200MB per file" in English only: replace both with the UI
    language's text (the original stays in the page, hidden, so its layout is kept)."""
    scope = f".st-key-{key}"
    st.html(f"""<style>
{scope} button [data-testid="stMarkdownContainer"] p,
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
{scope} button [data-testid="stMarkdownContainer"]::after {{ content: "{button}"; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: "{limits}"; font-size: 0.8rem; }}
</style>""")


def empty_state(message: str, page: str | None = None, label: str | None = None) -> None:
    st.info(message, icon=":material/lightbulb:")
    if page:
        st.page_link(page, label=label or page)


def colour_column(frame: pd.DataFrame, column: str, colours: dict[str, str]) -> pd.io.formats.style.Styler:
    """Background colour per value of `column` (flags, verdicts) with white text (palette: ≥ 4.5:1)."""

    def style(value: object) -> str:
        colour = colours.get(str(value))
        return f"background-color: {colour}; color: {WHITE}; font-weight: 600" if colour else ""

    return frame.style.map(style, subset=[column])


def stats_help() -> None:
    """The "How the statistics decide" help (families, flags, measured error rates), in the UI language."""
    with st.expander(t("stats_help_title"), icon=":material/help:"):
        st.markdown(t("stats_help_body"))
