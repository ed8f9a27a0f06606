"""`workbench gate`: does every candidate variant hold up against the baseline on every primary metric?

The gate reads the verdicts of one run (`workbench.analysis.run_results.analyse_run`, the same analysis the
report shows) and asks, per candidate × model × primary metric, the non-inferiority question the spec
declares with `non_inferiority: {metric: margin}`: "is the candidate worse than the baseline by less
than the margin?". That is the one-sided test of #10's margin family (Holm over every margin test of
the run's family scope); a candidate passes a metric when that test rejects "worse by at least the
margin" (or when it is significantly better), and fails when it is significantly worse (primary
family, corrected as the run says) or when non-inferiority is not shown. Exit codes: 0 every check
passes, 1 some check fails, 2 bad input (`WorkbenchError`: no margin for a primary metric, a primary
metric without a better/worse direction, an unknown baseline, no scores).
"""

from __future__ import annotations

import math
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from workbench.analysis.run_results import RunAnalysis
from workbench.errors import WorkbenchError
from workbench.number_format import NA, decimals_for, number, p_value
from workbench.stats.compare_variants import Analysis
from workbench.stats.verdict import Verdict

PASS, FAIL = 0, 1


@dataclass(frozen=True)
class GateCheck:
    """One candidate × model × primary metric against the baseline."""

    variant: str
    model: str
    metric: str
    passed: bool
    reason: str  # non_inferior | better | worse | not_shown | too_few_cases
    kind: str  # numeric | binary (binary differences are proportions)
    estimate: float
    ci_low: float | None
    ci_high: float | None
    confidence: float
    margin: float
    ni_p_adjusted: float | None  # one-sided non-inferiority p, Holm over the run's margin tests
    p_adjusted: float | None  # two-sided superiority p, corrected over the primary family
    n_cases: int

    @classmethod
    def from_verdict(cls, v: Verdict) -> GateCheck:
        assert v.margin is not None
        if v.descriptive_only:
            passed, reason = False, "too_few_cases"
        elif v.significant and v.direction == "worse":
            passed, reason = False, "worse"
        elif v.non_inferior:
            passed, reason = True, "non_inferior"
        elif v.significant and v.direction == "better":
            passed, reason = True, "better"
        else:
            passed, reason = False, "not_shown"
        return cls(v.variant, v.model, v.metric, passed, reason, v.kind, v.estimate, v.ci_low, v.ci_high,
                   v.confidence, v.margin, v.ni_p_adjusted, v.p_adjusted, v.n_cases)

    def _scale(self) -> tuple[float, str]:
        return (100.0, " pp") if self.kind == "binary" else (1.0, "")

    def evidence(self) -> str:
        """E.g. "Δ +0.20 (95% CI -0.13 to +0.53), margin 0.5, non-inferiority p 0.0012, p 0.29"."""
        s, unit = self._scale()
        lo = None if self.ci_low is None else self.ci_low * s
        hi = None if self.ci_high is None else self.ci_high * s
        dec = decimals_for(lo, hi, self.estimate * s)
        ci = (f" ({self.confidence:.0%} CI {number(lo, dec, signed=True, missing=NA)} to "
              f"{number(hi, dec, signed=True, missing=NA)})" if lo is not None and hi is not None else "")
        margin = number(self.margin * s, max(dec, decimals_for(None, None, self.margin * s)), missing=NA)
        return (f"Δ {number(self.estimate * s, dec, signed=True, missing=NA)}{unit}{ci}, margin {margin}{unit}, "
                f"non-inferiority p {p_value(self.ni_p_adjusted, missing=NA)}, "
                f"p {p_value(self.p_adjusted, missing=NA)}, "
                f"n={self.n_cases} cases")

    def sentence(self) -> str:
        what = {
            "non_inferior": "non-inferior",
            "better": "significantly better",
            "worse": "significantly WORSE",
            "not_shown": "non-inferiority NOT shown",
            "too_few_cases": "too few cases to show non-inferiority",
        }[self.reason]
        return f"{self.metric}: {what} — {self.evidence()}"


@dataclass(frozen=True)
class GateResult:
    run_id: int
    experiment: str
    baseline: str
    alpha: float
    simulated: bool
    family: str  # how the primary and margin p-values were corrected, in words
    checks: tuple[GateCheck, ...]
    several_models: bool

    @property
    def variants(self) -> list[str]:
        return list(dict.fromkeys(c.variant for c in self.checks))

    def passed(self, variant: str) -> bool:
        return all(c.passed for c in self.checks if c.variant == variant)

    @property
    def exit_code(self) -> int:
        return PASS if all(c.passed for c in self.checks) else FAIL

    def label(self, check: GateCheck) -> str:
        return f"{check.metric} [{check.model}]" if self.several_models else check.metric

    def line(self, variant: str) -> str:
        """One line per variant: PASS/FAIL, then the failing checks (or every check when it passes)."""
        checks = [c for c in self.checks if c.variant == variant]
        if self.passed(variant):
            return (f"PASS {variant}: non-inferior to {self.baseline} on "
                    + "; ".join(f"{self.label(c)} ({c.evidence()})" for c in checks))
        failing = [c for c in checks if not c.passed]
        return f"FAIL {variant} vs {self.baseline}: " + "; ".join(
            f"{self.label(c)} {c.sentence().split(': ', 1)[1]}" for c in failing)

    def lines(self) -> list[str]:
        return [self.line(v) for v in self.variants]


def gate_run(result: RunAnalysis) -> GateResult:
    """The gate's checks for one analysed run (see the module docstring); raises WorkbenchError on bad input."""
    info = result.info
    if result.analysis is None or not result.analysis.verdicts:
        raise WorkbenchError(f"run {info.run_id} has no scores to compare yet", field="RUN")
    checks = gate_checks(result.analysis, info.primary, info.spec.non_inferiority, where=f"run {info.run_id}")
    family = next((f.describe() for f in result.analysis.families if f.name == "primary"), "")
    margin_family = next((f.describe() for f in result.analysis.families if f.name == "margin"), "")
    return GateResult(
        info.run_id, info.experiment, info.baseline, info.alpha, info.simulated,
        "; ".join(x for x in (family, margin_family) if x), checks, len({c.model for c in checks}) > 1,
    )


def gate_checks(analysis: Analysis, primary: Sequence[str], margins: Mapping[str, float], *,
                where: str = "the run") -> tuple[GateCheck, ...]:
    """One check per candidate × model × primary metric of an analysis (made with ``margins``)."""
    missing = [m for m in primary if m not in margins]
    if missing:
        raise WorkbenchError(
            f"primary metric {missing[0]!r} has no non-inferiority margin; add `non_inferiority: "
            f"{{{missing[0]}: MARGIN}}` to the spec (raw units; yes/no metrics as proportions)",
            field="non_inferiority")
    verdicts = [v for v in analysis.verdicts if v.family == "primary" and v.baseline == analysis.baseline]
    if not verdicts:
        raise WorkbenchError(f"{where} has no comparisons of a primary metric ({', '.join(primary)}) with "
                             f"{analysis.baseline}", field="primary")
    undirected = sorted({v.metric for v in verdicts if v.higher_is_better is None})
    if undirected:
        raise WorkbenchError(f"primary metric {undirected[0]!r} has no better/worse direction, so "
                             "non-inferiority is undefined; gate on a directed metric", field="primary")
    absent = [m for m in primary if m not in {v.metric for v in verdicts}]
    if absent:
        raise WorkbenchError(f"primary metric {absent[0]!r} was not scored in {where}", field="primary")
    return tuple(GateCheck.from_verdict(v) for v in verdicts)


# -- JUnit XML and Markdown ----------------------------------------------------------------------------

def junit_xml(gate: GateResult, *, timestamp: datetime | None = None, hostname: str | None = None) -> str:
    """JUnit XML (as Jenkins / GitLab / GitHub test reporters read it): one testsuite per
    candidate variant, one testcase per metric (× model), the estimate, CI and p in the message."""
    when = (timestamp or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    host = hostname or socket.gethostname() or "localhost"
    root = ET.Element("testsuites")
    for index, variant in enumerate(gate.variants):
        checks = [c for c in gate.checks if c.variant == variant]
        suite = ET.SubElement(root, "testsuite", {
            "name": f"{variant} vs {gate.baseline}", "package": f"workbench.analysis.gate.{gate.experiment}",
            "id": str(index), "timestamp": when, "hostname": host, "tests": str(len(checks)),
            "failures": str(sum(not c.passed for c in checks)), "errors": "0", "time": "0",
        })
        props = ET.SubElement(suite, "properties")
        for name, value in (("run", str(gate.run_id)), ("experiment", gate.experiment),
                            ("baseline", gate.baseline), ("alpha", str(gate.alpha)),
                            ("correction", gate.family), ("simulated", str(gate.simulated).lower())):
            ET.SubElement(props, "property", {"name": name, "value": value})
        for c in checks:
            case = ET.SubElement(suite, "testcase", {
                "classname": f"{gate.experiment}.{variant}", "name": gate.label(c), "time": "0"})
            if not c.passed:
                failure = ET.SubElement(case, "failure", {"message": c.sentence(), "type": c.reason})
                failure.text = c.sentence() + (" [SIMULATED outputs]" if gate.simulated else "")
        out = ET.SubElement(suite, "system-out")
        out.text = "\n".join(f"{'pass' if c.passed else 'FAIL'} {gate.label(c)}: {c.sentence().split(': ', 1)[1]}"
                             for c in checks)
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _md(value: float | None, check: GateCheck) -> str:
    s = 100.0 if check.kind == "binary" else 1.0
    if value is None or not math.isfinite(value):
        return "n/a"
    dec = decimals_for(None if check.ci_low is None else check.ci_low * s,
                       None if check.ci_high is None else check.ci_high * s, value * s)
    return number(value * s, dec, signed=True, missing=NA)


def markdown(gate: GateResult) -> str:
    """A summary for a pull-request comment."""
    verdict = "passed" if gate.exit_code == PASS else "failed"
    lines = [f"### Prompt gate {verdict}: {gate.experiment} (run {gate.run_id}) vs `{gate.baseline}`", ""]
    if gate.simulated:
        lines += ["> SIMULATED outputs: a demonstration, not evidence about a real model.", ""]
    lines += ["| variant | metric | result | Δ | 95% CI | margin | non-inferiority p | p |",
              "|---|---|---|---|---|---|---|---|"]
    for c in gate.checks:
        mark = "✅ pass" if c.passed else "❌ fail"
        why = {"non_inferior": "non-inferior", "better": "better", "worse": "worse",
               "not_shown": "not shown", "too_few_cases": "too few cases"}[c.reason]
        lines.append(
            f"| `{c.variant}` | {gate.label(c)} | {mark} ({why}) | {_md(c.estimate, c)} | "
            f"{_md(c.ci_low, c)} to {_md(c.ci_high, c)} | {_md(c.margin, c).lstrip('+')} | "
            f"{p_value(c.ni_p_adjusted, missing=NA)} | {p_value(c.p_adjusted, missing=NA)} |")
    lines += ["", f"α = {gate.alpha}; {gate.family}. Binary metrics in percentage points. "
              "A candidate passes a metric when it is shown to be worse by less than the margin "
              "(one-sided test) or shown to be better."]
    return "\n".join(lines) + "\n"
