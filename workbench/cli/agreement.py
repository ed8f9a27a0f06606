"""`workbench agreement RUN`: does the LLM judge agree with the recruiters' blind ratings, per rubric?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from workbench import number_format as nf
from workbench.cli.consoles import BidiSafeConsole
from workbench.cli.errors import fail, handle_errors
from workbench.cli.options import DbOption, RunArgument

console = BidiSafeConsole(highlight=False)


def _fmt(value: float | None, signed: bool = False) -> str:
    return nf.number(value, 2, signed=signed)


@handle_errors
def agreement_command(
    run_ref: RunArgument = "latest",
    lang: Annotated[str, typer.Option("--lang", help="Language of the verdict sentences: en or nl.")] = "en",
    db: DbOption = None,
) -> None:
    """Judge–recruiter agreement per rubric (weighted κ with bootstrap CIs), the recruiters' agreement with each
    other (κ, Krippendorff's α) and a plain verdict: can the judge stand in for your recruiters?"""
    from workbench.analysis.judge_agreement import run_judge_agreement
    from workbench.store.db import Store
    from workbench.store.queries import resolve_run_id

    if lang not in ("en", "nl"):
        fail("--lang must be en or nl")
    store = Store(db)
    with store.session() as session:
        run_id = resolve_run_id(session, run_ref)
    result = run_judge_agreement(store, run_id)
    if result is None:
        console.print(f"Run {run_id} has no recruiter ratings with judge verdicts for the same pairs yet: rate "
                      "pairs on the Review page (`workbench ui`), with a `judge:` rubric in the spec.")
        return
    simulated = " · [magenta]SIMULATED judge[/]" if result.simulated_judge else ""
    console.print(f"[bold]Judge–recruiter agreement · run {run_id}[/] · {result.n_rated_pairs} rated pairs, "
                  f"{result.n_raters} recruiters{simulated}")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("rubric", "judge", "pairs", "κ judge–recruiter [95% CI]", "Δ vs recruiters [95% CI]", "verdict"):
        table.add_column(column, justify="left" if column in ("rubric", "judge", "verdict") else "right")
    for r in result.rubrics:
        jh = r.judge_human
        diff = (f"{_fmt(r.difference, True)} [{_fmt(r.difference_ci[0], True)}, {_fmt(r.difference_ci[1], True)}]"
                if r.difference is not None else "–")
        table.add_row(r.rubric, "pairwise" if r.source == "pairwise" else "scores", str(r.n_pairs),
                      f"{_fmt(jh.estimate)} [{_fmt(jh.ci_low)}, {_fmt(jh.ci_high)}]", diff, r.verdict.replace("_", " "))
    console.print(table)
    if result.human_kappa is not None:
        alpha = result.human_alpha.text() if result.human_alpha is not None else "n/a"
        console.print(f"Recruiters with each other: κ {result.human_kappa.text()} over "
                      f"{result.human_kappa.n_units} pairs rated twice; Krippendorff's α (ordinal) {alpha}")
    else:
        console.print("[dim]No pair was rated by two recruiters: no recruiter–recruiter agreement to compare with.")
    for line in result.sentences(lang):  # type: ignore[arg-type]
        console.print("• " + escape(line))
    console.print("[dim]κ: Cohen's kappa, linear weights on (second better, tie, first better); Δ = judge–recruiter "
                  "κ − recruiter–recruiter κ, bootstrap over pairs.")
