"""`workbench gate SPEC_OR_RUN --baseline NAME`: a statistical CI check (exit 0 pass, 1 fail, 2 bad input)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from workbench.atomic import atomic_open
from workbench.cli.consoles import BidiSafeConsole
from workbench.cli.errors import handle_errors
from workbench.cli.options import DbOption

console = BidiSafeConsole(highlight=False, soft_wrap=True)


def _is_spec(ref: str) -> bool:
    return ref.endswith((".yaml", ".yml")) or Path(ref).is_file()


@handle_errors
def gate_command(
    spec_or_run: Annotated[
        str, typer.Argument(metavar="SPEC_OR_RUN",
                            help="A spec (YAML) to run now, or a stored run: its id or 'latest'.")],
    baseline: Annotated[str, typer.Option("--baseline", help="The variant every candidate must hold up against.")],
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Write JUnit XML: one testcase per variant × metric.")] = None,
    markdown_out: Annotated[
        Path | None, typer.Option("--markdown", help="Write a Markdown summary (for a pull-request comment).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Pass (exit 0) when every candidate is non-inferior to the baseline on every primary metric, within the
    spec's `non_inferiority` margins; fail (exit 1) when a candidate is significantly worse or
    non-inferiority is not shown; exit 2 on bad input. One line per candidate variant."""
    from workbench import api
    from workbench.analysis.gate import gate_run, junit_xml, markdown
    from workbench.analysis.run_results import analyse_run
    from workbench.errors import WorkbenchError
    from workbench.store.queries import resolve_run_id, run_spec

    store = api.open_store(db)
    if _is_spec(spec_or_run):
        from workbench.experiment.plan import build_plan

        plan = build_plan(Path(spec_or_run))
        variants = list(plan.variants)
        if baseline not in variants:
            raise WorkbenchError(f"baseline {baseline!r} is not a variant of {spec_or_run} "
                                 f"(variants: {', '.join(variants)})", field="--baseline")
        run_id = api.run(spec_or_run, store=store)
        simulated = " [magenta](SIMULATED)[/]" if plan.simulated_only else ""
        console.print(f"Ran {escape(plan.spec.name)}: run {run_id}{simulated}")
    else:
        with store.session() as session:
            run_id = resolve_run_id(session, spec_or_run)
    with store.session() as session:
        margins = list((run_spec(session, run_id).get("non_inferiority") or {}).keys())
    result = analyse_run(store, run_id, metrics=margins, baseline=baseline)
    gate = gate_run(result)
    for warning in result.warnings:
        console.print(f"[yellow]! {escape(warning)}")
    for line in gate.lines():
        style = "bold green" if line.startswith("PASS") else "bold red"
        head, _, rest = line.partition(" ")
        console.print(f"[{style}]{head}[/] {escape(rest)}")
    if gate.simulated:
        console.print("[magenta]SIMULATED outputs: a demonstration, not evidence about a real model.")
    for path, text in ((junit, junit_xml(gate) if junit else ""), (markdown_out, markdown(gate))):
        if path is not None:
            _write(path, text)
            console.print(f"Wrote {escape(str(path))}")
    raise typer.Exit(gate.exit_code)


def _write(path: Path, text: str) -> None:
    from workbench.errors import WorkbenchError

    try:
        with atomic_open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise WorkbenchError(f"cannot write {path}: {exc.strerror or exc}", file=path) from None
