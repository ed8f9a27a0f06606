"""The workbench from Python (notebooks, scripts): load a spec, run it, read its outputs and verdicts.

    >>> from workbench import api
    >>> store = api.open_store("sqlite:///demo.db")  # doctest: +SKIP
    >>> run_id = api.run("experiments/vacancy_tone_en.yaml", store=store)  # doctest: +SKIP
    >>> frame = api.outputs(run_id, store=store)  # doctest: +SKIP
    >>> result = api.analyse(run_id, store=store)  # doctest: +SKIP

`outputs` gives one row per output with a `score.<metric>` column per metric; `analyse` the report's statistics as
objects; `examples/notebook_api.py` is the whole walk-through on the SIMULATED provider.

Every function takes the store (or a database URL / SQLite path) as ``store=``; without it the
default database is used (``$WORKBENCH_DB_URL`` or ``./workbench.db``), as on the command line. A run
is its id or ``"latest"``. Everything here is a thin layer over the modules the CLI uses, so a notebook
sees the same numbers as ``workbench report``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.experiment.spec import ExperimentSpec
from workbench.store.db import Store

if TYPE_CHECKING:
    from workbench.analysis.run_results import RunAnalysis
    from workbench.runner.progress import ProgressSink
    from workbench.stats import BiasAudit

__all__ = ["analyse", "audit", "load_spec", "open_store", "outputs", "run"]

StoreLike = Store | str | Path | None
RunRef = int | str


def open_store(url: str | Path | None = None) -> Store:
    """Open (and migrate) a workbench database.

    ``url`` is a SQLAlchemy URL (``postgresql+psycopg://…``) or a SQLite file path; None uses
    ``$WORKBENCH_DB_URL`` or ``./workbench.db``.

    >>> store = open_store("sqlite:///:memory:")
    >>> store.url
    'sqlite:///:memory:'
    """
    return Store(str(url) if url is not None else None)


def _store(store: StoreLike) -> Store:
    return store if isinstance(store, Store) else open_store(store)


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec (YAML); raises ``workbench.errors.SpecError`` naming the
    file, field and line of the first problem.

    >>> spec = load_spec("experiments/vacancy_tone_en.yaml")  # doctest: +SKIP
    >>> spec.baseline  # doctest: +SKIP
    'vacancy_en_formal'
    """
    from workbench.experiment.spec import load_spec as _load

    return _load(path)


def run(
    spec: str | Path,
    *,
    store: StoreLike = None,
    resume: bool = False,
    concurrency: int | None = None,
    use_cache: bool = True,
    progress: ProgressSink | None = None,
) -> int:
    """Run every variant × case × model × repeat of the spec file and return the run id.

    Results are stored as they arrive (``resume=True`` continues the latest run of the experiment).
    Hosted models need their API key variables set; ``simulated:*`` models run offline.

    >>> run_id = run("experiments/vacancy_tone_en.yaml", store="demo.db")  # doctest: +SKIP
    """
    from workbench.experiment.plan import build_plan
    from workbench.providers.registry import check_credentials
    from workbench.runner.run import RunOptions, run_experiment
    from workbench.scoring.judge import judge_model

    plan = build_plan(Path(spec))
    judge = [judge_model(plan.spec.judge)] if plan.spec.judge else []
    check_credentials([*plan.models.values(), *judge])
    options = RunOptions(resume=resume, concurrency=concurrency, use_cache=use_cache)
    return run_experiment(plan, _store(store), options, progress).run_id


def outputs(run: RunRef = "latest", *, store: StoreLike = None) -> pd.DataFrame:
    """One row per output of the run: keys (variant, case, model, repeat, swapped-in name), the text,
    tokens, cost, latency, and a ``score.<metric>`` column per metric (as ``workbench export`` writes them).

    >>> frame = outputs("latest", store="demo.db")  # doctest: +SKIP
    >>> frame.groupby("variant")["score.readability"].mean()  # doctest: +SKIP
    """
    from workbench.export import run_table
    from workbench.store.queries import resolve_run_id

    db = _store(store)
    with db.session() as session:
        run_id = resolve_run_id(session, run)
    return run_table(db, run_id)


def analyse(run: RunRef = "latest", *, store: StoreLike = None, baseline: str | None = None,
            all_metrics: bool = True) -> RunAnalysis:
    """The run's statistics, exactly as ``workbench report`` computes them: ``.analysis.verdicts``
    (one ``Verdict`` per variant × model × metric), ``.analysis.to_frame()``, ``.lint_rates``,
    ``.preferences`` (blind ratings), ``.bias`` and ``.warnings``. ``baseline`` compares with another
    variant; ``all_metrics=False`` analyses only the metrics the report shows first (faster).

    >>> result = analyse("latest", store="demo.db")  # doctest: +SKIP
    >>> result.analysis.to_frame()[["variant", "metric", "estimate", "p_adjusted"]]  # doctest: +SKIP
    """
    from workbench.analysis.run_results import analyse_run

    return analyse_run(_store(store), run, shown_only=not all_metrics, baseline=baseline)


def audit(run: RunRef = "latest", *, store: StoreLike = None) -> BiasAudit | None:
    """The counterfactual name-swap bias audit of a run with a ``swap:`` block (None otherwise):
    selection rates per name group, impact ratios, flags. Indicative, not a legal test.

    >>> result = audit("latest", store="demo.db")  # doctest: +SKIP
    >>> result.to_frame() if result else None  # doctest: +SKIP
    """
    return analyse(run, store=store, all_metrics=False).bias
