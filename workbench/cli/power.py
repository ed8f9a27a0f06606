"""`workbench power`: how many cases (and repeats) a comparison needs."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from workbench.cli.app import DbOption, app, console
from workbench.cli.errors import fail, handle_errors


@app.command()
@handle_errors
def power(
    run_ref: Annotated[str | None, typer.Argument(metavar="[RUN]", help="A pilot run to plan from (id or 'latest').")]
    = None,
    effect: Annotated[float | None, typer.Option("--effect", help="Standardised effect d_z to detect (no RUN).")]
    = None,
    metric: Annotated[str | None, typer.Option("--metric", help="Metric of the pilot comparison.")] = None,
    variant: Annotated[str | None, typer.Option("--variant", help="Variant compared with the baseline.")] = None,
    budget: Annotated[int, typer.Option("--budget", min=4, help="Model calls available for the next run.")] = 2000,
    max_cases: Annotated[int | None, typer.Option("--max-cases", min=2, help="Test cases you can write at most.")]
    = None,
    target: Annotated[float, typer.Option("--power", min=0.5, max=0.99, help="Desired power.")] = 0.8,
    alpha: Annotated[float, typer.Option("--alpha", min=0.001, max=0.2, help="Significance level.")] = 0.05,
    db: DbOption = None,
) -> None:
    """Sample size for a paired comparison, or "more cases or more repeats?" from a pilot run."""
    if effect is not None and not (math.isfinite(effect) and effect != 0):
        fail(f"--effect must be a non-zero number such as 0.5 (a standardised effect d_z), not {effect:g}")
    if run_ref is None:
        if effect is None:
            fail("give a pilot RUN, or --effect d_z (e.g. --effect 0.5)")
        needed = _cases_needed(float(effect), target, alpha)
        console.print(f"A paired comparison needs [bold]{needed}[/] to detect d_z = {abs(effect):g} with "
                      f"{target:.0%} power at α = {alpha:g} (two-sided paired t, noncentral t distribution).")
        return
    _plan_from_run(run_ref, metric, variant, budget, max_cases, target, alpha, db, effect)


def _cases_needed(d_z: float, target: float, alpha: float) -> str:
    from workbench.stats import paired_t_sample_size
    from workbench.stats.analysis import MIN_TEST_CASES

    try:
        n = paired_t_sample_size(abs(d_z), target, alpha)
    except ValueError:
        fail(f"d_z = {abs(d_z):g} is too small to detect with fewer than a million test cases")
    # The verdicts are descriptive only below MIN_TEST_CASES pairs, however large the effect.
    return f"{max(n, MIN_TEST_CASES)} test cases" + (f" (the t formula says {n}; verdicts need ≥ {MIN_TEST_CASES})"
                                                      if n < MIN_TEST_CASES else "")


def _plan_from_run(run_ref: str, metric: str | None, variant: str | None, budget: int, max_cases: int | None,
                   target: float, alpha: float, db: str | None, effect: float | None = None) -> None:
    from workbench.run_analysis import analyse_run
    from workbench.store.db import Store

    result = analyse_run(Store(db), run_ref)
    analysis = result.analysis
    if analysis is None or not analysis.verdicts:
        fail(f"run {result.info.run_id} has no comparisons to plan from")
    verdicts = [v for v in analysis.verdicts
                if metric in (None, v.metric) and variant in (None, v.variant)]
    if metric is None:
        verdicts = [v for v in verdicts if v.metric == "readability"] or verdicts
    if not verdicts:
        fail(f"no comparison matches metric={metric!r}, variant={variant!r}", 2)
    v = verdicts[0]
    console.print(f"Pilot: run {result.info.run_id}, {v.variant} vs {v.baseline} on [bold]{v.metric}[/] "
                  f"({v.model}): Δ = {v.estimate:+.3g}, n = {v.n_cases} cases × {v.n_repeats:g} repeats.")
    if effect is not None:
        console.print(f"To detect d_z = {abs(effect):g} (--effect) with {target:.0%} power: "
                      f"[bold]{_cases_needed(effect, target, alpha)}[/].")
    elif v.d_z is not None and not math.isnan(v.d_z) and v.d_z != 0:
        console.print(f"To detect the observed effect (d_z = {abs(v.d_z):.2f}) with {target:.0%} power: "
                      f"[bold]{_cases_needed(v.d_z, target, alpha)}[/].")
    plan = analysis.plan(v.variant, budget, metric=v.metric, model=v.model, power=target, alpha=alpha,
                                max_cases=max_cases)
    if plan is None:
        console.print("[yellow]The pilot has one repeat per case, so the within-case variance is unknown; run a "
                      "pilot with ≥ 2 repeats to split cases vs repeats.")
        return
    from rich.table import Table

    table = Table(title=f"Designs within {budget:,} calls ({plan.n_variants} variants)", title_justify="left")
    for col in ("cases", "repeats", "calls", "SE of Δ", "min. detectable Δ"):
        table.add_column(col, justify="right")
    for option in plan.options[:8]:
        style = "bold green" if option == plan.recommended else ""
        table.add_row(str(option.n_cases), str(option.n_repeats), f"{option.calls:,}", f"{option.se:.3g}",
                      f"{option.mde:.3g}", style=style)
    console.print(table)
    console.print(plan.explanation)
    for note in plan.notes:
        console.print(f"[dim]{note}")
