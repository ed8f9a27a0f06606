"""Browser journeys over the demo runs (Debian Chromium, Playwright): a blind review that cannot mis-record
(double presses, stale presses, undo), the bias sentence per prompt, contrast of highlights and flags
computed from the colours the browser rendered (light and dark theme), every page in Dutch without
English, and a screenshot of every page in both languages under test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.ui.i18n import STRINGS
from workbench.ui.palette import contrast_ratio, luminance

from .browser import (
    Server,
    app_background,
    chromium,
    new_page,
    open_page,
    rendered_colours,
    require_browser,
    settle,
    shot,
    streamlit_server,
)

pytestmark = pytest.mark.browser

VACANCY, SWAP = "vacancy-tone-nl", "screening-name-swap-nl"
PAGES = ("overview", "compare", "bias", "review", "prompts", "datasets", "run", "check_text")
TITLES = {"en": {"overview": "Prompt Workbench", "compare": "Compare variants", "bias": "Bias report",
                 "review": "Blind review", "prompts": "Prompt library", "datasets": "Datasets",
                 "run": "Run an experiment", "check_text": "Check a text"},
          "nl": {"overview": "Prompt Workbench", "compare": "Varianten vergelijken", "bias": "Biasrapport",
                 "review": "Blind beoordelen", "prompts": "Promptbibliotheek", "datasets": "Datasets",
                 "run": "Experiment uitvoeren", "check_text": "Tekst controleren"}}
# Records every pair whose rating buttons were ever in the page (a button's key names its pair).
SEEN_PAIRS_JS = """
window.__wbSeen = new Set();
const record = () => document.querySelectorAll('[class*="st-key-rate_a_"]').forEach(el => {
    const m = el.className.match(/st-key-rate_a_(\\d+_\\d+)/); if (m) window.__wbSeen.add(m[1]);
});
new MutationObserver(record).observe(document, {subtree: true, childList: true, attributes: true});
"""
MIN_CONTRAST = 4.5


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_db: tuple[Path, dict[str, int]]) -> Iterator[
        tuple[Server, Server, dict[str, int]]]:
    """The two demo runs behind a light-theme and a dark-theme server (each with its own database copy)."""
    require_browser()
    src, runs = demo_db
    folder = tmp_path_factory.mktemp("browser-demo")
    light, dark = folder / "light", folder / "dark"
    light.mkdir()
    dark.mkdir()
    shutil.copyfile(src, light / "demo.db")
    shutil.copyfile(src, dark / "demo.db")
    with streamlit_server(light, light / "demo.db", log_name="streamlit-light.log") as light_server, \
            streamlit_server(dark, dark / "demo.db", theme="dark", log_name="streamlit-dark.log") as dark_server:
        yield light_server, dark_server, runs


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def ratings(db: Path, rater: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT output_a_id, output_b_id FROM ratings WHERE rater = ? ORDER BY id", (rater,))
        return [f"{a}_{b}" for a, b in rows]


def displayed_pair(page: Any) -> str:
    classes = page.locator('[class*="st-key-rate_a_"]').first.get_attribute("class")
    match = re.search(r"st-key-rate_a_(\d+_\d+)", classes or "")
    assert match, classes
    return match.group(1)


def wait_until(predicate: Any, timeout: float = 30.0) -> None:
    """Poll a condition outside the browser (the database) until it holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def start_rating(page: Any, url: str, run_id: int, rater: str) -> None:
    page.add_init_script(SEEN_PAIRS_JS)
    open_page(page, f"{url}/review?run={run_id}&lang=en", "text=Blind review")
    name = page.get_by_role("textbox", name="Your name")
    name.fill(rater)
    name.press("Enter")
    page.locator('[class*="st-key-rate_a_"]').first.wait_for(state="visible")
    settle(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")  # shortcuts skip text fields


def test_double_presses_store_one_rating_per_displayed_pair_and_undo(demo: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    server, _, runs = demo
    page = new_page(browser)
    start_rating(page, server.url, runs[VACANCY], "Double Press")
    presses = 0
    for gap_ms in (0, 150, 300):  # the same key twice: at once, 150 ms and 300 ms apart
        before = displayed_pair(page)
        page.keyboard.press("a")
        page.wait_for_timeout(gap_ms)  # the gap is the scenario under test, not a wait for the app
        page.keyboard.press("a")
        presses += 2
        page.wait_for_function("(p) => !document.querySelector('.st-key-rate_a_' + p)", arg=before)
        settle(page)
    stored = ratings(server.db, "Double Press")
    seen = set(page.evaluate("Array.from(window.__wbSeen)"))
    assert len(stored) == len(set(stored)), stored  # never two ratings of one pair
    assert set(stored) <= seen, f"rated pairs that were never on screen: {set(stored) - seen}"
    assert 3 <= len(stored) <= presses
    expect(page.get_by_text(f"Rated {len(stored)} of 40 pairs")).to_be_visible()
    shot(page, "review-after-double-presses")

    # Undo (U) removes the last rating and shows that pair again; a second U undoes the one before.
    last = stored[-1]
    page.keyboard.press("u")
    wait_until(lambda: ratings(server.db, "Double Press") == stored[:-1])
    page.locator(f".st-key-rate_a_{last}").wait_for(state="visible")
    settle(page)
    assert displayed_pair(page) == last
    expect(page.get_by_text(f"Rated {len(stored) - 1} of 40 pairs")).to_be_visible()
    # While rating, no prompt name and no result is on the page (blind).
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "vacancy_nl_" not in body and "Win rate" not in body


def test_verdict_summary_heads_compare(demo: Any, browser: Any) -> None:
    """The decision summary (workbench.analysis.decision_summary, as in the report and the terminal) comes first."""
    server, _, runs = demo
    page = new_page(browser)
    open_page(page, f"{server.url}/compare?run={runs[VACANCY]}&lang=en", "h3:has-text('Decision')")
    headings = page.locator("h3").all_inner_texts()
    assert headings.index("Decision") < headings.index("Verdicts")
    boxes = page.locator('[data-testid="stAlert"]').all_inner_texts()
    inclusive = next(b for b in boxes if "vacancy_nl_inclusive vs vacancy_nl_formal:" in b)
    assert "no decision yet: no primary difference shown" in inclusive
    assert "Unclear on clarity (LLM judge)" in inclusive
    assert "Corrected over the primary family: Holm over 2 tests" in inclusive
    assert "Exploratory, not confirmed" in inclusive and "readability better" in inclusive
    open_page(page, f"{server.url}/compare?run={runs[VACANCY]}&lang=nl", "h3:has-text('Besluit')")
    boxes = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("vacancy_nl_inclusive tegen vacancy_nl_formal: nog geen besluit" in b for b in boxes), boxes


def test_bias_sentence_per_prompt(demo: Any, browser: Any) -> None:
    server, _, runs = demo
    page = new_page(browser)
    open_page(page, f"{server.url}/bias?run={runs[SWAP]}&lang=en", ".wb-prompt-bias")
    sentences = page.locator(".wb-prompt-bias").all_inner_texts()
    assert len(sentences) == 2  # one per prompt
    structured = next(s for s in sentences if "screening_nl_structured" in s)
    assert "candidates with Moroccan-Dutch names are invited to an interview less often than those with" in structured
    assert "Red because the difference for Moroccan-Dutch names is significant" in structured
    assert "✖ red" in structured  # the flag in words and a symbol, not colour alone
    overall = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert "screening_nl_structured" in overall and "Moroccan-Dutch names" in overall
    assert page.get_by_text("Flips: when only the name changes").count() >= 1


def _contrasts(page: Any, selector: str) -> list[tuple[str, float]]:
    found = rendered_colours(page, selector)
    assert found, f"nothing matched {selector}"
    return [(f"{c['text']!r} {c['color']} on {c['background']}", contrast_ratio(c["color"], c["background"]))
            for c in found]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_highlights_and_flags_have_aa_contrast_as_rendered(demo: Any, browser: Any, theme: str) -> None:
    light, dark, runs = demo
    server = light if theme == "light" else dark
    page = new_page(browser)
    open_page(page, f"{server.url}/compare?run={runs[VACANCY]}&lang=en", ".wb-card mark")
    background = luminance(app_background(page))
    assert (background < 0.1) if theme == "dark" else (background > 0.8), app_background(page)
    checked = _contrasts(page, ".wb-card mark") + _contrasts(page, ".wb-sim")
    open_page(page, f"{server.url}/bias?run={runs[SWAP]}&lang=en", ".wb-badge")
    checked += _contrasts(page, ".wb-badge")
    low = [(what, round(ratio, 2)) for what, ratio in checked if ratio < MIN_CONTRAST]
    print(f"{theme} theme: {len(checked)} rendered elements, lowest contrast "
          f"{min(ratio for _, ratio in checked):.2f}:1")
    assert not low, low
    shot(page, f"contrast-{theme}-bias")


ENGLISH_WORDS = {
    "the", "and", "with", "than", "not", "to", "are", "for", "this", "that", "from", "which", "when", "only", "your",
    "you", "what", "how", "why", "there", "these", "been", "have", "has", "was", "were", "will", "would", "should",
    "about", "into", "between", "each", "every", "more", "less", "but", "or", "on", "no", "yes", "better", "worse",
    "higher", "lower", "verdict", "verdicts", "difference", "equal", "tie", "baseline", "repeat", "repeats",
    "rating", "ratings", "review", "overview", "compare", "results", "build", "language", "outputs", "errors",
    "cost", "started", "progress", "measure", "share", "flagged", "invited", "shorter", "longer", "names", "group",
    "words", "text", "texts", "choose", "option", "options", "select", "upload", "browse", "drag", "drop", "file",
    "files", "limit", "next", "previous", "skip", "undo", "save", "saved", "create", "running", "completed",
    "failed", "interrupted", "show", "hide", "calls", "estimated", "models", "variants", "deploy",
}
# Words that stay as they are in Dutch UI text: product and provider names, statistics terms used in Dutch,
# and the identifiers of the demo data (prompt ids, model ids, names).
ALLOWED = {"prompt", "workbench", "simulated", "bias", "run", "runs", "impact", "ratio", "llm", "holm", "bradley",
           "terry"}


def english_left(text: str) -> list[str]:
    """English words and English UI sentences in a page's visible text."""
    words = {w for w in re.findall(r"[A-Za-z][a-z]+|[a-z]+", text)}
    found = sorted(w for w in words if w.lower() in ENGLISH_WORDS and w.lower() not in ALLOWED)
    for entry in STRINGS.values():
        if entry["en"] == entry["nl"]:
            continue
        for fragment in re.split(r"\{[^}]*\}|\*\*|`", entry["en"]):
            fragment = fragment.strip(" .,:;()—-")
            if len(fragment.split()) >= 3 and fragment in text:
                found.append(fragment)
    return found


VISIBLE_TEXT_JS = """() => ['[data-testid="stMain"]', '[data-testid="stSidebar"]'].map(selector => {
    const copy = document.querySelector(selector).cloneNode(true);
    // Icon ligatures ("compare") are not words; prompts, outputs and case data are content, not UI text.
    copy.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stCode"], [data-testid="stJson"], .wb-text, '
                          + '[lang]:not([lang="nl"])')
        .forEach(node => node.remove());
    document.body.appendChild(copy);
    const text = copy.innerText;
    copy.remove();
    return text;
}).join("\\n")"""


def visible_text(page: Any) -> str:
    """The text a reader sees in the page and the sidebar (icon ligatures such as "compare" left out)."""
    return str(page.evaluate(VISIBLE_TEXT_JS))


def test_every_page_in_both_languages_dutch_without_english(demo: Any, browser: Any) -> None:
    """A screenshot of each page in EN and NL; the Dutch pages' text is scanned for English."""
    server, _, runs = demo
    page = new_page(browser)
    problems: dict[str, list[str]] = {}
    for lang in ("en", "nl"):
        for name in PAGES:
            run = runs[SWAP] if name == "bias" else runs[VACANCY]
            open_page(page, f"{server.url}/{name}?run={run}&lang={lang}",
                      f"h1:has-text('{TITLES[lang][name]}')")
            if name == "review":
                box = page.get_by_role("textbox", name="Je naam" if lang == "nl" else "Your name")
                box.fill("Schermafdruk")
                box.press("Enter")
                page.locator('[class*="st-key-rate_a_"]').first.wait_for(state="visible")
                settle(page)
            shot(page, f"{name}-{lang}")
            if lang == "nl":
                left = english_left(visible_text(page))
                if left:
                    problems[name] = left
    assert not problems, problems


def test_overview_row_opens_its_run_in_compare(demo: Any, browser: Any) -> None:
    """Clicking a row of the Overview's table (the row's selection box) opens that run on Compare."""
    server, _, runs = demo
    page = new_page(browser)
    open_page(page, f"{server.url}/overview?lang=en", "h1:has-text('Prompt Workbench')")
    grid = page.locator('[data-testid="stDataFrame"]').filter(has_text="Winner").first
    box = grid.bounding_box()
    assert box is not None
    # Newest run first: row 1 is the name-swap run, row 2 the vacancy run; rows are 35 px under a 35 px header.
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 + 17)
    page.locator("h1:has-text('Compare variants')").wait_for(state="visible")
    settle(page)
    assert f"Run #{runs[VACANCY]} · {VACANCY}" in page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "overview-row-opened-compare")
