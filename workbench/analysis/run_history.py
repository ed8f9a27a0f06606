"""Runs of one experiment side by side: `compare` (run B against run A, paired) and `history` (every run).

**compare**: outputs of two runs are paired by (variant, case, model); repeats are averaged per run first
(the case is the unit, as everywhere), and each variant × model × metric gets the paired analysis of the
statistics engine (`workbench.stats.analyse`): run B − run A per case, t-interval, permutation p, corrected
over the family the spec declares (primary metrics: Holm over every primary metric × variant × model;
others: Benjamini–Hochberg). A variant whose prompt text changed between the runs (its content hash differs)
or a model that is in one run only is reported as such.

**history**: per run, variant, model and metric the mean over cases with a 95% t-interval over case means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.analysis.run_results import display_metrics, metric_families
from workbench.errors import WorkbenchError
from workbench.scoring.catalogue import metric_direction
from workbench.stats import Analysis, analyse
from workbench.store.db import Store
from workbench.store.frames import all_metric_names, numeric_scores, run_header
from workbench.store.queries import experiment_runs, resolve_run_id, variant_hashes

RUN_A, RUN_B = "run A", "run B"
UNIT_SEP = " · "


@dataclass
class RunComparison:
    run_a: int
    run_b: int
    experiment: str
    analysis: Analysis | None  # "variants" are RUN_A / RUN_B, "models" are "variant · model"
    changed_prompts: dict[str, tuple[str | None, str | None]]  # variant -> (hash in A, hash in B), when differ
    only_in_a: list[str]  # "variant · model" cells present in run A only
    only_in_b: list[str]
    models_a: list[str]
    models_b: list[str]
    simulated: bool
    warnings: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """One row per variant × model × metric: change B − A with CI, p, adjusted p, family."""
        if self.analysis is None or not self.analysis.verdicts:
            return pd.DataFrame()
        rows = []
        for v in self.analysis.verdicts:
            variant, _, model = v.model.partition(UNIT_SEP)
            rows.append({
                "variant": variant, "model": model, "metric": v.metric, "family": v.family,
                "mean_a": v.baseline_mean, "mean_b": v.variant_mean, "change": v.estimate,
                "ci_low": v.ci_low, "ci_high": v.ci_high, "p": v.p_value, "p_adjusted": v.p_adjusted,
                "t_p": v.t_p_value, "significant": v.significant, "direction": v.direction, "n_cases": v.n_cases,
                "prompt_changed": variant in self.changed_prompts,
            })
        return pd.DataFrame(rows)


def _scores(store: Store, run_id: int, metrics: Sequence[str] | None) -> tuple[pd.DataFrame, list[str], Any]:
    with store.session() as session:
        header = run_header(session, run_id)
        present = all_metric_names(session, run_id)
        chosen = [m for m in (metrics or display_metrics(present, header.spec)) if m in present]
        scores = numeric_scores(session, run_id, chosen)
        hashes = variant_hashes(session, run_id)
    return scores, present, (header, hashes)


def compare_runs(store: Store, run_a: str | int, run_b: str | int, *, metrics: Sequence[str] | None = None,
                 seed: int = 0, force: bool = False) -> RunComparison:
    """Run B against run A, paired by (variant, case, model); see the module docstring."""
    with store.session() as session:
        a_id, b_id = resolve_run_id(session, run_a), resolve_run_id(session, run_b)
    if a_id == b_id:
        raise WorkbenchError(f"RUN_A and RUN_B are the same run ({a_id})", field="RUN_B")
    scores_a, present_a, (head_a, hashes_a) = _scores(store, a_id, metrics)
    scores_b, present_b, (head_b, hashes_b) = _scores(store, b_id, metrics)
    if head_a.experiment != head_b.experiment and not force:
        raise WorkbenchError(f"run {a_id} is experiment {head_a.experiment!r}, run {b_id} is "
                             f"{head_b.experiment!r}: compare runs of one experiment (or pass --force)",
                             field="RUN_B")
    if metrics:
        unknown = [m for m in metrics if m not in present_a and m not in present_b]
        if unknown:
            raise WorkbenchError(f"metric {unknown[0]!r} is in neither run (metrics: {', '.join(present_b)})",
                                 field="--metric")
    changed = {v: (hashes_a.get(v), hashes_b.get(v)) for v in sorted(set(hashes_a) | set(hashes_b))
               if hashes_a.get(v) != hashes_b.get(v) and v in hashes_a and v in hashes_b}
    cols = ["case", "variant", "model", "repeat", "metric", "value"]
    frames = []
    for label, scores in ((RUN_A, scores_a), (RUN_B, scores_b)):
        if scores.empty:
            continue
        part = scores[cols].copy()
        part["model"] = part["variant"].astype(str) + UNIT_SEP + part["model"].astype(str)
        part["variant"] = label
        frames.append(part)
    cells_a = set(frames[0]["model"]) if frames and not scores_a.empty else set()
    cells_b = set(frames[-1]["model"]) if frames and not scores_b.empty else set()
    comparison = RunComparison(a_id, b_id, head_b.experiment, None, changed, sorted(cells_a - cells_b),
                               sorted(cells_b - cells_a), head_a.models, head_b.models,
                               head_a.simulated or head_b.simulated)
    if len(frames) < 2:
        comparison.warnings.append("one of the runs has no scores yet")
        return comparison
    both = pd.concat(frames, ignore_index=True)
    both = both[both["model"].isin(cells_a & cells_b)]
    spec = head_b.spec
    primary, secondary = metric_families(spec, sorted(set(present_a) & set(present_b)))
    directions = {m: metric_direction(m) for m in both["metric"].unique()}
    comparison.analysis = analyse(both, RUN_A, alpha=spec.alpha, correction=spec.correction, family=spec.family,
                                  primary=primary, secondary=secondary, metric_directions=directions, seed=seed)
    return comparison


def run_history(store: Store, experiment: str, *, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Per run × variant × model × metric: mean over case means, 95% t-interval, cases, prompt hash."""
    with store.session() as session:
        runs = experiment_runs(session, experiment)
    if not runs:
        raise WorkbenchError(f"no runs of experiment {experiment!r} (see `workbench list`)", field="NAME")
    rows = []
    for run in runs:
        scores, _, (header, hashes) = _scores(store, run["id"], metrics)
        if scores.empty:
            continue
        means = (scores.dropna(subset=["value"]).groupby(["variant", "model", "metric", "case"])["value"].mean()
                 .reset_index())
        for (variant, model, metric), group in means.groupby(["variant", "model", "metric"], sort=True):
            values = group["value"].to_numpy(float)
            n = len(values)
            mean = float(values.mean())
            half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n >= 2 else np.nan
            rows.append({"run": run["id"], "started_at": run["started_at"], "status": run["status"],
                         "simulated": run["simulated"], "variant": variant, "model": model, "metric": metric,
                         "mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n_cases": n,
                         "prompt_hash": hashes.get(str(variant), "")[:8], "spec_hash": run["spec_hash"][:8],
                         "primary": metric in header.spec.primary if header.spec.primary else None})
    return pd.DataFrame(rows)


def history_chart(history: pd.DataFrame, metric: str) -> Any:
    """Altair: the metric's mean per run and variant with 95% CIs (error bars), one line per variant."""
    import altair as alt

    data = history[history["metric"] == metric].copy()
    if data.empty:
        return None
    data["series"] = data["variant"].astype(str) + (
        UNIT_SEP + data["model"].astype(str) if data["model"].nunique() > 1 else "")
    base = alt.Chart(data).encode(
        x=alt.X("run:O", title="run"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=300)),
    )
    line = base.mark_line(point=True).encode(
        y=alt.Y("mean:Q", title=f"{metric} (mean over cases)", scale=alt.Scale(zero=False)),
        tooltip=["run:O", "variant:N", "model:N", alt.Tooltip("mean:Q", format=".2f"),
                 alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f"), "n_cases:Q",
                 "prompt_hash:N"],
    )
    bars = base.mark_errorbar(ticks=True).encode(y="ci_low:Q", y2="ci_high:Q")
    return alt.layer(bars, line).properties(width=460, height=220, title=f"{metric} per run (95% CI)")
