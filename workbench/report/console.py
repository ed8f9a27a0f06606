"""The verdict table for the terminal (rich)."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from workbench.run_analysis import RunAnalysis
from workbench.scoring.judge import JudgeProvenance
from workbench.stats.multiplicity import CORRECTION_NAMES


def fmt_p(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}" if p < 0.01 else f"{p:.3f}"


def fmt_num(x: float | None, spec: str = "+.2f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format(x, spec)


def short_names(names: list[str]) -> tuple[dict[str, str], str]:
    """Drop the prefix all variant names share ("vacancy_nl_formal" -> "formal") so tables fit a terminal."""
    unique = sorted(set(names))
    prefix = ""
    if len(unique) > 1:
        first, last = unique[0], unique[-1]  # in sorted order these two bound the common prefix
        while len(prefix) < min(len(first), len(last)) and first[len(prefix)] == last[len(prefix)]:
            prefix += first[len(prefix)]
    prefix = prefix[: prefix.rfind("_") + 1] if "_" in prefix else ""
    return {n: n.removeprefix(prefix) or n for n in unique}, prefix


_METRIC_LABELS = {
    "age_coded.flagged": "age-coded",
    "exclusion.flagged": "exclusionary",
    "gendered_title.flagged": "gendered title",
    "screening.invite": "invited",
    "screening.score": "screening score",
}


def metric_label(metric: str, judge: JudgeProvenance | None = None) -> str:
    """A short name for terminal tables; the HTML report and exports keep the full metric ids.

    Judge metrics carry their judge ("judge clarity (gpt-4o-mini)", "judge clarity (SIMULATED judge)").
    """
    if judge is not None and metric.startswith("judge."):
        return f"judge {metric.removeprefix('judge.')} ({judge.short})"
    if metric in _METRIC_LABELS:
        return _METRIC_LABELS[metric]
    if metric.startswith("gender_coded_nl_provisional."):
        return "gender* " + metric.rsplit(".", 1)[1]  # * = provisional Dutch list
    if metric.startswith("gender_coded."):
        return "gender " + metric.rsplit(".", 1)[1]
    for prefix in ("judge.", "check."):
        if metric.startswith(prefix):
            return prefix[:-1] + " " + metric.removeprefix(prefix)
    return metric


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def verdict_label(row: pd.Series) -> str:
    if row.get("descriptive_only"):
        return "[dim]descriptive only"
    if not row["significant"]:
        outcome = row.get("outcome")
        binary = row.get("kind") == "binary"
        if outcome == "equivalent":
            return "[green]equivalent"
        if outcome == "non_inferior":
            return "[green]non-inferior"
        if outcome == "possible_harm" and row.get("harm_bound") is not None:
            bound = f"{abs(row['harm_bound']):.0%}" if binary else f"{abs(row['harm_bound']):.2g}"
            return f"[dark_orange]unclear, ≤ {bound} worse?"
        mde = row.get("mde")
        if mde is None or mde != mde:
            return "[dim]n.s."
        return "[dim]n.s. MDE " + (f"{abs(mde):.0%}" if binary else f"{abs(mde):.2g}")
    if row["direction"] == "better":
        return "[bold green]better"
    if row["direction"] == "worse":
        return "[bold red]worse"
    return f"[bold]{row['direction']}"


FAMILY_LETTERS = {"primary": "P", "secondary": "E", "supplementary": "E+"}
_DECISION_STYLE = {"adopt": "bold green", "reject": "bold red", "promising": "bold dark_orange",
                   "equivalent": "bold green", "differs": "bold", "no_decision": "bold", "descriptive": "dim"}


def print_decision(console: Console, result: RunAnalysis) -> None:
    """The decision summary per variant (see workbench.decision_summary), first thing a user reads."""
    from rich.text import Text

    from workbench.decision_summary import decision_summary, summary_lines

    if result.analysis is None or not result.analysis.verdicts:
        return
    summary = decision_summary(result.analysis, simulated=result.info.simulated)
    lines = summary_lines(summary, "en", lambda metric: metric_label(metric, result.info.judge))
    console.print(Text(lines[0], style="bold"))
    body = lines[1:]
    if summary.simulated:
        console.print(Text(body[0], style="magenta bold"))
        body = body[1:]
    for decision, line in zip(summary.decisions, body, strict=True):
        head, _, rest = line.partition(". ")
        text = Text("• ")
        text.append(head + ".", style=_DECISION_STYLE.get(decision.recommendation, "bold"))
        if rest:
            text.append(" " + rest)
        console.print(text)


def family_legend(result: RunAnalysis) -> str:
    """E.g. "P = primary (Holm over 6 tests in the run); E = exploratory (Benjamini–Hochberg over 40)"."""
    if result.analysis is None:
        return ""
    names = {"primary": "primary", "secondary": "exploratory", "supplementary": "exploratory, extra metrics"}
    parts = []
    for fam in result.analysis.families:
        if fam.name not in FAMILY_LETTERS or not fam.size:
            continue
        where = "" if fam.scope == "run" else f" for {fam.model}" + (f"/{fam.metric}" if fam.metric else "")
        how = "unadjusted" if fam.correction == "none" else CORRECTION_NAMES[fam.correction]
        text = f"{FAMILY_LETTERS[fam.name]} = {names[fam.name]} ({how} over {fam.size} tests{where or ' in the run'})"
        if text not in parts:
            parts.append(text)
    return "; ".join(parts[:4])


def print_verdicts(console: Console, result: RunAnalysis, *, all_metrics: bool = False) -> None:
    info = result.info
    banner = " [magenta bold]SIMULATED outputs[/]" if info.simulated else ""
    if info.judge is not None and info.judge.simulated:
        banner += " [magenta bold]SIMULATED judge[/]"
    console.print(
        f"[bold]Run {info.run_id}[/] · {info.experiment} · {info.status} · {info.outputs:,} outputs, "
        f"{info.errors} errors · baseline [bold]{info.baseline}[/] · α={info.alpha}, "
        f"{info.correction.upper()} correction over the primary family{banner}"
    )
    for warning in result.warnings:
        console.print(f"[yellow]! {warning}")
    if result.analysis is None:
        return
    print_decision(console, result)
    frame = result.analysis.to_frame() if all_metrics else result.headline_verdicts()
    if frame.empty:
        console.print("No comparisons (a single variant, or no scores).")
        return
    short, prefix = short_names([*frame["variant"], info.baseline])
    if prefix:
        console.print(f"[dim]variants: {prefix}…")
    for model, block in frame.groupby("model", sort=False):
        table = _table(
            f"Verdicts vs {short[info.baseline]} · {model}" + (" (SIMULATED)" if info.simulated else "")
        )
        # Wide terminals also get the better/worse/tied counts; the verdict column always fits.
        counts = console.width >= 100
        columns = ["metric", "variant", "Δ [95% CI]", "adj. p", "fam", *(["+/−/="] if counts else []), "verdict"]
        for col in columns:
            left = col in ("metric", "variant", "verdict")
            table.add_column(col, justify="left" if left else "right", no_wrap=True, min_width=len(col))
        for _, row in block.iterrows():
            spec = "+.1%" if row["kind"] == "binary" else "+.2f"
            low, high = fmt_num(row["ci_low"], spec), fmt_num(row["ci_high"], spec)
            table.add_row(
                metric_label(str(row["metric"]), info.judge),
                short[str(row["variant"])],
                f"{fmt_num(row['estimate'], spec)} [{low}, {high}]",
                fmt_p(row["p_adjusted"]),
                FAMILY_LETTERS.get(str(row.get("family", "primary")), "?"),
                *([f"{row['n_better']}/{row['n_worse']}/{row['n_tied']}"] if counts else []),
                verdict_label(row),
            )
        console.print(table)
        first = block.iloc[0]
        console.print(f"[dim]{table_note(first, [str(m) for m in block['metric']], info.judge)}")
    legend = family_legend(result)
    if legend:
        console.print(f"[dim]adj. p families: {legend}")
    significant = [
        v for v in result.analysis.verdicts if v.significant and (all_metrics or _headline(v.metric))
    ]
    for verdict in significant[:20]:
        judged = f" ({info.judge.label})" if info.judge and verdict.metric.startswith("judge.") else ""
        console.print(f"• {verdict.sentence()}{judged}")


def table_note(first: pd.Series, metrics: list[str], judge: JudgeProvenance | None) -> str:
    """The line under a verdict table: sample size, what Δ means, and only the legends its rows need."""
    parts = [f"n = {first['n_cases']} cases × {first['n_repeats']:g} repeats", "Δ = variant − baseline per case"]
    if any(m.startswith("gender_coded_nl_provisional.") for m in metrics):
        parts.append("gender* = provisional Dutch list")
    if judge is not None and any(m.startswith("judge.") for m in metrics):
        parts.append(f"judge rows {judge.label}")
    return "; ".join(parts)


def _headline(metric: str) -> bool:
    from workbench.run_analysis import is_headline

    return is_headline(metric)


def print_bias(console: Console, result: RunAnalysis) -> None:
    rates = result.lint_rates
    if not rates.empty:
        short, _ = short_names(list(rates["variant"]))
        one_model = rates["model"].nunique() == 1
        title = "Coded wording: share of outputs flagged (95% CI over cases)"
        table = _table(title + (f" · {rates['model'].iloc[0]}" if one_model else ""))
        for col in (*(() if one_model else ("model",)), "variant", "lint", "rate", "95% CI", "outputs"):
            table.add_column(col, no_wrap=True)
        for _, r in rates.iterrows():
            table.add_row(
                *(() if one_model else (r["model"],)),
                short[r["variant"]],
                metric_label(r["metric"]),
                f"{r['rate']:.1%}",
                f"{fmt_num(r['ci_low'], '.1%')} … {fmt_num(r['ci_high'], '.1%')}",
                str(r["n_outputs"]),
            )
        console.print(table)
    if result.bias is None:
        return
    frame = result.bias.to_frame()
    colors = {"red": "bold red", "orange": "dark_orange", "green": "green", "inconclusive": "dim"}
    short, _ = short_names([str(v) for v in frame.get("variant", [])])
    table = _table("Name-swap audit — indicative, not a legal audit")
    for col in ("variant", "outcome", "group", "rate", "impact ratio", "adj. p", "flag"):
        table.add_column(col, no_wrap=col != "outcome")
    for _, r in frame.iterrows():
        flag = str(r.get("flag", ""))
        rate = r.get("rate", r.get("mean"))
        table.add_row(
            short.get(str(r.get("variant", "")), str(r.get("variant", ""))),
            str(r.get("metric", "")),
            str(r.get("group", "")),
            fmt_num(rate, ".3f"),
            fmt_num(r.get("impact_ratio"), ".2f"),
            fmt_p(r.get("p_adjusted")),
            f"[{colors.get(flag, 'white')}]{flag}",
        )
    console.print(table)
    m = len(result.bias.comparisons)
    console.print(f"[dim]adj. p: Holm over the audit's {m} group comparison{'s' if m != 1 else ''}, names as a "
                  "random factor; CIs simultaneous")
    for sentence in result.bias.sentences()[:12]:
        console.print(f"• {sentence}")
