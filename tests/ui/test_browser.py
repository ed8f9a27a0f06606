"""The main journey in a real Chromium (Playwright): create a variant, run the demo offline, open
Compare, rate three pairs with the keyboard. Screenshots go to test-artifacts/browser/.

Needs Debian's /usr/bin/chromium and the `playwright` Python package (never `playwright install`).
Skipped when either is missing, unless WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.streamlit_server import free_port, stop, wait_healthy

from .conftest import APP, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
STEP_TIMEOUT_MS = 30_000


def require_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install playwright; no `playwright install`)")
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " — WORKBENCH_REQUIRE_BROWSER=1")
        pytest.skip(reason)


def stop_background_run(state: Path) -> None:
    """A runner the UI started lives in its own session; end it if the journey failed mid-run."""
    import json

    for job_file in state.rglob("job.json"):
        with contextlib.suppress(OSError, ValueError, KeyError, ProcessLookupError, PermissionError):
            os.kill(int(json.loads(job_file.read_text())["pid"]), signal.SIGKILL)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    require_browser()
    import shutil

    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")
    port = free_port()
    env = dict(os.environ, WORKBENCH_DB_URL=f"sqlite:///{tmp_path / 'browser.db'}",
               WORKBENCH_PROMPTS_DIR=str(tmp_path / "prompts"), WORKBENCH_EXPERIMENTS_DIR=str(tmp_path / "experiments"),
               WORKBENCH_UI_STATE_DIR=str(tmp_path / "state"), WORKBENCH_UI_LANG="en")
    log = open(tmp_path / "streamlit.log", "wb")  # noqa: SIM115 - closed below, after the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield {"url": url, "db": tmp_path / "browser.db", "prompts": tmp_path / "prompts"}
    finally:
        stop(proc)
        stop_background_run(tmp_path / "state")
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / "streamlit.log", ARTIFACTS / "streamlit.log")


def count_ratings(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM ratings").fetchone()[0])


def test_main_journey(server: dict[str, Any]) -> None:
    from playwright.sync_api import Page, expect, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def settle(page: Page) -> None:
        """Wait until Streamlit has finished the rerun a click or key press started."""
        time.sleep(0.5)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                               timeout=STEP_TIMEOUT_MS)
        time.sleep(0.3)

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

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = server["url"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=STEP_TIMEOUT_MS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1700})
            page.set_default_timeout(STEP_TIMEOUT_MS)

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
            assert (server["prompts"] / "vacancy_nl_inclusive_short.yaml").exists()
            shot(page, "01-prompts")

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
            shot(page, "02-run")

            # 3. Compare: verdicts from the stats engine, SIMULATED labels, highlighted words.
            page.get_by_role("button", name="Open in Compare").click()
            expect(page.get_by_role("heading", name="Verdicts")).to_be_visible()
            settle(page)
            expect(page.locator(".wb-sim").first).to_be_visible()
            assert page.locator("[data-testid='stDataFrame']").count() >= 1
            shot(page, "03-compare")

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
                page.keyboard.press(key)
                expect(page.get_by_text(f"Rated {done} of 10 pairs")).to_be_visible()
                settle(page)
            shot(page, "04-review")
            assert count_ratings(server["db"]) == 3
        except Exception:
            with contextlib.suppress(Exception):
                shot(page, "failure")  # what the browser showed when the journey broke
            raise
        finally:
            browser.close()
