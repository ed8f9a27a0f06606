"""Every colour the UI draws with, chosen for WCAG AA contrast (≥ 4.5:1 for text) in light and dark themes.

Solid colours carry white text (flags, verdicts, badges); highlight colours are pastel and carry their
own dark text, so they read the same on Streamlit's light and dark backgrounds. Colour is never the
only cue: flags and verdicts carry a word and a symbol, highlights a category label and an underline
style of their own.
"""

from __future__ import annotations

WHITE = "#ffffff"
DARK_TEXT = "#1f1f1f"
# Streamlit's default theme colours (the backgrounds our text sits on).
THEME_BACKGROUNDS = {"light": "#ffffff", "dark": "#0e1117"}
THEME_TEXT = {"light": "#31333f", "dark": "#fafafa"}

FLAG_COLOURS = {"red": "#b2182b", "orange": "#a84300", "green": "#1b7837", "inconclusive": "#5f5f5f"}
FLAG_SYMBOLS = {"red": "✖", "orange": "⚠", "green": "✔", "inconclusive": "?"}
VERDICT_COLOURS = {"better": "#1b7837", "worse": "#b2182b", "higher": "#2166ac", "lower": "#2166ac",
                   "possible_harm": "#a84300", "equivalent": "#00695c", "non_inferior": "#00695c",
                   "not_significant": "#5f5f5f"}
VERDICT_SYMBOLS = {"better": "▲", "worse": "▼", "higher": "↑", "lower": "↓", "possible_harm": "⚠",
                   "equivalent": "≈", "non_inferior": "≈", "not_significant": "○", "equal": "="}
SIMULATED = "#7b2cbf"

# Lint categories (CSS classes of workbench.scoring.highlight): background and underline style.
HIGHLIGHTS = {
    "masc": ("#cfe3ff", "solid"),
    "fem": ("#f8d4ec", "dotted"),
    "age": ("#ffe9a8", "dashed"),
    "exclusion": ("#ffc9c2", "double"),
    "gendered": ("#cdf0d6", "wavy"),
}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def parse_colour(colour: str) -> tuple[int, int, int]:
    """'#rrggbb', '#rgb' or CSS 'rgb(r, g, b)' / 'rgba(r, g, b, 1)' -> (r, g, b)."""
    text = colour.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    if text.startswith("rgb"):
        parts = text[text.index("(") + 1:text.rindex(")")].replace("/", ",").split(",")
        r, g, b = (round(float(p)) for p in parts[:3])
        return r, g, b
    raise ValueError(f"not a colour: {colour!r}")


def luminance(colour: str) -> float:
    r, g, b = (_channel(c) for c in parse_colour(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio (1…21) of two opaque colours."""
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
