"""`workbench validate | run | list | export | report | ui | lint`.

Start-up time matters (`workbench --help` and `validate` answer in well under half a second): this
module imports only typer and the consoles; each command imports what it needs when it runs. The
heavy libraries (SQLAlchemy, pandas, SciPy, the provider SDKs) load only for the commands that use them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from workbench import number_format as nf
from workbench.cli.agreement import agreement_command
from workbench.cli.consoles import console, err_console
from workbench.cli.entry import owns_process
from workbench.cli.errors import fail, handle_errors
from workbench.cli.gate import gate_command
from workbench.cli.history import compare_command, history_command
from workbench.cli.lint import lint_command
from workbench.cli.options import DbOption, ForceOption, RunArgument

if TYPE_CHECKING:
    from workbench.analysis.run_results import RunAnalysis
    from workbench.experiment.plan import Plan
    from workbench.experiment.spec import ExperimentSpec
    from workbench.runner.options import RunOptions
    from workbench.runner.run import RunResult
    from workbench.runner.worker_start import EarlyStart
    from workbench.store.db import Store


class OneLineErrors(TyperGroup):
    """Usage mistakes (a missing argument, `--port 99999`, an unknown option) get the same one line on
    stderr and exit code 2 as every other bad input, instead of click's boxed multi-line message."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as exc:  # typer's (vendored) click errors: usage, bad values
            if type(exc).__name__ == "NoArgsIsHelpError":  # plain `workbench`: the help, as before
                exc.show()  # type: ignore[attr-defined]
                sys.exit(0)
            ctx = getattr(exc, "ctx", None)
            where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            err_console.print(f"[bold red]error:[/] {_escape(exc.format_message() + where)}")
            sys.exit(exc.exit_code)
        except typer.Abort:
            err_console.print("aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _escape(text: str) -> str:
    """User or provider text inside rich markup: "[judge.model]" must print, not style."""
    from rich.markup import escape

    return escape(" ".join(str(text).split()))


app = typer.Typer(
    name="workbench",
    cls=OneLineErrors,
    help="Prompt Workbench: A/B test prompts on recruitment tasks, with honest statistics and bias flags.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("lint")(lint_command)
app.command("gate")(gate_command)
app.command("agreement")(agreement_command)
app.command("compare")(compare_command)
app.command("history")(history_command)

SIMULATED = " [magenta](SIMULATED)[/]"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# --- validate and the cost estimate ------------------------------------------------------------------

def _print_estimate(plan: Plan, *, batch: bool = False) -> None:
    """The calls and estimated cost per model and role, then a one-line total (generation + judge)."""
    estimates = plan.estimate(batch=batch)
    console.print("[bold]Calls and estimated cost")
    rows: list[tuple[str, list[str]]] = []
    totals: dict[str, list[float | None]] = {"generation": [], "judge": []}
    for est in estimates:
        label = _escape(est.model) + (SIMULATED if est.simulated else "")
        role = est.role + (" (batch)" if est.batch else "")
        rows.append((label, [role, f"{est.calls:,}", f"~{est.input_tokens:,}", f"~{est.output_tokens:,}",
                             nf.money(est.cost_usd), nf.money(est.cost_usd_max)]))
        totals[est.role].append(est.cost_usd)
    parts = []
    for role, costs in totals.items():
        if costs:
            known = [c for c in costs if c is not None]
            parts.append(f"{nf.money(sum(known) if known else None, unknown=len(known) < len(costs))} {role}")
    every = [c for costs in totals.values() for c in costs]
    known_all = [c for c in every if c is not None]
    total = nf.money(sum(known_all) if known_all else None, unknown=len(known_all) < len(every))
    _print_estimate_table(rows)
    console.print("Estimated cost: " + " + ".join(parts) + (f" = [bold]{total}[/]" if len(parts) > 1 else ""))


_ESTIMATE_COLUMNS = ("role", "calls", "in\ntokens", "out\ntokens", "est.\ncost", "max\ncost")


def _print_estimate_table(rows: list[tuple[str, list[str]]]) -> None:
    """One row per model and role. When the longest model id does not fit beside the numbers (an 80-column
    terminal and an id such as openai_compatible:meta-llama/Llama-3.1-70B-Instruct), each model gets a line
    of its own above its rows, so an id is never cut or folded mid-name and the numbers stay aligned."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    widths = [max([max(len(part) for part in header.split("\n")), *(len(cells[i]) for _, cells in rows)])
              for i, header in enumerate(_ESTIMATE_COLUMNS)]
    longest = max((Text.from_markup(label).cell_len for label, _ in rows), default=0)
    # SIMPLE_HEAD without edges and padding draws one space between columns.
    stacked = longest + 1 + sum(widths) + len(widths) - 1 > console.width

    def table(*, header: bool, model_width: int | None) -> Table:
        grid = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=0, show_header=header)
        if model_width is not None:
            grid.add_column("model", justify="left", no_wrap=True, min_width=model_width)
        for i, column in enumerate(_ESTIMATE_COLUMNS):
            if stacked and i == 0:
                column = "model / role"
            grid.add_column(column, justify="left" if i == 0 else "right", no_wrap=True,
                            width=widths[i] + (2 if stacked and i == 0 else 0))
        return grid

    if not stacked:
        grid = table(header=True, model_width=longest)
        for label, cells in rows:
            grid.add_row(label, *cells)
        console.print(grid)
        return
    widths[0] = max(widths[0], len("model / role") - 2)
    console.print(table(header=True, model_width=None))
    for label in dict.fromkeys(label for label, _ in rows):
        console.print(label, soft_wrap=True)
        grid = table(header=False, model_width=None)
        for cells in (cells for row_label, cells in rows if row_label == label):
            grid.add_row("  " + cells[0], *cells[1:])
        console.print(grid)


def _calls_line(plan: Plan) -> str:
    from workbench.experiment.plan import describe_plan

    info = describe_plan(plan)
    swap = f" × {_plural(info['names'], 'name')}" if info["names"] else ""
    calls = f"[bold]{_plural(info['calls'], 'generation call')}[/]"
    if info["judge_calls"]:
        calls += (f" + [bold]{_plural(info['judge_calls'], 'judge call')}[/] "
                  f"({_plural(len(info['rubrics']), 'rubric')} per output)")
    return (f"{_plural(len(info['variants']), 'variant')} × {_plural(info['cases'], 'case')}{swap} × "
            f"{_plural(len(info['models']), 'model')} × {_plural(info['repeats'], 'repeat')} = {calls}; "
            f"baseline {info['baseline']}")


def _print_paced_duration(plan: Plan) -> None:
    """How long the generation calls take under the declared rate limits ("≈ 42 min at 90k TPM")."""
    from workbench.runner.pace_estimate import paced_generation

    lines = [f"  {_escape(model)}: {paced}" if paced is not None else
             f"  {_escape(model)}: no rate limits declared (paced by the provider's headers)"
             for model, paced in paced_generation(plan)]
    if lines:
        console.print("Duration under the declared rate limits (models run side by side; judge calls not counted):")
        for line in lines:
            console.print(line)


@app.command()
@handle_errors
def validate(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Experiment spec (YAML).")],
    db: Annotated[
        str | None,
        typer.Option("--db", help="Also say which prompt versions a run would store in this database."),
    ] = None,
) -> None:
    """Check a spec, its prompt variants and dataset; render every prompt; estimate calls and cost. No calls."""
    from workbench.experiment.plan import build_plan, describe_plan, missing_credentials
    from workbench.providers.model_check import check_served_models

    plan = build_plan(spec)
    # OpenAI-compatible servers are asked which models they serve (GET /v1/models), unless `check_model: false`.
    for note in check_served_models(plan.spec, spec, with_judge=plan.judge_model is not None):
        console.print(f"[yellow]note:[/] {_escape(note)}")
    console.print(f"[green]OK[/] {spec}: {_calls_line(plan)}")
    block = plan.spec.sequential
    if block is not None:
        cases = describe_plan(plan)["cases"]
        console.print(
            f"sequential (with --until-decided): up to {block.max_cases} of {cases} cases in seeded "
            f"random order, a look every {block.look_every}"
            + (f", no decision before {block.min_cases}" if block.min_cases else "")
        )
    if not plan.simulated_only or (plan.judge_model is not None and not plan.judge_model.simulated):
        _print_estimate(plan)
    for message in missing_credentials(plan):
        console.print(f"[yellow]note:[/] {_escape(message)}")
    if db is not None:
        _print_versions(plan, db)


def _print_versions(plan: Plan, db: str) -> None:
    from workbench.store.db import Store, database_url, describe, sqlite_file
    from workbench.store.versions import preview_versions

    target = sqlite_file(database_url(db))
    if target is not None and not target.exists():
        console.print(f"Database {target} does not exist yet; `workbench run` will create it.")
        return
    store = Store(db)
    with store.session() as session:
        preview = preview_versions(session, plan.spec.name, list(plan.variants.values()))
    for key, text in preview.items():
        console.print(f"  {key}: {_escape(text)}")
    console.print(f"[dim](prompt versions in {describe(store.url)})")


# --- run ---------------------------------------------------------------------------------------------

@app.command()
@handle_errors
def run(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Experiment spec (YAML).")],
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the latest run of this experiment.")
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", min=1, max=1024, help="Parallel calls (default: the spec's)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show call count and estimated cost; call nothing.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ignore and do not fill the response cache.")
    ] = False,
    max_attempts: Annotated[
        int,
        typer.Option(
            "--max-attempts",
            min=1,
            max=20,
            help="Attempts per call before it is recorded as failed (a model's `max_attempts:` in the spec wins).",
        ),
    ] = 6,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, help="Seconds per provider call (a model's `timeout:` in the spec wins)."),
    ] = 120.0,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="Submit openai/anthropic calls through their Batch "
            "APIs (50% price); polls until done, resumable.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Processes making provider calls (default: auto, 1 unless the run is large and highly concurrent).",
        ),
    ] = None,
    until_decided: Annotated[
        bool,
        typer.Option(
            "--until-decided",
            help="Sequential run: draw cases in a seeded random order, look every `sequential.look_every` "
            "cases and stop once every candidate is decided (anytime-valid error control; README 'Stop early').",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Run every variant × case × model × repeat; results are stored as they arrive."""
    if owns_process():  # this process exists for the run: the collector's setting is the command's to make
        from workbench.runner import gc_threshold

        gc_threshold.for_this_process()  # raised until the exit: no collection of the run's objects on the way out
    from workbench.experiment.plan import build_plan, check_plan_credentials
    from workbench.runner.options import RunOptions
    from workbench.runner.retry import RetryPolicy

    plan = build_plan(spec)
    if until_decided:  # (SciPy and pandas, which the sequential analysis needs, load only for such runs)
        from workbench.runner.sequential import sequential_block, sequential_plan

        sequential_plan(plan, sequential_block(plan))  # a bad sequential block fails here, before anything
    if dry_run:
        if until_decided:
            plan = sequential_plan(plan, sequential_block(plan))[0]
            console.print("[dim]--until-decided: the table shows the most it can cost (every case drawn).")
        console.print(f"{spec}: {_calls_line(plan)}")
        _print_estimate(plan, batch=batch)
        _print_paced_duration(plan)
        console.print(
            "[dim]Dry run: nothing was called. Estimates use ~4 characters per token, a task-typical answer "
            "length and one judge call per rubric per output; 'max cost' assumes every answer uses max_tokens "
            "(4096 if unset). 'unknown': no price for this model — add prices: {input_per_mtok: ..., "
            "output_per_mtok: ...} to the model."
        )
        return
    check_plan_credentials(plan)
    options = RunOptions(
        resume=resume,
        concurrency=concurrency,
        use_cache=not no_cache,
        retry=RetryPolicy(max_attempts=max_attempts),
        client_options={"timeout": timeout},
        batch=batch,
        workers=workers,
    )
    if until_decided:
        _run_and_report(spec, db, plan, options, until_decided=True)
        return
    # A new run's worker processes start now, and import the provider SDK while this process imports
    # the store and opens the run (runner.worker_start).
    from workbench.runner.worker_start import start_early

    early = start_early(plan, options)
    try:
        _run_and_report(spec, db, plan, options, early=early)
    finally:
        # The run closes its workers; this is for a failure before the run has them.
        if early is not None and early.pool is not None:
            early.pool.close()


def _run_and_report(spec: Path, db: str | None, plan: Plan, options: RunOptions, *, until_decided: bool = False,
                    early: EarlyStart | None = None) -> None:
    from workbench.cli.preload import PreloadingProgress
    from workbench.cli.progress import RichProgress
    from workbench.runner.run import run_experiment
    from workbench.store.db import Store

    store = Store(db)
    if plan.simulated_only:
        console.print("[magenta bold]SIMULATED[/] provider: synthetic outputs made offline, not real model output.")
    resume = options.resume
    if resume:  # a sequential run resumes as one (same order, next look); a fixed run stays fixed
        from workbench.runner.sequential import resumes_sequential

        until_decided = resumes_sequential(store, plan, until_decided=until_decided)
    progress = PreloadingProgress(RichProgress(console))
    if until_decided:
        from workbench.runner.sequential import run_until_decided

        result, _ = run_until_decided(plan, store, options, progress)
    else:
        if plan.spec.sequential is not None:
            console.print("[dim]note: the spec has a `sequential:` block; add --until-decided to stop early.")
        result = run_experiment(plan, store, options, progress, early)
    for note in result.notes:
        console.print(f"[cyan]{_escape(note)}")
    analysis: RunAnalysis | bool | None = None
    if not result.interrupted:
        try:
            analysis = _store_analysis(store, result.run_id, result.skipped + result.ok)
        except KeyboardInterrupt:  # the run is stored; Ctrl-C here only skips the analysis and the decision
            analysis = False
    _print_summary(store, result, plan.spec, analysis)
    resume_hint = f"workbench run {spec} --resume" + (f" --db {db}" if db else "")
    if result.interrupted:
        console.print(
            f"[yellow]Interrupted.[/] Everything finished so far is stored. Continue with: [bold]{resume_hint}"
        )
        raise typer.Exit(130)
    if result.errors and not result.ok and not result.skipped:
        # Nothing came back: a configuration problem (server not started, wrong key, typo in base_url).
        _print_error_causes(result)
        fail(_escape(f"all {result.errors:,} calls failed; {_first_cause(result)} — fix it, then: {resume_hint}"))
    if result.errors:
        console.print(
            f"[yellow]{result.errors:,} calls failed after retries[/] (stored as failed results). "
            f"Retry them with: [bold]{resume_hint}"
        )
        _print_error_causes(result)
        raise typer.Exit(1)


def _first_cause(result: RunResult) -> str:
    return result.error_samples[0] if result.error_samples else "no error message"


def _print_error_causes(result: RunResult) -> None:
    from collections import Counter

    for sample, n in Counter(result.error_samples).most_common(3):
        repeated = f" (×{n} of the first {len(result.error_samples)})" if n > 1 else ""
        console.print(f"  [dim]- {_escape(sample)}{repeated}")


def _fmt_metric(metric: str, value: float) -> str:
    """A metric's mean in the run summary: yes/no metrics as a share ("25%"), others with the
    catalogue's decimals."""
    from workbench.scoring.catalogue import metric_info

    if value != value:  # NaN: not scored
        return ""
    info = metric_info(metric)
    return nf.percent(value, 0) if info.kind == "binary" else nf.number(value, info.decimals)


def _store_analysis(store: Store, run_id: int, outputs: int) -> RunAnalysis | None:
    """Compute the run's page analysis once, now, and store it: the UI then opens even a big run at
    once, and the decision below is printed from it. A failure costs only this: one warning line (the
    UI computes it when the run is opened); the run and the exit code stay as they are."""
    if not outputs:
        return None
    from workbench.ui.run_stats import analyse_and_store

    try:
        with console.status("Computing the verdicts (stored for the UI)…"):  # a spinner on terminals only
            return analyse_and_store(store, run_id)
    except Exception as exc:
        first = str(exc).strip().splitlines()
        err_console.print(f"[yellow]warning:[/] the run's analysis was not stored ({type(exc).__name__}"
                          f"{': ' + _escape(first[0][:160]) if first else ''}); the UI computes it when opened.")
    return None


def _print_summary(store: Store, result: RunResult, experiment: ExperimentSpec,
                   analysis: RunAnalysis | bool | None = None) -> None:
    """`analysis`: the one stored at the run's end (None: compute it for the decision; False: Ctrl-C
    interrupted it, so the decision is skipped)."""
    from rich import box
    from rich.table import Table

    from workbench.analysis.run_results import Truncation
    from workbench.report.console import short_names
    from workbench.scoring.catalogue import is_judge_metric, metric_info
    from workbench.scoring.judge import judge_provenance
    from workbench.store.run_summary import summarise_run

    exclude = experiment.truncated_outputs == "exclude"
    summary = summarise_run(store, result.run_id, exclude_truncated=exclude)
    done = result.skipped + result.ok
    judged = f" · {result.judged:,} judge scores" if result.judged else ""
    # Two short lines: one long line would wrap mid-phrase on an 80-column terminal.
    console.print(f"Run {result.run_id}: {done:,}/{result.total:,} outputs · {_plural(result.errors, 'error')}"
                  f"{judged} · {result.elapsed_s:.1f}s")
    retries = f"{result.retries:,} {'retry' if result.retries == 1 else 'retries'}"
    console.print(f"Cost {nf.money(result.cost_usd, unknown=result.unpriced > 0)} · {result.cached:,} from cache · "
                  f"{retries}")
    sequential = _sequential_line(store, result.run_id)
    if sequential:
        console.print(sequential)
    if summary.empty or not done:
        return
    fixed = ("variant", "model", "outputs", "errors", "cost_usd", "unpriced", "latency_ms", "simulated", "truncated")
    metric_cols = [c for c in summary.columns if c not in fixed]
    cut = int(summary["truncated"].sum())
    one_model = summary["model"].nunique() == 1
    if one_model:
        console.print(f"Model: {_escape(summary['model'].iloc[0])}" + (SIMULATED if summary["simulated"].any() else ""))
    # Simulated runs cost nothing and take no time: leave those columns out rather than print zeros.
    show_cost = not summary["simulated"].all()
    _print_decision(store, result.run_id, analysis)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    columns = ["variant", *([] if one_model else ["model"]), "ok", "err", *(["cost", "ms"] if show_cost else [])]
    columns += [metric_info(c).column_label() for c in metric_cols]  # compact: the table fits 80 columns
    for column in columns:
        left = column in ("variant", "model")
        table.add_column(column, justify="left" if left else "right", no_wrap=True, min_width=None if left else 3)
    short, prefix = short_names([str(v) for v in summary["variant"]])
    for row in summary.to_dict(orient="records"):
        model = [] if one_model else [_escape(row["model"]) + (SIMULATED if row["simulated"] else "")]
        costs = [nf.money(row["cost_usd"], unknown=row["unpriced"] > 0), nf.number(row["latency_ms"], 0)]
        metrics = [_fmt_metric(c, row[c]) for c in metric_cols]
        table.add_row(short[str(row["variant"])], *model, str(row["outputs"]), str(row["errors"]),
                      *(costs if show_cost else []), *metrics)
    console.print(table)
    if prefix:
        console.print(f"[dim]variants: {prefix}…")
    judge = judge_provenance(experiment)
    if judge is not None and any(is_judge_metric(c) for c in metric_cols):
        label = _escape(judge.label).replace("(SIMULATED)", "[magenta](SIMULATED)[/]")
        console.print(f"[dim]j: = judge scores,[/] {label}")
    if cut:  # per variant in the sentence rather than a column: the table must fit 80 columns
        by_variant = {str(v): int(n) for v, n in summary.groupby("variant", sort=False)["truncated"].sum().items() if n}
        note = Truncation(cut, int(summary["outputs"].sum()), by_variant, exclude)
        console.print(f"[yellow]! {_escape(note.sentence())}")
    console.print(f"Full verdicts: [bold]workbench report {result.run_id}[/]")
    console.print(f"Export: [bold]workbench export {result.run_id} --format csv")


def _sequential_line(store: Store, run_id: int) -> str:
    """For runs started with --until-decided: why the run stopped where it did ("" for other runs)."""
    from workbench.analysis.sequential_looks import load_outcome

    outcome = load_outcome(store, run_id)
    if outcome is None:
        return ""
    return f"[bold]Sequential:[/] {_escape(outcome.explanation())}"


def _print_decision(store: Store, run_id: int, analysis: RunAnalysis | bool | None = None) -> None:
    """The decision per variant (primary family, possible harm, MDE) right under the run's title line,
    from the analysis stored at the run's end (or computed now when storing it failed)."""
    from workbench.analysis.run_results import RunAnalysis, analyse_run
    from workbench.report.console import print_decision

    try:
        if analysis is False:
            raise KeyboardInterrupt  # the analysis at the run's end was interrupted: skip the summary too
        shown = analysis if isinstance(analysis, RunAnalysis) else analyse_run(store, run_id, shown_only=True)
        print_decision(console, shown)
    except KeyboardInterrupt:
        # The run itself is stored; Ctrl-C during the summary only skips the summary.
        console.print(f"[dim]Decision summary skipped (interrupted): [bold]workbench report {run_id}[/] shows it.")


# --- list, export, report, ui ------------------------------------------------------------------------

@app.command("list")
@handle_errors
def list_runs(db: DbOption = None) -> None:
    """List stored runs."""
    from rich import box
    from rich.table import Table

    from workbench.store.db import Store, database_url, describe
    from workbench.store.queries import list_runs as query
    from workbench.store.sequential import last_looks

    store = Store(db)
    with store.session() as session:
        runs = query(session)
        sequential = last_looks(session)
    if not runs:
        console.print(f"No runs yet in {describe(database_url(db))}. Start one with: workbench run SPEC")
        return
    console.print(f"[bold]Runs in {_escape(describe(store.url))}")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=0)
    # "spent" only when some run paid for calls it did not keep (made again after a kill or Ctrl-C).
    remade = any(r["spent_usd"] > r["cost_usd"] + 1e-9 for r in runs)
    for column in ("run", "experiment", "status", "outputs", "errors", "cost", *(["spent"] if remade else []),
                   "started"):
        table.add_column(column, justify="right" if column in ("run", "outputs", "errors", "cost", "spent")
                         else "left")
    for r in runs:
        experiment = r["experiment"] + (SIMULATED if r["simulated"] else "")
        table.add_row(
            str(r["id"]),
            experiment,
            r["status"],
            f"{r['outputs']:,}/{r['total']:,}",
            str(r["errors"]),
            nf.money(r["cost_usd"], unknown=r["unpriced"] > 0),
            *([nf.money(r["spent_usd"], unknown=r["unpriced"] > 0)] if remade else []),
            r["started_at"].strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
    if remade:
        console.print("[dim]cost: what the kept results cost; spent: every call paid for, including calls made "
                      "again after a kill or interruption.")
    for r in runs:
        if r["id"] in sequential:
            cases, max_cases, stopped = sequential[r["id"]]
            where = (f"stopped after {cases} of {max_cases} cases" if stopped and cases < max_cases
                     else f"ran all {max_cases} cases" if stopped else f"{cases} of up to {max_cases} cases so far")
            console.print(f"[dim]Run {r['id']} is sequential (--until-decided): {where}; "
                          f"why: workbench report {r['id']}")
        if r["status"] == "stale":
            console.print(f"[yellow]Run {r['id']} is stale[/] (its process stopped without finishing). "
                          f"Resume it with: [bold]workbench run {r['spec_path']} --resume")


@app.command()
@handle_errors
def export(
    run_ref: RunArgument,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="csv, jsonl or parquet (default: from --out, else csv).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default run-<id>.<format>).")
    ] = None,
    verdicts: Annotated[
        bool, typer.Option("--verdicts", help="Export one row per comparison (p, adjusted p, family) instead.")
    ] = False,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Export one row per output with its scores and bias flags (or, with --verdicts, the comparisons)."""
    from workbench.export import export_run
    from workbench.store.db import Store
    from workbench.store.queries import resolve_run_id

    store = Store(db)
    with store.session() as session:
        run_id = resolve_run_id(session, run_ref)
    path = export_run(store, run_id, fmt, out, verdicts=verdicts, force=force)
    console.print(f"Wrote {path}")


LOCAL_HOST = "127.0.0.1"


def streamlit_command(app_file: Path, port: int, host: str) -> list[str]:
    """`streamlit run` for the workbench: bound to `host` (loopback unless asked), no usage statistics,
    no external-IP lookup (a single URL is printed for the address it serves)."""
    import socket
    import sys

    shown = host if host not in ("0.0.0.0", "::") else socket.gethostname()
    return [
        sys.executable, "-m", "streamlit", "run", str(app_file),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--browser.serverAddress", shown,
    ]


@app.command()
@handle_errors
def report(
    run_ref: RunArgument = "latest",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write an HTML (.html) or Markdown (.md) report.")
    ] = None,
    all_metrics: Annotated[
        bool, typer.Option("--all-metrics", help="Show every metric, not just headlines.")
    ] = False,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Verdicts per metric (effect, 95% CI, p, adjusted p, effect size) and the bias section."""
    from workbench.analysis.run_results import analyse_run
    from workbench.output_files import check_output_path
    from workbench.report.console import print_bias, print_verdicts, print_versions
    from workbench.report.render import REPORT_SUFFIXES, write_report
    from workbench.store.db import Store

    if out is not None:  # before the analysis, which takes a while on a large run
        check_output_path(out, REPORT_SUFFIXES, what="report", force=force)
    store = Store(db)
    result = analyse_run(store, run_ref)
    print_verdicts(console, result, all_metrics=all_metrics)
    print_bias(console, result)
    print_versions(console, store, result)
    if out is not None:
        console.print(f"Wrote {write_report(store, result, out, force=force)}")


@app.command()
@handle_errors
def ui(
    port: Annotated[int, typer.Option(help="Port for the Streamlit server (1-65535).")] = 8501,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Default 127.0.0.1 (this machine only); 0.0.0.0 serves the network — "
            "then turn on --auth.",
        ),
    ] = LOCAL_HOST,
    auth_mode: Annotated[
        str,
        typer.Option("--auth", help="none (local use), oidc (Streamlit login, .streamlit/secrets.toml) or proxy "
                     "(trusted reverse-proxy header)."),
    ] = "",
    roles: Annotated[
        Path | None,
        typer.Option("--roles", help="TOML file mapping users to viewer / rater / runner (needed with --auth)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Open the Streamlit workbench over the same store; stopping this command stops the server too."""
    from workbench.cli.serve import port_problem, run_child
    from workbench.store.db import database_url
    from workbench.ui import auth
    from workbench.ui.entry import SCRIPT as app_file

    problem = port_problem(port, host)
    if problem:
        fail(f"[--port] {problem}")
    env = dict(os.environ)
    env["WORKBENCH_DB_URL"] = database_url(db)
    if auth_mode:
        env[auth.AUTH_ENV] = auth_mode
    if roles is not None:
        env[auth.ROLES_ENV] = str(roles.resolve())
    previous = {k: os.environ.get(k) for k in (auth.AUTH_ENV, auth.ROLES_ENV)}
    os.environ.update({k: env[k] for k in previous if k in env})
    try:
        method = auth.mode()
        if method != "none":
            users = auth.load_roles()  # a broken roles file: one line now, not a broken page later
            if users.default is None and not any(users.users.values()):
                fail(f"--auth {method} needs a roles file (--roles) that gives someone a role")
            if method == "oidc":
                auth.check_oidc_setup()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if method == "none" and host not in (LOCAL_HOST, "localhost", "::1"):
        console.print(f"[yellow]warning:[/] serving on {_escape(host)} without sign-in: anyone who can reach this "
                      "port reads candidate data and can start paid runs. Use --auth oidc or --auth proxy.")
    raise typer.Exit(run_child(streamlit_command(app_file, port, host), env))


def main() -> None:
    app()
