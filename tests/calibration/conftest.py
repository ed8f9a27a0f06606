"""Calibration tests: measured error rates of what users read, printed with Wilson 95% intervals.

Every figure is added with the `calibration_report` fixture; the lines are printed in the test's own
output and again in a "calibration figures" section of pytest's terminal summary, so they appear in
the CI log without `-s`. Tests here that never touch the database carry the `calibration` marker
(`make test` runs them in the SQLite pass only).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from workbench.stats.binary import wilson_interval

_LINES: list[str] = []


@dataclass(frozen=True)
class Rate:
    """k events in n simulated runs, with a Wilson 95% interval."""

    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n

    @property
    def ci(self) -> tuple[float, float]:
        return wilson_interval(self.k, self.n)

    def __str__(self) -> str:
        lo, hi = self.ci
        return f"{self.value:.1%} (95% CI {lo:.1%}-{hi:.1%}, {self.k}/{self.n})"


Report = Callable[[str], None]


@pytest.fixture
def calibration_report(request: pytest.FixtureRequest) -> Iterator[Report]:
    started = time.perf_counter()
    name = request.node.name

    def add(line: str) -> None:
        text = f"{name}: {line}"
        _LINES.append(text)
        print(text)

    yield add
    _LINES.append(f"{name}: {time.perf_counter() - started:.1f} s")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _LINES:
        terminalreporter.section("calibration figures (simulated; Wilson 95% CIs)")
        for line in _LINES:
            terminalreporter.write_line(line)
        # CPU seconds, unlike wall-clock seconds, do not grow when other jobs share the machine
        usage = resource.getrusage(resource.RUSAGE_SELF)
        terminalreporter.write_line(f"CPU time of this pytest process so far: {usage.ru_utime + usage.ru_stime:.0f} s")
