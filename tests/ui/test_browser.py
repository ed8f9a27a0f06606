"""The main journey in a real Chromium (Playwright): create a variant, run the demo offline, open
Compare, rate three pairs with the keyboard. Screenshots go to test-artifacts/screenshots/journey-*.png.

Needs Debian's /usr/bin/chromium and the `playwright` Python package (see tests/ui/browser.py).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browser import Server, chromium, new_page, require_browser, settle, shot, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    require_browser()
    with streamlit_server(tmp_path, tmp_path / "browser.db") as running:
        yield running


def count_ratings(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM ratings").fetchone()[0])


def test_main_journey(server: Server) -> None:
    from playwright.sync_api import Page, expect
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def choose(page: Page, label: str, option: str) -> None:
        box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).first
        choice = page.get_by_role("option", name=option, exact=True).first
        # A rerun that lands between the click and the pick closes the list again: reopen it.
        for _ in range(3):
            box.click()
            with contextlib.suppress(PlaywrightTimeout):
                choice.wait_for(state="visible", timeout=5_000)
                break
            settle(page)
        choice.click()
        settle(page)

    url = server.url
    with chromium() as browser:
        page = new_page(browser)
        try:
            # 1. Prompts: derive a shorter inclusive variant and save it (diff shown, validated first).
            page.goto(f"{url}/prompts")
            settle(page)
            choose(page, "Variant", "vacancy_nl_inclusive · vacancy_text · nl")
            page.get_by_role("tab", name="New variant from this").click()
            new_id = page.get_by_role("textbox", name="New variant id")
            new_id.fill("vacancy_nl_inclusive_short")
            new_id.press("Enter")
            settle(page)
            user = page.get_by_role("textbox", name="User template").last
            user.click()
            page.keyboard.press("Control+End")
            page.keyboard.type("\nHoud de tekst kort: hooguit 250 woorden.")
            page.keyboard.press("Control+Enter")
            settle(page)
            expect(page.locator("table.wb-diff td.add").filter(has_text="Houd de tekst kort")).to_be_visible()
            page.get_by_role("button", name="Create variant").click()
            expect(page.get_by_text("Saved vacancy_nl_inclusive_short.yaml")).to_be_visible()
            assert (server.prompts / "vacancy_nl_inclusive_short.yaml").exists()
            shot(page, "journey-01-prompts")

            # 2. Run: the three Dutch variants on 5 vacancies with the offline simulated model.
            page.goto(f"{url}/run")
            settle(page)
            choose(page, "Language", "nl")
            variants = page.locator('[data-testid="stMultiSelect"]').filter(
                has=page.get_by_text("Variants", exact=True)).first
            variants.click()
            page.get_by_role("option", name="vacancy_nl_inclusive_short").click()
            page.keyboard.press("Escape")
            settle(page)
            max_cases = page.get_by_role("spinbutton", name="Max test cases (0 = all)")
            max_cases.fill("5")
            max_cases.press("Enter")
            settle(page)
            expect(page.get_by_test_id("stMetric").filter(has_text="Calls")).to_contain_text("15")
            page.get_by_role("button", name="Start run").click()
            expect(page.get_by_text("Run #1 completed: 15 outputs stored.")).to_be_visible(timeout=60_000)
            shot(page, "journey-02-run")

            # 3. Compare: verdicts from the stats engine, SIMULATED labels, highlighted words.
            page.get_by_role("button", name="Open in Compare").click()
            expect(page.get_by_role("heading", name="Verdicts")).to_be_visible()
            settle(page)
            expect(page.locator(".wb-sim").first).to_be_visible()
            assert page.locator("[data-testid='stDataFrame']").count() >= 1
            shot(page, "journey-03-compare")

            # 4. Review: rate three pairs blind with the keyboard (A, B, T).
            page.goto(f"{url}/review")
            settle(page)
            rater = page.get_by_role("textbox", name="Your name")
            rater.fill("Browser Test")
            rater.press("Enter")
            expect(page.get_by_text("Rated 0 of 10 pairs")).to_be_visible()
            settle(page)
            page.evaluate("document.activeElement && document.activeElement.blur()")  # shortcuts skip inputs
            for done, key in enumerate(("a", "b", "t"), start=1):
                classes = page.locator('[class*="st-key-rate_a_"]').first.get_attribute("class") or ""
                shown = re.search(r"st-key-rate_a_\d+_\d+", classes)
                assert shown, classes
                page.keyboard.press(key)
                expect(page.get_by_text(f"Rated {done} of 10 pairs")).to_be_visible()
                # The next key is meant for the next pair: wait until the rated pair has left the screen
                # (a press on its buttons would be ignored, by design).
                expect(page.locator(f".{shown.group(0)}")).to_have_count(0)
                settle(page)
            shot(page, "journey-04-review")
            assert count_ratings(server.db) == 3
        except Exception:
            with contextlib.suppress(Exception):
                shot(page, "journey-failure")  # what the browser showed when the journey broke
            raise
