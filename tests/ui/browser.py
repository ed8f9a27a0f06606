"""Shared helpers of the browser tests: a Streamlit server per test (or module), Chromium, waiting for
conditions (never for fixed times), screenshots, and colours as the browser rendered them.

Needs Debian's /usr/bin/chromium and the `playwright` Python package (never `playwright install`).
Tests are skipped when either is missing, unless WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes that a
failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import APP, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
STEP_TIMEOUT_MS = 30_000
# Streamlit marks its root with the script state ("running", "rerunRequested", "notRunning", ...).
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute("data-test-script-state") === "notRunning"
        && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"streamlit did not become healthy within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """The server runs in its own process group: end the group, politely first."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def stop_background_runs(state: Path) -> None:
    """A runner the UI started lives in its own session; end it if a journey failed mid-run."""
    for job_file in state.rglob("job.json"):
        with contextlib.suppress(OSError, ValueError, KeyError, ProcessLookupError, PermissionError):
            os.kill(int(json.loads(job_file.read_text())["pid"]), signal.SIGKILL)


@dataclass
class Server:
    url: str
    db: Path
    prompts: Path
    folder: Path


@contextlib.contextmanager
def streamlit_server(folder: Path, db: Path, *, theme: str = "light", lang: str = "en",
                     log_name: str = "streamlit.log") -> Iterator[Server]:
    """A Streamlit server over `db` with its own copies of the prompt library and experiments."""
    for name in ("prompts", "experiments"):
        if not (folder / name).exists():
            shutil.copytree(ROOT / name, folder / name)
    port = free_port()
    env = dict(os.environ, WORKBENCH_DB_URL=f"sqlite:///{db}", WORKBENCH_PROMPTS_DIR=str(folder / "prompts"),
               WORKBENCH_EXPERIMENTS_DIR=str(folder / "experiments"), WORKBENCH_UI_STATE_DIR=str(folder / "state"),
               WORKBENCH_UI_LANG=lang)
    log_path = folder / log_name
    log = open(log_path, "wb")  # noqa: SIM115 - closed below, after the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--theme.base", theme],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield Server(url, db, folder / "prompts", folder)
    finally:
        stop(proc)
        stop_background_runs(folder / "state")
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_path, ARTIFACTS / log_name)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=STEP_TIMEOUT_MS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, width: int = 1400, height: int = 1700) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(STEP_TIMEOUT_MS)
    return page


def settle(page: Any) -> None:
    """Wait until Streamlit has drawn the page and finished the rerun a click or key press started:
    the app's script state is "notRunning" twice, with a drawn frame in between."""
    page.wait_for_selector('[data-testid="stMain"]', state="attached")
    for _ in range(2):
        page.wait_for_function(IDLE_JS, timeout=STEP_TIMEOUT_MS)
        page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => setTimeout(() => r(true), 150)))")
    page.wait_for_function(IDLE_JS, timeout=STEP_TIMEOUT_MS)


def open_page(page: Any, url: str, wait_for: str) -> None:
    """Go to `url` and wait until `wait_for` (a CSS selector or text=...) is visible and the app is idle."""
    page.goto(url)
    page.locator(wait_for).first.wait_for(state="visible")
    settle(page)


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def rendered_colours(page: Any, selector: str) -> list[dict[str, str]]:
    """Text and background colour of every element matching `selector`, as the browser computed them."""
    return list(page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
               const style = getComputedStyle(el);
               return {text: el.innerText.trim().slice(0, 40), color: style.color, background: style.backgroundColor};
           })""",
        selector,
    ))


def app_background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor"))
