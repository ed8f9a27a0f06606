"""Benchmark: the Compare, Bias and Review pages over a run of 100,000 scored outputs.

Builds a SQLite store quickly (one real simulated demo run supplies realistic texts, scores and
highlight details; those are bulk-copied with SQLAlchemy core into a 100,000-output run), then times
``AppTest`` script runs (server side: what the browser waits for before it can paint):

* the run's page analysis as `workbench run` computes and stores it when the run ends
  (`workbench.ui.run_stats.analyse_and_store`: the bare statistics plus storing them), once per bench run;
* each page's first render (cold: Streamlit caches and the UI's worker files cleared; the analysis the
  run stored at its end stays, as it does for every run finished with this version) and a second;
* Compare: seconds from opening the app with the run selected (its home page, the Overview, then Compare)
  until the decision summary ("Decision") is on the page, cold (new server caches) and warm (opened
  again in a new session). Targets: ≤ 3 s cold, ≤ 1 s warm. Two moments per open: when the script has
  produced the whole summary (Streamlit streams each element to the browser as it is produced, so this
  is when a browser shows it; taken when the page asks for the next section's title) and when the whole
  page script has finished (charts and output cards included; AppTest sees only this one);
* the server's one-time imports (Streamlit, Altair, SciPy: what a server pays on its first page, before
  any run is opened) are done and timed before the cold opens;
* Review: seconds from pressing "A" until the next pair is drawn (target ≤ 0.3 s), the median of
  ``REVIEW_PRESSES`` presses (the ratings are deleted again afterwards);
* side by side in the same run, the post-run analysis above: the cold summary's ratio to it is what
  opening a run costs against computing its verdicts, whatever the machine's load.

Run: ``python bench/bench_ui.py [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text

from workbench.experiment.plan import build_plan
from workbench.runner.run import run_experiment
from workbench.store.db import Store
from workbench.store.models import Case, Experiment, Output, Run, Score, Variant

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0  # any page render
SUMMARY_COLD_S, SUMMARY_WARM_S, NEXT_PAIR_S = 3.0, 1.0, 0.3
REVIEW_PRESSES = 9
N_CASES, N_MODELS, N_REPEATS = 1_250, 2, 10  # × 4 variants = 100,000 outputs
EXTRA_VARIANT = "vacancy_nl_inclusive_short"
CHUNK = 20_000


def _templates(store: Store, run_id: int) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Outputs of the real demo run per variant, each with its score rows (detail pre-serialised)."""
    per_variant: dict[str, list[dict[str, Any]]] = {}
    with store.session() as session:
        outputs = session.execute(
            select(Output.id, Variant.key, Output.text, Output.input_tokens, Output.output_tokens)
            .join(Variant, Variant.id == Output.variant_id)
            .where(Output.run_id == run_id, Output.status == "ok")
            .order_by(Output.id)
        ).all()
        scores: dict[int, list[tuple[str, float | None, str, str | None]]] = {}
        for output_id, metric, value, kind, detail in session.execute(
            select(Score.output_id, Score.metric, Score.value, Score.kind, Score.detail)
            .join(Output, Output.id == Score.output_id)
            .where(Output.run_id == run_id)
        ):
            scores.setdefault(output_id, []).append(
                (metric, value, kind, None if detail is None else json.dumps(detail, ensure_ascii=False))
            )
        cases = [c.data for c in session.scalars(select(Case).join(Experiment).join(Run).where(Run.id == run_id))]
    for output_id, variant, body, tokens_in, tokens_out in outputs:
        per_variant.setdefault(variant, []).append(
            {"text": body, "in": tokens_in, "out": tokens_out, "scores": scores.get(output_id, [])}
        )
    return per_variant, cases


def build_store(db_file: Path) -> int:
    """Create `db_file` with one real demo run and one 100,000-output run; return the big run's id."""
    store = Store(f"sqlite:///{db_file}")
    demo = run_experiment(build_plan(ROOT / "experiments" / "vacancy_tone_nl.yaml"), store)
    templates, case_data = _templates(store, demo.run_id)
    templates[EXTRA_VARIANT] = templates["vacancy_nl_inclusive"][::-1]
    variants = list(templates)
    models = [f"simulated:default-{i + 1}" for i in range(N_MODELS)]
    with store.session() as session:
        source = session.get(Run, demo.run_id)
        assert source is not None
        spec = dict(source.experiment.spec)
        spec.update(name="bench-100k", repeats=N_REPEATS, models=[{"id": "simulated:default", "label": m}
                                                                    for m in models])
        spec["variants"] = [*spec["variants"], f"prompts/{EXTRA_VARIANT}.yaml"]
        experiment = Experiment(name="bench-100k", spec_path="bench", spec_hash="bench", spec=spec)
        session.add(experiment)
        session.flush()
        old = {v.key: v for v in source.experiment.variants}
        variant_ids = {}
        for key in variants:
            base = old.get(key) or old["vacancy_nl_inclusive"]
            row = Variant(experiment_id=experiment.id, key=key, task=base.task, language=base.language,
                          path=base.path, system_template=base.system_template, user_template=base.user_template,
                          template_hash=f"{base.template_hash[:12]}{len(variant_ids):04d}")
            session.add(row)
            session.flush()
            variant_ids[key] = row.id
        cases = [Case(experiment_id=experiment.id, key=f"b-{i + 1:04d}", cluster=None,
                      data=dict(case_data[i % len(case_data)], id=f"b-{i + 1:04d}")) for i in range(N_CASES)]
        session.add_all(cases)
        run = Run(experiment_id=experiment.id, status="completed", total_calls=N_CASES * len(variants)
                  * N_MODELS * N_REPEATS, simulated=True, settings={"repeats": N_REPEATS})
        session.add(run)
        session.commit()
        case_ids = [c.id for c in cases]
        run_id = run.id
        next_output = int(session.scalar(select(func.max(Output.id))) or 0) + 1
    _bulk_insert(store, run_id, variant_ids, case_ids, models, templates, next_output)
    store.dispose()
    return run_id


def _bulk_insert(store: Store, run_id: int, variant_ids: dict[str, int], case_ids: list[int], models: list[str],
                 templates: dict[str, list[dict[str, Any]]], first_id: int) -> None:
    """Raw executemany: the ORM would spend most of its time building objects we never use."""
    output_sql = (
        "INSERT INTO outputs (id, run_id, variant_id, case_id, model, repeat, swap_name, swap_group, status, text, "
        "attempts, request_hash, input_tokens, output_tokens, latency_ms, cost_usd, cached, simulated, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, '', '', 'ok', ?, 1, ?, ?, ?, 1.0, 0.0, 0, 1, CURRENT_TIMESTAMP)"
    )
    score_sql = "INSERT INTO scores (output_id, metric, value, kind, detail) VALUES (?, ?, ?, ?, ?)"
    outputs: list[tuple[Any, ...]] = []
    scores: list[tuple[Any, ...]] = []
    output_id = first_id
    with store.engine.begin() as conn:
        conn.execute(text("PRAGMA synchronous=OFF"))
        for ci, case_id in enumerate(case_ids):
            for key, variant_id in variant_ids.items():
                pool = templates[key]
                for mi, model in enumerate(models):
                    for repeat in range(N_REPEATS):
                        tpl = pool[(ci * 7 + repeat * 3 + mi * 11) % len(pool)]
                        outputs.append((output_id, run_id, variant_id, case_id, model, repeat, tpl["text"],
                                        f"bench{output_id}", tpl["in"], tpl["out"]))
                        scores += [(output_id, *s) for s in tpl["scores"]]
                        output_id += 1
            if len(outputs) >= CHUNK:
                conn.exec_driver_sql(output_sql, outputs)
                conn.exec_driver_sql(score_sql, scores)
                outputs, scores = [], []
        if outputs:
            conn.exec_driver_sql(output_sql, outputs)
            conn.exec_driver_sql(score_sql, scores)
        conn.execute(text("ANALYZE"))


_MARKS: dict[str, float] = {}


def _mark_summary_done() -> None:
    """Note when Compare asks for the title of the section after the decision summary: by then every
    element of the summary has been produced (and, in a browser, sent)."""
    from workbench.ui import i18n

    original = i18n.t

    def marked(key: str, **kwargs: Any) -> str:
        if key == "verdicts_title":
            _MARKS.setdefault("summary_done", time.perf_counter())
        return original(key, **kwargs)

    i18n.t = marked  # the page script imports `t` from the module on every run


def _server_imports() -> float:
    start = time.perf_counter()
    import streamlit.testing.v1  # noqa: F401

    from workbench.ui.app import warm_imports

    warm_imports()
    return time.perf_counter() - start


def _pending(at: Any) -> bool:
    return any("Computing the verdicts" in str(e.value) for e in at.info)


def _has_summary(at: Any) -> bool:
    return any(str(h.value) == "Decision" for h in at.subheader)


def _open(page: str, run_id: int, *, cold: bool) -> Any:
    """An AppTest session on the app's home page with `run_id` chosen; `cold` clears every cache first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if cold:
        st.cache_data.clear()
        st.cache_resource.clear()
        state = Path(os.environ["WORKBENCH_UI_STATE_DIR"])
        shutil.rmtree(state, ignore_errors=True)  # the worker's stored results too: measure from cold
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.session_state["run_id"] = run_id
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page(page)
    return at


def _time_page(page: str, run_id: int) -> dict[str, float]:
    """Cold first render, time until the (background) analysis shows its verdicts, warm second render."""
    _MARKS.clear()
    opened = time.perf_counter()  # opening the app (its home page, the Overview, with this run) is the start
    at = _open(page, run_id, cold=True)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    start = opened
    _check(at, page)
    while _pending(at) and time.perf_counter() - start < 600:
        time.sleep(0.25)
        at.run()
    ready = time.perf_counter() - start
    _check(at, page)
    times = {"first": first, "ready": ready}
    if page.endswith("compare.py"):
        if not _has_summary(at):
            raise RuntimeError("compare: no decision summary once the verdicts were ready")
        times["summary_cold"] = ready
        times["summary_cold_shown"] = _MARKS.get("summary_done", opened + ready) - opened
        # Warm: a new session (another browser tab) opens the same run once the analysis exists.
        warm = _open(page, run_id, cold=False)
        _MARKS.clear()
        start = time.perf_counter()
        warm.run()
        times["summary_warm"] = time.perf_counter() - start
        times["summary_warm_shown"] = _MARKS.get("summary_done", start + times["summary_warm"]) - start
        _check(warm, page)
        if not _has_summary(warm):
            raise RuntimeError("compare: no decision summary on the warm render")
    start = time.perf_counter()
    at.run()
    times["second"] = time.perf_counter() - start
    _check(at, page)
    return times


def _shown_pair(at: Any) -> str | None:
    keys = [b.key for b in at.button if str(b.key or "").startswith("rate_a_")]
    return str(keys[0]).removeprefix("rate_a_") if keys else None


def _time_next_pair(run_id: int, db_file: Path) -> list[float]:
    """Seconds from pressing "A" on the shown pair until the next pair is drawn, per press."""
    at = _open("workbench/ui/pages/review.py", run_id, cold=False)
    at.session_state["_kept_rater"] = "bench rater"
    at.run()
    _check(at, "review")
    times = []
    for _ in range(REVIEW_PRESSES):
        before = _shown_pair(at)
        if before is None:
            raise RuntimeError("review: no pair on the page")
        button = next(b for b in at.button if b.key == f"rate_a_{before}")
        start = time.perf_counter()
        button.click().run()
        times.append(time.perf_counter() - start)
        _check(at, "review")
        if _shown_pair(at) in (None, before):
            raise RuntimeError("review: the next pair was not drawn after a rating")
    store = Store(f"sqlite:///{db_file}")
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM ratings WHERE rater = 'bench rater'"))
    store.dispose()
    return times


def _time_bare_rerun(runs: int = 9) -> float:
    """Median script run of a one-line Streamlit app: what any rerun costs on this machine right now."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import streamlit as st\nst.write('x')")
    at.run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _time_post_run_analysis(db_file: Path, run_id: int) -> float:
    """What the end of `workbench run` adds: the page analysis computed (the statistics the UI's worker
    would otherwise compute when the run is opened) and stored with its stamp, in this process."""
    from workbench.ui.run_stats import analyse_and_store

    store = Store(f"sqlite:///{db_file}")
    start = time.perf_counter()
    analyse_and_store(store, run_id)
    seconds = time.perf_counter() - start
    store.dispose()
    return seconds


def _check(at: Any, page: str) -> None:
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    errors = [e for e in at.error if "thumb_down" not in str(e.icon)]  # a "do not adopt" decision is no error
    if errors:
        raise RuntimeError(f"{page}: {errors[0].value}")


def _find_run(db_file: Path) -> int | None:
    if not db_file.exists():
        return None
    store = Store(f"sqlite:///{db_file}")
    try:
        with store.session() as session:
            return session.scalar(select(Run.id).join(Experiment).where(Experiment.name == "bench-100k"))
    finally:
        store.dispose()


def main() -> None:
    # Cache calls outside a script run log these once per call; AppTest resets log levels, not `disabled`.
    for name in ("scriptrunner_utils.script_run_context", "caching.cache_data_api", "state.session_state_proxy"):
        logging.getLogger(f"streamlit.runtime.{name}").disabled = True
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="build the store in this folder and keep it (reused if present)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wb-bench-ui-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "bench.db"
    try:
        run_id = _find_run(db_file) if args.keep else None
        if run_id is None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
            start = time.perf_counter()
            run_id = build_store(db_file)
            print(f"store: {N_CASES * 4 * N_MODELS * N_REPEATS:,} outputs in run {run_id}, built in "
                  f"{time.perf_counter() - start:.1f} s ({db_file.stat().st_size / 1e6:.0f} MB)")
        os.environ["WORKBENCH_DB_URL"] = f"sqlite:///{db_file}"
        os.environ["WORKBENCH_UI_STATE_DIR"] = str(folder / "ui-state")
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average at start {load:.2f}")
        bare = _time_post_run_analysis(db_file, run_id)  # as at the end of `workbench run`
        imports = _server_imports()
        _mark_summary_done()
        worst = 0.0
        summary: dict[str, float] = {}
        for page in ("workbench/ui/pages/compare.py", "workbench/ui/pages/bias.py", "workbench/ui/pages/review.py"):
            times = _time_page(page, run_id)
            worst = max(worst, times["first"], times["second"])
            summary.update({k: v for k, v in times.items() if k.startswith("summary")})
            print(f"{Path(page).stem:8s} first render {times['first']:5.2f} s ({times['first'] / TARGET_S:.2f}× target)"
                  f"  · verdicts shown after {times['ready']:5.2f} s (background)"
                  f"  · second render {times['second']:5.2f} s ({times['second'] / TARGET_S:.2f}× target)")
        presses = sorted(_time_next_pair(run_id, db_file))
        floor = _time_bare_rerun()
        median = presses[len(presses) // 2]
        rows = [("decision summary produced (browser shows it), cold", summary["summary_cold_shown"], SUMMARY_COLD_S),
                ("decision summary produced (browser shows it), warm", summary["summary_warm_shown"], SUMMARY_WARM_S),
                ("decision summary visible, whole page done, cold", summary["summary_cold"], SUMMARY_COLD_S),
                ("decision summary visible, whole page done, warm", summary["summary_warm"], SUMMARY_WARM_S),
                (f"review: next pair after a rating (median of {len(presses)}, max {presses[-1]:.2f} s)", median,
                 NEXT_PAIR_S),
                ("slowest page render", worst, TARGET_S)]
        for label, seconds, target in rows:
            status = "met" if seconds <= target else "NOT met"
            print(f"{label:62s} {seconds:6.2f} s  target ≤ {target:.1f} s  ratio {seconds / target:5.2f}  {status}")
        print(f"{'post-run analysis (end of workbench run: statistics + store)':62s} {bare:6.2f} s  cold summary / "
              f"post-run {summary['summary_cold'] / bare:.2f}")
        print(f"{'server imports on its first page (once per process, not timed above)':62s} {imports:6.2f} s")
        print(f"{'bare rerun of a one-line Streamlit app (median of 9)':62s} {floor * 1000:6.1f} ms next pair / bare "
              f"{median / floor:.1f}, warm summary / bare {summary['summary_warm'] / floor:.1f}")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
