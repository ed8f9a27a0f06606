"""`workbench validate | run | list | export | report | ui | lint`."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from workbench.cli.agreement import agreement_command
from workbench.cli.errors import fail, handle_errors
from workbench.cli.gate import gate_command
from workbench.cli.history import compare_command, history_command
from workbench.cli.lint import lint_command
from workbench.cli.progress import RichProgress
from workbench.plan import Plan, build_plan, describe_plan
from workbench.providers.registry import check_credentials
from workbench.runner.run import RunOptions, RunResult, run_experiment
from workbench.scoring.judge import judge_model
from workbench.spec import ExperimentSpec
from workbench.store.db import Store, database_url, describe

app = typer.Typer(
    name="workbench",
    help="Prompt Workbench: A/B test prompts on recruitment tasks, with honest statistics and bias flags.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)

app.command("lint")(lint_command)
app.command("gate")(gate_command)
app.command("agreement")(agreement_command)
app.command("compare")(compare_command)
app.command("history")(history_command)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: $WORKBENCH_DB_URL or ./workbench.db)."),
]


def _money(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown price"
    return f"${value:,.4f}"


def _plan_table(plan: Plan) -> Table:
    table = Table(title="Calls and estimated cost", title_justify="left")
    for column in ("model", "calls", "input tokens", "output tokens", "est. cost", "max cost"):
        table.add_column(column, justify="left" if column == "model" else "right")
    total, total_max = 0.0, 0.0
    unknown = False
    for est in plan.estimate():
        label = est.model + (" [magenta](SIMULATED)[/]" if est.simulated else "")
        table.add_row(
            label,
            f"{est.calls:,}",
            f"~{est.input_tokens:,}",
            f"~{est.output_tokens:,}",
            _money(est.cost_usd),
            _money(est.cost_usd_max),
        )
        if est.cost_usd is None:
            unknown = True
        total += est.cost_usd or 0.0
        total_max += est.cost_usd_max or 0.0
    table.add_row(
        "[bold]total",
        f"[bold]{len(plan.calls):,}",
        "",
        "",
        f"[bold]{_money(total)}" + (" + unknown" if unknown else ""),
        _money(total_max),
    )
    return table


def _print_paced_duration(plan: Plan) -> None:
    """How long the generation calls take under the declared rate limits ("≈ 42 min at 90k TPM")."""
    from workbench.runner.pace_estimate import paced_minutes

    lines = []
    for est in plan.estimate():
        model = plan.models[est.model]
        if model.provider == "simulated":
            continue
        paced = paced_minutes(model, est)
        if paced is None:
            lines.append(f"  {escape(est.model)}: no rate limits declared (paced by the provider's headers)")
            continue
        lines.append(f"  {escape(est.model)}: {paced}")
    if lines:
        console.print("Duration under the declared rate limits (models run side by side; judge calls not counted):")
        for line in lines:
            console.print(line)


@app.command()
@handle_errors
def validate(spec: Annotated[Path, typer.Argument(help="Experiment spec (YAML).")]) -> None:
    """Check a spec, its prompt variants and dataset; render every prompt. Makes no model calls.

    OpenAI-compatible servers are asked which models they serve (GET /v1/models), unless a model has
    `check_model: false`.
    """
    from workbench.providers.model_check import check_served_models
    from workbench.scoring.registry import split_judge_entries

    plan = build_plan(spec)
    _, rubrics = split_judge_entries(plan.spec.scorers)
    for note in check_served_models(plan.spec, spec, with_judge=bool(rubrics)):
        console.print(f"[yellow]note:[/] {escape(note)}")
    info = describe_plan(plan)
    swap = f" × {info['names']} names" if info["names"] else ""
    console.print(
        f"[green]OK[/] {spec}: {len(info['variants'])} variants × {info['cases']} cases{swap} × "
        f"{len(info['models'])} models × {info['repeats']} repeats = [bold]{info['calls']:,} calls[/]; "
        f"baseline {info['baseline']}"
    )
    block = plan.spec.sequential
    if block is not None:
        console.print(
            f"sequential (with --until-decided): up to {block.max_cases} of {info['cases']} cases in seeded "
            f"random order, a look every {block.look_every}"
            + (f", no decision before {block.min_cases}" if block.min_cases else "")
        )


@app.command()
@handle_errors
def run(
    spec: Annotated[Path, typer.Argument(help="Experiment spec (YAML).")],
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
    from workbench.cli.preload import PreloadingProgress
    from workbench.runner.retry import RetryPolicy
    from workbench.runner.sequential import resumes_sequential, sequential_block, sequential_plan

    plan = build_plan(spec)
    if until_decided:
        sequential_plan(plan, sequential_block(plan))  # a bad sequential block fails here, before anything
    if dry_run:
        if until_decided:
            plan = sequential_plan(plan, sequential_block(plan))[0]
            console.print("[dim]--until-decided: the table shows the most it can cost (every case drawn).")
        console.print(_plan_table(plan))
        _print_paced_duration(plan)
        console.print(
            "[dim]Dry run: nothing was called. Estimates use ~4 characters per token and a "
            "task-typical answer length; 'max cost' assumes every answer uses max_tokens (4096 if unset)."
        )
        return
    check_credentials([*plan.models.values(), *([judge_model(plan.spec.judge)] if plan.spec.judge else [])])
    store = Store(db)
    if plan.simulated_only:
        console.print(
            "[magenta bold]SIMULATED[/] provider: outputs are synthetic, generated offline for demos "
            "and calibration — not real model output."
        )
    options = RunOptions(
        resume=resume,
        concurrency=concurrency,
        use_cache=not no_cache,
        retry=RetryPolicy(max_attempts=max_attempts),
        client_options={"timeout": timeout},
        batch=batch,
        workers=workers,
    )
    if resume:  # a sequential run resumes as one (same order, next look); a fixed run stays fixed
        until_decided = resumes_sequential(store, plan, until_decided=until_decided)
    progress = PreloadingProgress(RichProgress(console))
    if until_decided:
        from workbench.runner.sequential import run_until_decided

        result, _ = run_until_decided(plan, store, options, progress)
    else:
        if plan.spec.sequential is not None:
            console.print("[dim]note: the spec has a `sequential:` block; add --until-decided to stop early.")
        result = run_experiment(plan, store, options, progress)
    _print_summary(store, result, spec, plan.spec)
    if result.interrupted:
        console.print(
            f"[yellow]Interrupted.[/] Everything finished so far is stored. Continue with: "
            f"[bold]workbench run {spec} --resume"
        )
        raise typer.Exit(130)
    if result.errors:
        console.print(
            f"[yellow]{result.errors} calls failed after retries[/] (stored as failed results). "
            f"Retry them with: [bold]workbench run {spec} --resume"
        )
        for sample in result.error_samples[:3]:
            console.print(f"  [dim]- {sample}")
        raise typer.Exit(1)


def _short_metric(metric: str) -> str:
    """Compact column names so the summary fits an 80-column terminal."""
    if metric.endswith(".masculine"):
        return "masc."
    if metric.startswith("judge."):
        return "j:" + metric.removeprefix("judge.")[:8]
    return {"readability": "read.", "age_coded.flagged": "age%", "exclusion.flagged": "excl%",
            "screening.score": "score", "screening.invite": "invite%"}.get(metric, metric)


def _fmt_metric(metric: str, value: float) -> str:
    if value != value:  # NaN: not scored
        return ""
    if metric.endswith((".flagged", ".invite")):
        return f"{value:.0%}"
    return f"{value:.0f}" if metric in ("words", "characters") else f"{value:.1f}"


def _print_summary(store: Store, result: RunResult, spec: Path, experiment: ExperimentSpec) -> None:
    from workbench.report.console import short_names
    from workbench.run_analysis import Truncation
    from workbench.scoring.judge import judge_provenance
    from workbench.summary import summarise_run

    exclude = experiment.truncated_outputs == "exclude"
    summary = summarise_run(store, result.run_id, exclude_truncated=exclude)
    done = result.skipped + result.ok
    title = (
        f"Run {result.run_id}: {done:,}/{result.total:,} outputs, {result.errors} errors, "
        f"{result.cached} from cache, {result.retries} retries, {_money(result.cost_usd)}, "
        f"{result.elapsed_s:.1f}s"
    )
    if result.judged:
        title += f", {result.judged} judge scores"
    sequential = _sequential_line(store, result.run_id)
    if summary.empty:
        console.print(title)
        if sequential:
            console.print(sequential)
        return
    fixed = ("variant", "model", "outputs", "errors", "cost_usd", "latency_ms", "simulated", "truncated")
    metric_cols = [c for c in summary.columns if c not in fixed]
    cut = int(summary["truncated"].sum())
    one_model = summary["model"].nunique() == 1
    if one_model:
        title += f" · {summary['model'].iloc[0]}" + (" [magenta](SIMULATED)[/]" if summary["simulated"].any() else "")
    # Simulated runs cost nothing and take no time: leave those columns out rather than print zeros.
    show_cost = not summary["simulated"].all()
    # The title goes above as its own line: a table title wraps at the (narrower) table's width.
    console.print(title)
    if sequential:
        console.print(sequential)
    _print_decision(store, result.run_id)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    columns = ["variant", *([] if one_model else ["model"]), "ok", "err", *(["cost", "ms"] if show_cost else [])]
    columns += [_short_metric(c) for c in metric_cols]
    for column in columns:
        left = column in ("variant", "model")
        table.add_column(column, justify="left" if left else "right", no_wrap=True, min_width=None if left else 4)
    short, prefix = short_names([str(v) for v in summary["variant"]])
    for row in summary.to_dict(orient="records"):
        model = [] if one_model else [row["model"] + (" [magenta](SIMULATED)[/]" if row["simulated"] else "")]
        cost = [_money(row["cost_usd"]), f"{row['latency_ms']:.0f}"] if show_cost else []
        metrics = [_fmt_metric(c, row[c]) for c in metric_cols]
        table.add_row(short[str(row["variant"])], *model, str(row["outputs"]), str(row["errors"]), *cost, *metrics)
    console.print(table)
    if prefix:
        console.print(f"[dim]variants: {prefix}…")
    judge = judge_provenance(experiment)
    if judge is not None and any(c.startswith("judge.") for c in metric_cols):
        label = escape(judge.label).replace("(SIMULATED)", "[magenta](SIMULATED)[/]")
        console.print(f"[dim]j: = judge scores,[/] {label}")
    if cut:  # per variant in the sentence rather than a column: the table must fit 80 columns
        by_variant = {str(v): int(n) for v, n in summary.groupby("variant", sort=False)["truncated"].sum().items() if n}
        note = Truncation(cut, int(summary["outputs"].sum()), by_variant, exclude)
        console.print(f"[yellow]! {escape(note.sentence())}")
    console.print(
        f"Full verdicts: [bold]workbench report {result.run_id}[/]   "
        f"Export: [bold]workbench export {result.run_id} --format csv"
    )


def _sequential_line(store: Store, run_id: int) -> str:
    """For runs started with --until-decided: why the run stopped where it did ("" for other runs)."""
    from workbench.sequential_analysis import load_outcome

    outcome = load_outcome(store, run_id)
    if outcome is None:
        return ""
    return f"[bold]Sequential:[/] {escape(outcome.explanation())}"


def _print_decision(store: Store, run_id: int) -> None:
    """The decision per variant (primary family, possible harm, MDE) right under the run's title line."""
    from workbench.report.console import print_decision
    from workbench.run_analysis import analyse_run

    try:
        print_decision(console, analyse_run(store, run_id, shown_only=True))
    except KeyboardInterrupt:
        # The run itself is stored; Ctrl-C during the summary only skips the summary.
        console.print(f"[dim]Decision summary skipped (interrupted): [bold]workbench report {run_id}[/] shows it.")


@app.command("list")
@handle_errors
def list_runs(db: DbOption = None) -> None:
    """List stored runs."""
    from workbench.store.repository import list_runs as query
    from workbench.store.sequential import last_looks

    store = Store(db)
    with store.session() as session:
        runs = query(session)
        sequential = last_looks(session)
    if not runs:
        console.print(f"No runs yet in {describe(database_url(db))}. Start one with: workbench run SPEC")
        return
    table = Table(title=f"Runs in {describe(store.url)}", title_justify="left")
    # "spent" only when some run paid for calls it did not keep (made again after a kill or Ctrl-C).
    remade = any(r["spent_usd"] > r["cost_usd"] + 1e-9 for r in runs)
    for column in ("run", "experiment", "status", "outputs", "errors", "cost", *(["spent"] if remade else []),
                   "started"):
        table.add_column(column)
    for r in runs:
        experiment = r["experiment"] + (" [magenta](SIMULATED)[/]" if r["simulated"] else "")
        table.add_row(
            str(r["id"]),
            experiment,
            r["status"],
            f"{r['outputs']:,}/{r['total']:,}",
            str(r["errors"]),
            _money(r["cost_usd"]),
            *([_money(r["spent_usd"])] if remade else []),
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
    run_ref: Annotated[str, typer.Argument(metavar="RUN", help="Run id (see `workbench list`) or 'latest'.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet.")] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default run-<id>.<format>).")
    ] = None,
    verdicts: Annotated[
        bool, typer.Option("--verdicts", help="Export one row per comparison (p, adjusted p, family) instead.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Export one row per output with its scores and bias flags (or, with --verdicts, the comparisons)."""
    from workbench.export import export_run
    from workbench.store.repository import resolve_run

    store = Store(db)
    with store.session() as session:
        run_id = resolve_run(session, run_ref).id
    path = export_run(store, run_id, fmt, out, verdicts=verdicts)
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
def ui(
    port: Annotated[int, typer.Option(help="Port for the Streamlit server.")] = 8501,
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
    """Open the Streamlit workbench over the same store."""
    import subprocess

    from workbench.ui import auth
    from workbench.ui.entry import SCRIPT as app_file

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
        console.print(f"[yellow]warning:[/] serving on {host} without sign-in: anyone who can reach this port "
                      "reads candidate data and can start paid runs. Use --auth oidc or --auth proxy.")
    raise typer.Exit(subprocess.call(streamlit_command(app_file, port, host), env=env))


def main() -> None:
    app()


@app.command()
@handle_errors
def report(
    run_ref: Annotated[
        str, typer.Argument(metavar="RUN", help="Run id (see `workbench list`) or 'latest'.")
    ] = "latest",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write an HTML (.html) or Markdown (.md) report.")
    ] = None,
    all_metrics: Annotated[
        bool, typer.Option("--all-metrics", help="Show every metric, not just headlines.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Verdicts per metric (effect, 95% CI, p, adjusted p, effect size) and the bias section."""
    from workbench.report.console import print_bias, print_verdicts
    from workbench.run_analysis import analyse_run

    store = Store(db)
    result = analyse_run(store, run_ref)
    print_verdicts(console, result, all_metrics=all_metrics)
    print_bias(console, result)
    if out is not None:
        from workbench.report.render import write_report

        console.print(f"Wrote {write_report(store, result, out)}")
