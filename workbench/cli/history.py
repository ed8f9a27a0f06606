"""`workbench compare RUN_A RUN_B` and `workbench history NAME`: runs of one experiment over time."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from workbench import number_format as nf
from workbench.cli.consoles import BidiSafeConsole
from workbench.cli.errors import handle_errors
from workbench.cli.options import DbOption
from workbench.report.console import short_names

console = BidiSafeConsole(highlight=False)

MetricOption = Annotated[
    list[str] | None, typer.Option("--metric", "-m", help="Metric to show (repeat for several).")]


def _num(value: float | None, signed: bool = False) -> str:
    """Two decimals below 10, one above (the tables compare means of very different sizes)."""
    x = nf.finite(value)
    return nf.number(x, 2 if x is None or abs(x) < 10 else 1, signed=signed)


def _p(p: float | None) -> str:
    return nf.p_value(p, missing=nf.NA)


@handle_errors
def compare_command(
    run_a: Annotated[str, typer.Argument(metavar="RUN_A", help="The earlier run (id or 'latest').")],
    run_b: Annotated[str, typer.Argument(metavar="RUN_B", help="The later run (id or 'latest').")],
    metric: MetricOption = None,
    force: Annotated[bool, typer.Option("--force", help="Compare runs of different experiments.")] = False,
    db: DbOption = None,
) -> None:
    """Run B against run A: outputs paired by (variant, case, model), the change per metric with paired
    statistics (CI, p corrected over the spec's families); changed prompts (content hash) and models shown."""
    from workbench.analysis.run_history import compare_runs
    from workbench.store.db import Store

    result = compare_runs(Store(db), run_a, run_b, metrics=metric, force=force)
    simulated = " [magenta](SIMULATED)[/]" if result.simulated else ""
    console.print(f"[bold]Run {result.run_b} vs run {result.run_a}[/] · {escape(result.experiment)}{simulated} · "
                  "change = run B − run A per case, repeats averaged")
    for variant, (old, new) in result.changed_prompts.items():
        console.print(f"[yellow]! prompt changed:[/] {escape(variant)} ({(old or '')[:8]} → {(new or '')[:8]}): "
                      "a change there is the new prompt's, not the model's randomness")
    if result.models_a != result.models_b:
        console.print(f"[yellow]! models differ:[/] run {result.run_a}: {', '.join(result.models_a)}; "
                      f"run {result.run_b}: {', '.join(result.models_b)}")
    for label, cells in ((f"run {result.run_a} only", result.only_in_a),
                         (f"run {result.run_b} only", result.only_in_b)):
        if cells:
            console.print(f"[dim]not paired ({label}): {escape(', '.join(cells))}")
    for warning in result.warnings:
        console.print(f"[yellow]! {escape(warning)}")
    frame = result.frame()
    if frame.empty:
        return
    several_models = frame["model"].nunique() > 1
    short, prefix = short_names([str(v) for v in frame["variant"]])
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("variant", *(["model"] if several_models else []), "metric", f"run {result.run_a}",
                   f"run {result.run_b}", "change [95% CI]", "adj. p", "fam", ""):
        table.add_column(column, justify="left" if column in ("variant", "model", "metric", "") else "right",
                         no_wrap=column == "change [95% CI]")
    for row in frame.to_dict(orient="records"):
        mark = ""
        if row["significant"]:
            mark = {"better": "[green]better", "worse": "[red]worse"}.get(row["direction"], f"[bold]{row['direction']}")
        variant = short[str(row["variant"])] + (" [yellow]*[/]" if row["prompt_changed"] else "")
        table.add_row(
            variant, *([row["model"]] if several_models else []), row["metric"], _num(row["mean_a"]),
            _num(row["mean_b"]),
            f"{_num(row['change'], True)} [{_num(row['ci_low'], True)}, {_num(row['ci_high'], True)}]",
            _p(row["p_adjusted"]), "P" if row["family"] == "primary" else "E", mark)
    console.print(table)
    if prefix:
        console.print(f"[dim]variants: {escape(prefix)}…")
    console.print("[dim]P: primary (Holm over the primary metrics × variants × models); E: exploratory "
                  "(Benjamini–Hochberg). * prompt changed between the runs.")


@handle_errors
def history_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Experiment name (the spec's `name:`).")],
    metric: MetricOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write an HTML page with the charts.")] = None,
    db: DbOption = None,
) -> None:
    """Each metric over the experiment's runs: mean over cases with a 95% CI per run and variant (the primary
    metrics unless --metric), with the prompt's content hash so changed prompts stand out."""
    from workbench.analysis.run_history import run_history
    from workbench.store.db import Store

    store = Store(db)
    if not metric:
        from workbench.analysis.run_results import metric_families
        from workbench.store.frames import all_metric_names, run_header
        from workbench.store.queries import experiment_runs

        with store.session() as session:
            runs = experiment_runs(session, name)
            if runs:
                last = runs[-1]["id"]
                metric = metric_families(run_header(session, last).spec, all_metric_names(session, last))[0]
    history = run_history(store, name, metrics=metric)
    if history.empty:
        console.print(f"No scores yet in the runs of {escape(name)}.")
        return
    simulated = " [magenta](SIMULATED)[/]" if history["simulated"].any() else ""
    console.print(f"[bold]History · {escape(name)}[/]{simulated} · {history['run'].nunique()} runs · "
                  "mean over cases [95% CI]")
    short, prefix = short_names([str(v) for v in history["variant"]])
    for m, part in history.groupby("metric", sort=False):
        table = Table(title=str(m), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        several_models = part["model"].nunique() > 1
        for column in ("run", "started", "variant", *(["model"] if several_models else []), "mean [95% CI]",
                       "cases", "prompt"):
            table.add_column(column, justify="right" if column in ("run", "cases") else "left",
                             no_wrap=column in ("mean [95% CI]", "started"))
        previous: dict[tuple[str, str], str] = {}
        for row in part.sort_values(["run", "variant", "model"]).to_dict(orient="records"):
            key = (row["variant"], row["model"])
            prompt = row["prompt_hash"]
            if key in previous and previous[key] != prompt:
                prompt = f"[yellow]{prompt} (changed)"
            previous[key] = row["prompt_hash"]
            table.add_row(str(row["run"]), row["started_at"].strftime("%Y-%m-%d %H:%M"), short[str(row["variant"])],
                          *([row["model"]] if several_models else []),
                          f"{_num(row['mean'])} [{_num(row['ci_low'])}, {_num(row['ci_high'])}]",
                          str(row["n_cases"]), prompt)
        console.print(table)
    if prefix:
        console.print(f"[dim]variants: {escape(prefix)}…")
    if out is not None:
        _write_history_page(history, name, out)
        console.print(f"Wrote {escape(str(out))}")


def _write_history_page(history: object, name: str, out: Path) -> None:
    import pandas as pd

    from workbench.analysis.run_history import history_chart
    from workbench.atomic import atomic_open
    from workbench.errors import WorkbenchError
    from workbench.report.render import svg

    assert isinstance(history, pd.DataFrame)
    parts = [f"<!doctype html><meta charset='utf-8'><title>History · {html.escape(name)}</title>",
             f"<h1>History · {html.escape(name)}</h1>"]
    if history["simulated"].any():
        parts.append("<p><strong>SIMULATED</strong> outputs: a demonstration, not evidence about a real model.</p>")
    for metric in dict.fromkeys(history["metric"]):
        chart = svg(history_chart(history, str(metric)))
        if chart:
            parts.append(f"<figure>{chart}<figcaption>{html.escape(str(metric))}: mean over cases per run and "
                         "variant, 95% t-interval over case means.</figcaption></figure>")
    table = history.drop(columns=["simulated"]).to_html(index=False, float_format=lambda x: f"{x:.3f}")
    parts.append(table)
    try:
        with atomic_open(out, "w", encoding="utf-8") as handle:
            handle.write("\n".join(parts))
    except OSError as exc:
        raise WorkbenchError(f"cannot write {out}: {exc.strerror or exc}", file=out) from None
