"""Render lint matches as highlighted HTML, Markdown or Rich markup."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Literal

from workbench.scoring.explain import tooltip
from workbench.scoring.matches import Match, clusters, max_severity

CSS_CLASSES = {
    "masculine": "masc",
    "feminine": "fem",
    "age": "age",
    "language_origin": "exclusion",
    "gendered_title": "gendered",
}
RICH_STYLES = {
    "masc": "bold cyan",
    "fem": "bold magenta",
    "age": "bold yellow",
    "exclusion": "bold red",
    "gendered": "bold green",
}
# Hover AND keyboard focus show the explanation: every mark is focusable (tabindex) and carries it in
# data-tip (shown by TOOLTIP_CSS through ::after, so the text itself stays unchanged) and aria-label.
TOOLTIP_CSS = """
mark[data-tip] { position: relative; cursor: help; }
mark[data-tip]:focus { outline: 2px solid #1d4ed8; outline-offset: 1px; }
mark[data-tip]:hover::after, mark[data-tip]:focus::after {
  content: attr(data-tip); position: absolute; left: 0; top: 100%; z-index: 10; margin-top: 4px;
  width: max-content; max-width: 28rem; white-space: normal; background: #1f2937; color: #fff;
  font-size: 0.8rem; font-weight: 400; line-height: 1.35; padding: 6px 8px; border-radius: 6px;
  box-shadow: 0 2px 8px rgba(0,0,0,.25); }
"""
# Characters that could start Markdown emphasis, code, links or raw HTML. Block syntax (#, -, 1.)
# is left alone so the text still renders as the document it is.
_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>])")
# Rich markup (rich.markup._parse/render): "[" + [a-z#/@]...] is a tag; n backslashes before a tag
# give n//2 literal backslashes and make the tag literal text when n is odd; in plain text every
# "\\[" becomes "[". rich.markup.escape misses the last two cases, hence this version.
_RICH_BRACKET_RE = re.compile(r"(\\*)\[")
_RICH_TAG_RE = re.compile(r"\[[a-z#/@][^[]*?]")
_TRAILING_BACKSLASHES_RE = re.compile(r"(\\+)\Z")


def _rich_bracket(m: re.Match[str]) -> str:
    k = len(m.group(1))
    if _RICH_TAG_RE.match(m.string, m.end() - 1):
        return "\\" * (2 * k + 1) + "["  # k literal backslashes, then the tag as plain text
    return "\\" * (k + 1 if k else 0) + "["  # render turns the last "\\[" back into "["


def _escape(segment: str, fmt: str, before_tag: bool) -> str:
    if fmt == "html":
        return html.escape(segment, quote=True)
    if fmt == "markdown":
        return _MD_SPECIAL_RE.sub(r"\\\1", segment)
    segment = _RICH_BRACKET_RE.sub(_rich_bracket, segment)
    if before_tag:  # keep our own tag a tag: an even number of backslashes before it
        segment = _TRAILING_BACKSLASHES_RE.sub(lambda m: m.group(1) * 2, segment)
    return segment


def highlight(
    text: str,
    matches: Sequence[Match],
    fmt: Literal["html", "markdown", "rich"] = "html",
    ui_lang: str = "en",
) -> str:
    """Return `text` with every match wrapped, all other text escaped for `fmt`.

    html: `<mark class="masc sev-low" tabindex="0" data-tip="reason. Instead: ..." aria-label="...">...</mark>`
    (explanation in `ui_lang`, shown on hover and keyboard focus with TOOLTIP_CSS); markdown: `**...**`;
    rich: `[bold cyan]...[/]` (print with emoji=False, or ":smile:"-like text turns into emoji).
    Overlapping matches merge into one mark carrying all classes.
    Raises ValueError if a match does not fit `text` (spans must come from this very text).
    """
    if fmt not in ("html", "markdown", "rich"):
        raise ValueError(f"fmt must be 'html', 'markdown' or 'rich', not {fmt!r}")
    for m in matches:
        if not (0 <= m["start"] < m["end"] <= len(text)) or text[m["start"] : m["end"]] != m["text"]:
            raise ValueError(f"match {m!r} does not fit the text")
    out: list[str] = []
    pos = 0
    for group in clusters(matches):
        start = group[0]["start"]
        end = max(m["end"] for m in group)
        classes = list(dict.fromkeys(CSS_CLASSES.get(m["category"], m["category"]) for m in group))
        severity = max_severity(group)
        out.append(_escape(text[pos:start], fmt, before_tag=True))
        inner = _escape(text[start:end], fmt, before_tag=True)
        if fmt == "html":
            tip = " | ".join(dict.fromkeys(tooltip(m, ui_lang) for m in group))
            css = " ".join([*classes, f"sev-{severity}"])
            label = f"{text[start:end]}: {tip}"
            out.append(
                f'<mark class="{html.escape(css)}" tabindex="0" data-tip="{html.escape(tip)}" '
                f'aria-label="{html.escape(label)}">{inner}</mark>'
            )
        elif fmt == "markdown":
            out.append(f"**{inner}**")
        else:
            out.append(f"[{RICH_STYLES.get(classes[0], 'bold')}]{inner}[/]")
        pos = end
    out.append(_escape(text[pos:], fmt, before_tag=False))
    return "".join(out)
