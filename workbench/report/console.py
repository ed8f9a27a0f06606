"""The verdict table for the terminal (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table

from workbench import number_format as nf
from workbench.scoring.catalogue import is_headline, is_judge_metric, metric_info

if TYPE_CHECKING:  # the run summary uses short_names without loading the statistics (SciPy)
    import pandas as pd

    from workbench.analysis.run_results import RunAnalysis
    from workbench.scoring.judge import JudgeProvenance
    from workbench.store.db import Store


def per_case(n_cases: Any, n_repeats: Any, n_names: Any = 0) -> str:
    """"20 cases × 3 repeats", or for a name-swap run "20 cases × 9 names × 2 repeats" (not "× 18 repeats")."""
    names = int(n_names) if nf.finite(n_names) else 0
    repeats = nf.finite(n_repeats)
    if names > 1 and repeats is not None and repeats % names == 0:
        each = int(repeats // names)
        return f"{n_cases} cases × {names} names × {each} repeat{'s' if each != 1 else ''}"
    return f"{n_cases} cases × {nf.number(n_repeats, 0)} repeat{'s' if repeats != 1 else ''}"


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


def metric_label(metric: str, judge: JudgeProvenance | None = None) -> str:
    """The catalogue's short name for terminal tables; the HTML report and exports keep the full metric ids.

    Judge metrics carry their judge ("judge clarity (gpt-4o-mini)", "judge clarity (SIMULATED judge)").
    """
    label = metric_info(metric).short_label()
    return f"{label} ({judge.short})" if judge is not None and is_judge_metric(metric) else label


def _table(console: Console, title: str) -> Table:
    """A compact table; its title is printed as its own line first (a table title would wrap at the
    table's width, which at 80 columns breaks it mid-phrase)."""
    console.print(f"[bold]{title}")
    # SIMPLE_HEAD draws a space between columns; no padding on top of it, no edge: one space apart.
    return Table(box=box.SIMPLE_HEAD, show_edge=False, padding=0)


def verdict_label(row: pd.Series) -> str:
    if row.get("descriptive_only"):
        return "[dim]descriptive only"
    if not row["significant"]:
        outcome = row.get("outcome")
        if outcome == "equivalent":
            return "[green]equivalent"
        if outcome == "non_inferior":
            return "[green]non-inferior"
        if outcome == "possible_harm" and row.get("harm_bound") is not None:
            return f"[dark_orange]unclear, ≤ {nf.mde(row['harm_bound'], str(row.get('kind')))} worse?"
        mde = row.get("mde")
        if nf.finite(mde) is None:
            return "[dim]n.s."
        return "[dim]n.s. MDE " + nf.mde(mde, str(row.get("kind")))
    if row["direction"] == "better":
        return "[bold green]better"
    if row["direction"] == "worse":
        return "[bold red]worse"
    return f"[bold]{row['direction']}"


FAMILY_LETTERS = {"primary": "P", "secondary": "E", "supplementary": "E+"}
_DECISION_STYLE = {"adopt": "bold green", "reject": "bold red", "promising": "bold dark_orange",
                   "equivalent": "bold green", "differs": "bold", "no_decision": "bold", "descriptive": "dim"}


def print_decision(console: Console, result: RunAnalysis) -> None:
    """The decision summary per variant (see workbench.analysis.decision_summary), first thing a user reads."""
    from rich.text import Text

    from workbench.analysis.decision_summary import decision_summary, summary_lines

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
    from workbench.stats.multiplicity import CORRECTION_NAMES

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
    # Short lines rather than one that an 80-column terminal breaks in the middle of a phrase.
    console.print(f"[bold]Run {info.run_id}[/] · {info.experiment} · {info.status} · {nf.count(info.outputs)} "
                  f"outputs, {nf.count(info.errors)} errors")
    if info.simulated:
        console.print("[magenta bold]SIMULATED outputs[/] (made offline by the simulated provider)")
    if info.judge is not None and info.judge.simulated:
        console.print("[magenta bold]SIMULATED judge[/] (judge scores made offline, not by a language model)")
    console.print(f"Baseline [bold]{info.baseline}[/] · α = {info.alpha} · {info.correction.upper()} correction "
                  "over the primary family")
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
            console, f"Verdicts vs {short[info.baseline]} · {model}" + (" (SIMULATED)" if info.simulated else "")
        )
        # Wide terminals also get the better/worse/tied counts. At 80 columns the numbers and the verdict
        # never wrap or shrink; a long metric label wraps onto a second line instead.
        # At 80 columns the family letter joins the adjusted p ("0.0056 E") instead of taking a column.
        counts = console.width >= 100
        columns = ["metric", "variant", "Δ", "95% CI", "adj. p", *(["fam", "+/−/="] if counts else []), "verdict"]
        for col in columns:
            left = col in ("metric", "variant", "verdict")
            table.add_column(col, justify="left" if left else "right", no_wrap=col != "metric",
                             min_width=len(col), ratio=1 if col == "metric" else None)
        for _, row in block.iterrows():
            kind = str(row["kind"])
            family = FAMILY_LETTERS.get(str(row.get("family", "primary")), "?")
            table.add_row(
                metric_label(str(row["metric"]), info.judge),
                short[str(row["variant"])],
                nf.estimate(row["estimate"], kind),
                nf.interval(row["ci_low"], row["ci_high"], kind),
                nf.p_value(row["p_adjusted"]) + ("" if counts else f" {family}"),
                *([family, f"{row['n_better']}/{row['n_worse']}/{row['n_tied']}"] if counts else []),
                verdict_label(row),
            )
        console.print(table)
        first = block.iloc[0]
        console.print(f"[dim]{table_note(first, [str(m) for m in block['metric']], info.judge)}")
    legend = family_legend(result)
    if legend:
        console.print(f"[dim]adj. p families: {legend}")
    significant = [
        v for v in result.analysis.verdicts if v.significant and (all_metrics or is_headline(v.metric))
    ]
    for verdict in significant[:20]:
        judged = f" ({info.judge.label})" if info.judge and is_judge_metric(verdict.metric) else ""
        console.print(f"• {verdict.sentence()}{judged}")


def table_note(first: pd.Series, metrics: list[str], judge: JudgeProvenance | None) -> str:
    """The line under a verdict table: sample size, what Δ means, and only the legends its rows need."""
    parts = [f"n = {per_case(first['n_cases'], first['n_repeats'], first.get('n_names', 0))}",
             "Δ = variant − baseline per case (pp: percentage points)"]
    parts += dict.fromkeys(metric_info(m).legend for m in metrics if metric_info(m).legend)
    if judge is not None and any(is_judge_metric(m) for m in metrics):
        parts.append(f"judge rows {judge.label}")
    return "; ".join(parts)


def print_bias(console: Console, result: RunAnalysis) -> None:
    rates = result.lint_rates
    if not rates.empty:
        short, _ = short_names(list(rates["variant"]))
        one_model = rates["model"].nunique() == 1
        title = "Coded wording: share of outputs flagged (95% CI over cases)"
        table = _table(console, title + (f" · {rates['model'].iloc[0]}" if one_model else ""))
        for col in (*(() if one_model else ("model",)), "variant", "lint", "rate", "95% CI", "outputs"):
            table.add_column(col, no_wrap=True, justify="right" if col in ("rate", "95% CI", "outputs") else "left")
        for _, r in rates.iterrows():
            table.add_row(
                *(() if one_model else (r["model"],)),
                short[r["variant"]],
                metric_label(r["metric"]),
                nf.rate(r["rate"]),
                f"{nf.rate(r['ci_low'])} … {nf.rate(r['ci_high'])}",
                nf.count(r["n_outputs"]),
            )
        console.print(table)
    if result.bias is None:
        return
    frame = result.bias.to_frame()
    colors = {"red": "bold red", "orange": "dark_orange", "green": "green", "inconclusive": "dim"}
    short, _ = short_names([str(v) for v in frame.get("variant", [])])
    table = _table(console, "Name-swap audit — indicative, not a legal audit")
    # The flag is the answer: it comes right after who is compared, so a narrow terminal never hides it.
    for col in ("variant", "group", "flag", "outcome", "rate", "ratio", "adj. p"):
        table.add_column(col, no_wrap=col not in ("outcome", "group"),
                         justify="left" if col in ("variant", "group", "flag", "outcome") else "right")
    for _, r in frame.iterrows():
        flag = str(r.get("flag", ""))
        rate = r.get("rate", r.get("mean"))
        table.add_row(
            short.get(str(r.get("variant", "")), str(r.get("variant", ""))),
            str(r.get("group", "")),
            f"[{colors.get(flag, 'white')}]{flag}",
            metric_label(str(r.get("metric", ""))),
            nf.number(rate, 3),
            nf.ratio(r.get("impact_ratio")),
            nf.p_value(r.get("p_adjusted")),
        )
    console.print(table)
    m = len(result.bias.comparisons)
    console.print(f"[dim]adj. p: Holm over the audit's {m} group comparison{'s' if m != 1 else ''}, names as a "
                  "random factor; CIs simultaneous")
    for sentence in result.bias.sentences()[:12]:
        console.print(f"• {sentence}")


def print_versions(console: Console, store: Store, result: RunAnalysis) -> None:
    """Which prompt version each variant of the run used, and what changed since the version before."""
    from workbench.experiment.prompt_diff import diff_stat
    from workbench.store.versions import run_versions

    with store.session() as session:
        versions = run_versions(session, result.info.run_id)
    if not versions:
        return
    if all(used.version == 1 for used, _ in versions):
        console.print("[dim]Prompt versions: all version 1 (no variant was edited since it was first run)")
        return
    console.print("Prompt versions:")
    for used, previous in versions:
        when = used.created_at.strftime("%Y-%m-%d %H:%M") if used.created_at else "?"
        change = ""
        if previous is not None:
            added, removed = diff_stat(previous, used)
            change = f", changed since version {previous.version}: +{added}/−{removed} lines"
        console.print(f"  {used.key}: version {used.version} of {when}{change}")
