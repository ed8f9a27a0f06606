"""The HTML report in Debian's Chromium (Playwright): at 1,000 and 1,600 px wide the answer columns — the
verdict, n, and the name-swap audit's flag — are inside the viewport and nothing scrolls sideways (it was a
fixed 1,100 px body with those columns behind a horizontal scrollbar). Screenshots go to
test-artifacts/screenshots/report-<width>.png. Needs /usr/bin/chromium and playwright (tests/ui/browser.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ui.browser import SCREENSHOTS, chromium, new_page, require_browser
from workbench.cli import app

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
# The cells that carry the answer, by the class the template gives them.
ANSWER_CELLS = {"verdict": "table.verdicts .verdict", "n": "table.verdicts .n", "flag": "table.audit .flag"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layout")
    db, out = str(folder / "wb.db"), folder / "report.html"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(ROOT / "experiments/screening_name_swap_nl.yaml"), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["report", "latest", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("width", [1000, 1600])
def test_answer_columns_are_inside_the_viewport(report: Path, width: int) -> None:
    require_browser()
    with chromium() as browser:
        page = new_page(browser, width=width, height=1000)
        page.goto(report.as_uri())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"report-{width}.png"), full_page=True)
        inner = page.evaluate("() => window.innerWidth")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= inner, "the page scrolls sideways"
        for name, selector in ANSWER_CELLS.items():
            boxes = page.eval_on_selector_all(
                selector, "cells => cells.map(c => { const r = c.getBoundingClientRect(); "
                          "return [r.left, r.right, r.width, c.textContent.trim()]; })")
            assert boxes, f"no {name} cells in the report"
            outside = [b for b in boxes if b[0] < 0 or b[1] > inner or b[2] <= 0]
            assert not outside, f"{name} cells outside the {inner}px viewport: {outside[:3]}"
        flags = {b[3] for b in page.eval_on_selector_all(ANSWER_CELLS["flag"], "cs => cs.map(c => "
                                                          "[0, 0, 0, c.textContent.trim()])")}
        assert "red" in flags  # the planted name effect, visible without scrolling
        # What a reader sees (and copies): labels apart from titles, never "SIMULATEDMagazijnmedewerker".
        seen = page.inner_text("body")
        assert "SIMULATED" in seen and not re.search(r"SIMULATED[^\W\d_]", seen), \
            re.findall(r".{30}SIMULATED\w+", seen)[:3]
