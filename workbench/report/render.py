"""Self-contained HTML and Markdown reports (Jinja2 templates, charts inlined as SVG)."""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from workbench import __version__
from workbench import number_format as nf
from workbench.analysis.decision_summary import decision_summary, summary_lines
from workbench.analysis.run_results import RunAnalysis
from workbench.atomic import atomic_open
from workbench.bidi import neutralise, neutralise_value
from workbench.experiment.prompt_diff import version_diff
from workbench.output_files import GENERATOR, check_output_path, writing
from workbench.providers.finish import is_truncated
from workbench.report.charts import AnyChart, distribution_chart, effect_chart, impact_ratio_chart
from workbench.report.console import per_case
from workbench.scoring.catalogue import is_headline, is_judge_metric, metric_info
from workbench.scoring.dismissal import span_key
from workbench.scoring.explain import explain_all
from workbench.scoring.flag_spans import matches_from_details
from workbench.scoring.highlight import TOOLTIP_CSS, highlight
from workbench.store.db import Store
from workbench.store.dismissals import output_dismissals
from workbench.store.frames import all_metric_names, flagged_examples, numeric_scores
from workbench.store.versions import run_versions

MAX_EXAMPLES = 6


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("workbench.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Every value printed into a report passes here: bidi controls from a dataset cell or an output
        # cannot reorder the text around them (HTML and Markdown alike).
        finalize=neutralise_value,
    )
    # One format per quantity, the same as the terminal and the UI (workbench.number_format).
    env.filters.update({
        "p": nf.p_value, "estimate": nf.estimate, "mde": nf.mde, "rate": nf.rate, "pct": nf.rate,
        "ratio": nf.ratio, "effect": nf.effect_size, "count": nf.count, "num": _number, "verdict": verdict_text,
    })
    env.globals.update({"interval": nf.interval, "money": nf.money, "per_case": per_case})
    return env


def _number(value: Any, decimals: int | str = 2, *, signed: bool = False) -> str:
    """The `num` filter: decimals as a number (`num(3)`) or as a format spec (`num(".2f")`, `num("+.2f")`)."""
    if isinstance(decimals, str):
        signed = signed or decimals.startswith("+")
        decimals = int(decimals.strip("+.f") or 2)
    return nf.number(value, decimals, signed=signed)


def verdict_text(v: dict[str, Any]) -> str:
    """The verdict column of the report tables, from a verdict record (Verdict.to_dict)."""
    outcome = v.get("outcome")

    def amount(x: float | None) -> str:  # a size, formatted as every MDE is (workbench.number_format)
        return nf.mde(x, str(v.get("kind")))

    if outcome == "descriptive" or v.get("descriptive_only"):
        return "descriptive only"
    if v.get("significant"):
        return str(v.get("direction")) + ("" if v.get("family") == "primary" else " (exploratory)")
    if outcome == "equivalent":
        return f"equivalent within ±{amount(v.get('margin'))}"
    if outcome == "non_inferior":
        return f"not worse by more than {amount(v.get('margin'))}"
    if outcome == "possible_harm":
        return f"inconclusive: could be up to {amount(v.get('harm_bound'))} worse"
    mde = v.get("mde")
    return "no significant difference" + (f" (MDE {amount(mde)})" if mde is not None else "")


def svg(chart: AnyChart | None) -> str | None:
    """Render an Altair chart to SVG offline (vl-convert bundles the Vega engine; no CDN)."""
    if chart is None:
        return None
    import vl_convert as vlc

    return neutralise(str(vlc.vegalite_to_svg(chart.to_json())))  # also inside Markdown's data: URIs


def _svg_data_uri(markup: str | None) -> str | None:
    if markup is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(markup.encode()).decode()


def _chart_metrics(metrics: list[str]) -> list[str]:
    return sorted(m for m in metrics if metric_info(m).chart)[:6]


def _examples(store: Store, run_id: int, limit: int) -> list[dict[str, Any]]:
    """A few outputs with coded wording highlighted, most flags first; every flag explained (EN + NL).

    Flags a user dismissed as false are not highlighted; they are listed with who dismissed them and why.
    """
    with store.session() as session:
        rows = flagged_examples(session, run_id, limit)
        dismissed = output_dismissals(session, [row["output_id"] for row in rows])
    examples = []
    for row in rows:
        gone = dismissed.get(row["output_id"], {})
        all_matches = matches_from_details(row["details"])
        matches = [m for m in all_matches if span_key(m) not in gone]
        if not all_matches:
            continue
        examples.append({
            "variant": row["variant"], "case": row["case"], "model": row["model"], "simulated": row["simulated"],
            "truncated": is_truncated(row["finish_reason"]),
            "html": highlight(row["text"], matches, "html"),
            "markdown": highlight(row["text"], matches, "markdown"),
            "flags": sorted({m["category"] for m in matches}),
            "explained": explain_all(matches),
            "dismissed": [{"text": d.text, "rule": d.rule, "who": d.who, "why": d.why} for d in gone.values()],
        })
    return examples


def _dismissed_summary(result: RunAnalysis) -> list[dict[str, Any]]:
    """Dismissed flags per model × variant × category (the rates above leave them out)."""
    frame = result.dismissed
    if frame.empty:
        return []
    counts = frame.groupby(["model", "variant", "category"]).size().reset_index(name="n")
    return _records(counts)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]


def build_context(store: Store, result: RunAnalysis) -> dict[str, Any]:
    info = result.info
    with store.session() as session:
        metrics = _chart_metrics(all_metric_names(session, info.run_id))
        scores = numeric_scores(session, info.run_id, metrics)
    if result.truncation is not None:
        scores = result.truncation.apply(scores)
    verdicts = result.headline_verdicts()
    charts: list[dict[str, Any]] = []
    if not verdicts.empty:
        charts.append({"title": "Differences vs baseline (95% CI)", "svg": svg(effect_chart(verdicts))})
    for metric in metrics if not scores.empty else []:
        charts.append({"title": metric, "svg": svg(distribution_chart(scores, metric))})
    bias_frame = result.bias.to_frame() if result.bias is not None else pd.DataFrame()
    bias_chart = None
    if not bias_frame.empty:
        bias_chart = svg(
            impact_ratio_chart(
                bias_frame.rename(
                    columns={"impact_ratio_ci_low": "ratio_ci_low", "impact_ratio_ci_high": "ratio_ci_high"}
                )
            )
        )
    all_verdicts = result.analysis.to_frame() if result.analysis is not None else pd.DataFrame()
    with store.session() as session:
        versions = [
            {"used": used, "previous": previous, "diff": version_diff(previous, used) if previous else []}
            for used, previous in run_versions(session, info.run_id)
        ]
    judge = info.judge

    def judged(metric: str) -> str:
        """After a judge metric: who judged it (SIMULATED for the simulated judge)."""
        return f" ({judge.label})" if judge is not None and is_judge_metric(str(metric)) else ""

    decision = None
    if result.analysis is not None and result.analysis.verdicts:
        summary = decision_summary(result.analysis, simulated=info.simulated)
        lines = summary_lines(summary, "en", lambda metric: metric + judged(metric))
        body = lines[2:] if summary.simulated else lines[1:]
        decision = {
            "header": lines[0],
            "paragraphs": [{"recommendation": d.recommendation, "text": text}
                      for d, text in zip(summary.decisions, body, strict=True)],
            "families": [f.describe() for f in result.analysis.families if f.size],
        }
    return {
        "judged": judged,
        "decision": decision,
        "info": info,
        "version": __version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "warnings": result.warnings,
        # Sequential runs (--until-decided): the primary rows hold anytime-valid confidence sequences.
        "interval_label": "95% CI (primary: anytime-valid CS)" if result.sequential is not None else "95% CI",
        "verdicts": _records(verdicts),
        "sentences": [
            v.sentence() + judged(v.metric)
            for v in (result.analysis.verdicts if result.analysis else [])
            if is_headline(v.metric)
        ],
        "omnibus": [
            o.sentence()
            for o in (result.analysis.omnibus if result.analysis else [])
            if is_headline(o.metric)
        ],
        "all_verdicts": _records(all_verdicts),
        "charts": [c for c in charts if c["svg"]],
        "lint_rates": _records(result.lint_rates),
        "dismissed": _records(result.dismissed.drop(columns=["created_at", "restored_at"], errors="ignore"))
        if not result.dismissed.empty else [],
        "dismissed_summary": _dismissed_summary(result),
        "tooltip_css": TOOLTIP_CSS,
        "examples": _examples(store, info.run_id, MAX_EXAMPLES),
        "bias": _records(bias_frame),
        "bias_sentences": result.bias.sentences() if result.bias is not None else [],
        "bias_chart": bias_chart,
        "preferences": result.preferences.to_dict() if result.preferences is not None else None,
        "judge_preferences": {rubric: p.to_dict() for rubric, p in result.judge_preferences.items()},
        "agreement": _agreement(store, info.run_id),
        "data_uri": _svg_data_uri,
        "versions": versions,
        "generator": GENERATOR,
    }


REPORT_SUFFIXES = (".html", ".htm", ".md", ".markdown")


def _agreement(store: Store, run_id: int) -> dict[str, Any] | None:
    """The judge–recruiter agreement section (workbench.analysis.judge_agreement), None without recruiter ratings."""
    from workbench.analysis.judge_agreement import run_judge_agreement, summary_frame

    result = run_judge_agreement(store, run_id)
    if result is None:
        return None
    return {"rows": _records(summary_frame(result)), "sentences": result.sentences("en"),
            "sentences_nl": result.sentences("nl"), "pairs": result.n_rated_pairs, "raters": result.n_raters,
            "human_kappa": result.human_kappa.text() if result.human_kappa else None,
            "human_alpha": result.human_alpha.text() if result.human_alpha else None}


def write_report(store: Store, result: RunAnalysis, out: Path, *, force: bool = False) -> Path:
    check_output_path(out, REPORT_SUFFIXES, what="report", force=force)
    template = "report.html.j2" if out.suffix.lower() in (".html", ".htm") else "report.md.j2"
    context = build_context(store, result)
    # Streamed into a temp file and renamed: a killed report never leaves a truncated file behind.
    with writing(out), atomic_open(out, "w", encoding="utf-8") as handle:
        for piece in _env().get_template(template).generate(**context):
            handle.write(piece)
    return out
