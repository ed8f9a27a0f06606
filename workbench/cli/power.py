"""`workbench power`: how many cases (and repeats, and names) a comparison needs.

The figures account for what the verdicts actually do: the multiplicity correction (a comparison in a
Holm family of m tests must reach α/m when it is the only real effect), clustering (cluster-robust SE,
t with G − 1 df) and, for name-swap audits, names as a random factor (see workbench.stats.power).
"""

from __future__ import annotations

import math
from typing import Annotated

import typer

from workbench.cli.app import app, console
from workbench.cli.errors import fail, handle_errors
from workbench.cli.options import DbOption

Correction = typer.Option("--correction", help="Correction of the family: holm, bh, bonferroni or none.")


@app.command()
@handle_errors
def power(
    run_ref: Annotated[str | None, typer.Argument(metavar="[RUN]", help="A pilot run to plan from (id or 'latest').")]
    = None,
    effect: Annotated[float | None, typer.Option(
        "--effect", help="Effect to detect: d_z (paired comparison), or outcome units with --swap.")] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="Metric of the pilot comparison.")] = None,
    variant: Annotated[str | None, typer.Option("--variant", help="Variant compared with the baseline.")] = None,
    budget: Annotated[int, typer.Option("--budget", min=4, help="Model calls available for the next run.")] = 2000,
    max_cases: Annotated[int | None, typer.Option("--max-cases", min=2, help="Test cases you can write at most.")]
    = None,
    target: Annotated[float, typer.Option("--power", min=0.5, max=0.99, help="Desired power.")] = 0.8,
    alpha: Annotated[float, typer.Option("--alpha", min=0.001, max=0.2, help="Significance level.")] = 0.05,
    tests: Annotated[int, typer.Option("--tests", min=1, help="Comparisons in the family (e.g. primary metrics × "
                                       "variants × models); the test runs at α/tests.")] = 1,
    correction: Annotated[str, Correction] = "holm",
    design_effect: Annotated[float, typer.Option("--design-effect", min=1.0, help="Variance inflation from "
                                                 "clustered cases (1 = none).")] = 1.0,
    cluster_size: Annotated[float, typer.Option("--cluster-size", min=1.0, help="Cases per cluster (sets the "
                                                "G − 1 degrees of freedom).")] = 1.0,
    swap: Annotated[bool, typer.Option("--swap", help="Plan a name-swap audit: cases × names per group.")] = False,
    sd: Annotated[float, typer.Option("--sd", min=0.0, help="--swap: SD of one (case, name) mean around case and "
                                      "name effects (output noise).")] = 0.8,
    name_sd: Annotated[float, typer.Option("--name-sd", min=0.0, help="--swap: SD between single names of one "
                                           "group.")] = 0.3,
    groups: Annotated[int, typer.Option("--groups", min=2, help="--swap: number of groups of names.")] = 2,
    cases: Annotated[int, typer.Option("--cases", min=2, help="--swap: test cases you plan to use.")] = 20,
    db: DbOption = None,
) -> None:
    """Sample size for a paired comparison or a name-swap audit, or "more cases or more repeats?" from a pilot."""
    if correction not in ("holm", "bh", "bonferroni", "none"):
        fail(f"--correction must be holm, bh, bonferroni or none, not {correction!r}")
    if effect is not None and not (math.isfinite(effect) and effect != 0):
        fail(f"--effect must be a non-zero number such as 0.5 (a standardised effect d_z), not {effect:g}")
    if run_ref is None:
        if effect is None:
            fail("give a pilot RUN, or --effect (e.g. --effect 0.5)")
        if swap:
            _swap_plan(abs(float(effect)), sd, name_sd, groups, cases, target, alpha, tests, correction)
            return
        needed = _cases_needed(float(effect), target, alpha, tests, correction, design_effect, cluster_size)
        console.print(f"A paired comparison needs [bold]{needed}[/] to detect d_z = {abs(effect):g} with "
                      f"{target:.0%} power at α = {alpha:g}{_family_text(tests, correction, alpha)}"
                      f"{_cluster_text(design_effect, cluster_size)} (paired t, noncentral t distribution).")
        return
    _plan_from_run(run_ref, metric, variant, budget, max_cases, target, alpha, db, effect)


def _family_text(tests: int, correction: str, alpha: float) -> str:
    from workbench.stats.power import per_test_alpha

    if tests <= 1 or correction == "none":
        return ""
    return f", {correction.upper()} over {tests} tests (α/{tests} = {per_test_alpha(alpha, tests, correction):.3g})"


def _cluster_text(design_effect: float, cluster_size: float) -> str:
    if design_effect <= 1 and cluster_size <= 1:
        return ""
    return f", clusters of {cluster_size:g} cases with design effect {design_effect:g} (t with G − 1 df)"


def _cases_needed(d_z: float, target: float, alpha: float, tests: int = 1, correction: str = "holm",
                  design_effect: float = 1.0, cluster_size: float = 1.0, *, asked: bool = True) -> str:
    """`asked`: the user gave this effect (an impossible one is an error); else it came from a pilot."""
    from workbench.stats import paired_t_sample_size
    from workbench.stats.compare_variants import MIN_TEST_CASES

    try:
        n = paired_t_sample_size(abs(d_z), target, alpha, n_tests=tests, correction=correction,
                                 design_effect=design_effect, cluster_size=cluster_size)
    except ValueError:
        if not asked:
            return "more than a million test cases"
        fail(f"d_z = {abs(d_z):g} is too small to detect with fewer than a million test cases")
    # The verdicts are descriptive only below MIN_TEST_CASES pairs, however large the effect.
    return f"{max(n, MIN_TEST_CASES)} test cases" + (f" (the t formula says {n}; verdicts need ≥ {MIN_TEST_CASES})"
                                                      if n < MIN_TEST_CASES else "")


def _swap_plan(effect: float, sd: float, name_sd: float, groups: int, cases: int, target: float, alpha: float,
               tests: int, correction: str) -> None:
    from rich.table import Table

    from workbench.stats.power import NameSwapDesign, name_swap_cases_needed, name_swap_names_needed, name_swap_power

    design = NameSwapDesign(sd_name=name_sd, sd_cell=sd, n_groups=groups, alpha=alpha, n_tests=tests,
                            correction=correction, power=target)
    table = Table(title=f"Power to detect a group difference of {effect:g} (name SD {name_sd:g}, output SD {sd:g}, "
                        f"{groups} groups{_family_text(tests, correction, alpha)})", title_justify="left")
    case_counts = sorted({10, 20, 40, 80, 160, cases})
    table.add_column("names per group", justify="right")
    for n in case_counts:
        table.add_column(f"{n} cases", justify="right")
    for k in (3, 4, 5, 6, 8, 10, 15):
        row = [name_swap_power(effect, design, n_cases=n, names_per_group=k) for n in case_counts]
        table.add_row(str(k), *(f"{p:.0%}" for p in row))
    console.print(table)
    names_needed = name_swap_names_needed(effect, design, n_cases=cases)
    names_text = f"[bold]{names_needed} names per group[/]" if names_needed else "more than 500 names per group"
    console.print(f"With {cases} cases an audit needs {names_text} for {target:.0%} power.")
    for names in (3, 5, 8, 10):
        cases_needed = name_swap_cases_needed(effect, design, names_per_group=names)
        console.print(f"  with {names} names per group: " + (f"{cases_needed} cases" if cases_needed else
                      "no number of cases is enough (names differ too much among themselves)"))


def _plan_from_run(run_ref: str, metric: str | None, variant: str | None, budget: int, max_cases: int | None,
                   target: float, alpha: float, db: str | None, effect: float | None = None) -> None:
    from rich.table import Table

    from workbench.analysis.run_results import analyse_run
    from workbench.stats.power import per_test_alpha
    from workbench.store.db import Store

    result = analyse_run(Store(db), run_ref)
    analysis = result.analysis
    if analysis is None or not analysis.verdicts:
        fail(f"run {result.info.run_id} has no comparisons to plan from")
    verdicts = [v for v in analysis.verdicts
                if metric in (None, v.metric) and variant in (None, v.variant)]
    if metric is None:
        verdicts = [v for v in verdicts if v.family == "primary"] or verdicts
    if not verdicts:
        fail(f"no comparison matches metric={metric!r}, variant={variant!r}", 2)
    v = verdicts[0]
    tests = max(v.family_size or 1, 1)
    console.print(f"Pilot: run {result.info.run_id}, {v.variant} vs {v.baseline} on [bold]{v.metric}[/] "
                  f"({v.model}, {v.family} family of {tests}): Δ = {v.estimate:+.3g}, n = {v.n_cases} cases × "
                  f"{v.n_repeats:g} repeats.")
    deff = v.design_effect if v.design_effect and v.n_clusters else 1.0
    size = v.n_cases / v.n_clusters if v.n_clusters else 1.0
    if effect is not None:  # the effect asked for, not the pilot's
        needed = _cases_needed(effect, target, alpha, tests, v.correction, deff, size)
        console.print(f"To detect d_z = {abs(effect):g} (--effect) with {target:.0%} power"
                      f"{_family_text(tests, v.correction, alpha)}{_cluster_text(deff, size)}: [bold]{needed}[/].")
    elif v.d_z is not None and not math.isnan(v.d_z) and v.d_z != 0:
        from workbench.stats.power import safeguard_d_z

        needed = _cases_needed(v.d_z, target, alpha, tests, v.correction, deff, size, asked=False)
        console.print(f"To detect the observed effect (d_z = {abs(v.d_z):.2f}) with {target:.0%} power"
                      f"{_family_text(tests, v.correction, alpha)}{_cluster_text(deff, size)}: {needed}, if the "
                      f"true effect is that large.")
        safe = safeguard_d_z(v.d_z, v.n_cases, design_effect=deff)
        if safe is None:
            console.print(f"[yellow]But {v.n_cases} pilot cases cannot tell that effect from none (its 60% interval "
                          "reaches 0): plan with --effect, the smallest difference that matters to you.")
        else:
            safe_needed = _cases_needed(safe, target, alpha, tests, v.correction, deff, size, asked=False)
            console.print(f"A pilot's effect is uncertain, and planning on it usually gives less power than "
                          f"promised. Safeguard plan (the lower bound of its 60% interval, d_z = {safe:.2f}): "
                          f"[bold]{safe_needed}[/]. Or plan with --effect, the smallest difference that matters.")
    level = per_test_alpha(alpha, tests, v.correction)
    plan = analysis.plan(v.variant, budget, metric=v.metric, model=v.model, power=target, alpha=level,
                         max_cases=max_cases)
    if plan is None:
        console.print("[yellow]The pilot has one repeat per case, so the within-case variance is unknown; run a "
                      "pilot with ≥ 2 repeats to split cases vs repeats.")
    else:
        table = Table(title=f"Designs within {budget:,} calls ({plan.n_variants} variants, tested at α = {level:.3g})",
                      title_justify="left")
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
    if result.bias is not None:
        _swap_from_audit(result, target, alpha)


def _swap_from_audit(result: object, target: float, alpha: float) -> None:
    """For a name-swap run: what the audit's own variance split says about cases vs names."""
    from workbench.analysis.run_results import RunAnalysis
    from workbench.stats.power import NameSwapDesign, name_swap_cases_needed, name_swap_names_needed

    assert isinstance(result, RunAnalysis) and result.bias is not None
    m = len(result.bias.comparisons)
    for unit in result.bias.units[:4]:
        if unit.name_sd is None or unit.cell_sd is None or not unit.comparisons:
            continue
        comp = unit.comparisons[0]
        if unit.outcome == "selection":
            effect, what = 0.2 * comp.reference_rate, "a four-fifths difference"
        else:
            effect, what = abs(comp.difference), f"the observed difference ({comp.difference:+.3g})"
        if not effect:
            continue
        design = NameSwapDesign(sd_name=unit.name_sd, sd_cell=unit.cell_sd, power=target, n_groups=len(unit.groups),
                                alpha=alpha, n_tests=m)
        k = min(unit.names_per_group.values())
        n = name_swap_cases_needed(effect, design, names_per_group=max(k, 2))
        names = name_swap_names_needed(effect, design, n_cases=unit.n_cases)
        console.print(f"Name-swap audit {unit.variant} / {unit.metric}: names differ by SD {unit.name_sd:.3g} "
                      f"beyond output noise (SD {unit.cell_sd:.3g} per case and name); Holm over the audit's {m} "
                      f"comparisons. To detect {what} with {target:.0%} power: "
                      + (f"about {n} cases with {k} names per group, or " if n else
                         f"more cases alone will not do with {k} names per group; ")
                      + (f"{names} names per group with {unit.n_cases} cases." if names else
                         f"more than 500 names per group with {unit.n_cases} cases."))
