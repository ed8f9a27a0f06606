"""The verdict table for the terminal (rich)."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table

from workbench.run_analysis import RunAnalysis


def fmt_p(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}" if p < 0.01 else f"{p:.3f}"


def fmt_num(x: float | None, spec: str = "+.2f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format(x, spec)


def verdict_label(row: pd.Series) -> str:
    if row.get("descriptive_only"):
        return "[dim]descriptive only"
    if not row["significant"]:
        mde = row.get("mde")
        return "[dim]no sig. difference" + (
            f" (MDE {abs(mde):.2g})" if mde == mde and mde is not None else ""
        )
    if row["direction"] == "better":
        return "[bold green]better"
    if row["direction"] == "worse":
        return "[bold red]worse"
    return f"[bold]{row['direction']}"


def print_verdicts(console: Console, result: RunAnalysis, *, all_metrics: bool = False) -> None:
    info = result.info
    banner = " [magenta bold]SIMULATED outputs[/]" if info.simulated else ""
    console.print(
        f"[bold]Run {info.run_id}[/] · {info.experiment} · {info.status} · {info.outputs:,} outputs, "
        f"{info.errors} errors · baseline [bold]{info.baseline}[/] · α={info.alpha}, "
        f"{info.correction.upper()} correction{banner}"
    )
    for warning in result.warnings:
        console.print(f"[yellow]! {warning}")
    if result.analysis is None:
        return
    frame = result.analysis.to_frame() if all_metrics else result.headline_verdicts()
    if frame.empty:
        console.print("No comparisons (a single variant, or no scores).")
        return
    for model, block in frame.groupby("model", sort=False):
        table = Table(
            title=f"Verdicts vs {info.baseline} · {model}" + (" (SIMULATED)" if info.simulated else ""),
            title_justify="left",
            show_lines=False,
        )
        for col in ("metric", "variant", "Δ", "95% CI", "p", "adj. p", "d_z", "+/−/=", "n", "verdict"):
            table.add_column(
                col, justify="left" if col in ("metric", "variant", "verdict") else "right", overflow="fold"
            )
        for _, row in block.iterrows():
            binary = row["kind"] == "binary"
            spec = "+.1%" if binary else "+.2f"
            ci = f"{fmt_num(row['ci_low'], spec)} … {fmt_num(row['ci_high'], spec)}"
            table.add_row(
                str(row["metric"]),
                str(row["variant"]),
                fmt_num(row["estimate"], spec),
                ci,
                fmt_p(row["p_value"]),
                fmt_p(row["p_adjusted"]),
                fmt_num(row["d_z"]),
                f"{row['n_better']}/{row['n_worse']}/{row['n_tied']}",
                f"{row['n_cases']}×{row['n_repeats']}",
                verdict_label(row),
            )
        console.print(table)
    significant = [
        v for v in result.analysis.verdicts if v.significant and (all_metrics or _headline(v.metric))
    ]
    for verdict in significant[:20]:
        console.print(f"• {verdict.sentence()}")


def _headline(metric: str) -> bool:
    from workbench.run_analysis import is_headline

    return is_headline(metric)


def print_bias(console: Console, result: RunAnalysis) -> None:
    if not result.lint_rates.empty:
        table = Table(
            title="Coded wording: share of outputs flagged (95% CI, cases resampled)", title_justify="left"
        )
        for col in ("model", "variant", "lint", "rate", "95% CI", "outputs"):
            table.add_column(col)
        for _, r in result.lint_rates.iterrows():
            table.add_row(
                r["model"],
                r["variant"],
                r["metric"].removesuffix(".flagged"),
                f"{r['rate']:.1%}",
                f"{fmt_num(r['ci_low'], '.1%')} … {fmt_num(r['ci_high'], '.1%')}",
                str(r["n_outputs"]),
            )
        console.print(table)
    if result.bias is None:
        return
    frame = result.bias.to_frame()
    colors = {"red": "bold red", "orange": "dark_orange", "green": "green", "inconclusive": "dim"}
    table = Table(title="Name-swap audit — indicative, not a legal audit", title_justify="left")
    for col in ("variant", "outcome", "group", "rate/mean", "impact ratio", "adj. p", "flag"):
        table.add_column(col)
    for _, r in frame.iterrows():
        flag = str(r.get("flag", ""))
        rate = r.get("rate", r.get("mean"))
        table.add_row(
            str(r.get("variant", "")),
            str(r.get("metric", "")),
            str(r.get("group", "")),
            fmt_num(rate, ".3f"),
            fmt_num(r.get("impact_ratio"), ".2f"),
            fmt_p(r.get("p_adjusted")),
            f"[{colors.get(flag, 'white')}]{flag}",
        )
    console.print(table)
    for sentence in result.bias.sentences()[:12]:
        console.print(f"• {sentence}")
