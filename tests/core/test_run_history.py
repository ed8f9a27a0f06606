"""`workbench compare` and `workbench history` agree with analysing the paired outputs by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from workbench import api
from workbench.analysis.run_history import compare_runs, run_history
from workbench.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


def _spec(folder: Path, seed: int, extra_sentence: str = "", description: str = "") -> Path:
    prompt = yaml.safe_load((ROOT / "prompts" / "vacancy_en_inclusive.yaml").read_text())
    if extra_sentence:
        prompt["user"] = prompt["user"] + "\n" + extra_sentence
    (folder / "vacancy_en_inclusive.yaml").write_text(yaml.safe_dump(prompt, allow_unicode=True))
    data = yaml.safe_load((ROOT / "examples" / "gate_vacancy_en.yaml").read_text())
    data["variants"] = [str(ROOT / "prompts" / "vacancy_en_formal.yaml"), str(folder / "vacancy_en_inclusive.yaml")]
    data["dataset"] = str(ROOT / "experiments" / "data" / "vacancies_en.csv")
    data["seed"] = seed
    data["description"] = description or data["description"]
    path = folder / f"spec-{seed}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _by_hand(frame_a: pd.DataFrame, frame_b: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per (variant, case, model): mean over repeats in each run, paired on the keys; per variant the
    mean change, t-interval and paired t-test p (scipy)."""
    column = f"score.{metric}"
    keys = ["variant", "case", "model"]
    a = frame_a.groupby(keys)[column].mean().rename("a")
    b = frame_b.groupby(keys)[column].mean().rename("b")
    both = pd.concat([a, b], axis=1, join="inner").reset_index()
    rows = []
    for variant, group in both.groupby("variant"):
        d = (group["b"] - group["a"]).to_numpy()
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        rows.append({"variant": variant, "change": d.mean(), "ci_low": d.mean() - half, "ci_high": d.mean() + half,
                     "t_p": stats.ttest_rel(group["b"], group["a"]).pvalue, "n": len(d)})
    return pd.DataFrame(rows).set_index("variant")


def test_compare_and_history_agree_with_the_paired_outputs_by_hand(tmp_path: Path, db_url: str) -> None:
    store = api.open_store(db_url)
    run_a = api.run(_spec(tmp_path, seed=3), store=store)
    run_b = api.run(_spec(tmp_path, seed=4, extra_sentence="Keep every sentence under 15 words.",
                          description="candidate prompt edited"), store=store)
    comparison = compare_runs(store, run_a, run_b)
    assert comparison.changed_prompts.keys() == {"vacancy_en_inclusive"}  # content hash differs
    frame = comparison.frame()
    hand_a, hand_b = api.outputs(run_a, store=store), api.outputs(run_b, store=store)
    for metric in ("readability", "judge.clarity"):
        expected = _by_hand(hand_a, hand_b, metric)
        got = frame[frame["metric"] == metric].set_index("variant")
        for variant, row in expected.iterrows():
            assert got.loc[variant, "change"] == pytest.approx(row["change"], abs=1e-9)
            assert got.loc[variant, "ci_low"] == pytest.approx(row["ci_low"], abs=1e-9)
            assert got.loc[variant, "ci_high"] == pytest.approx(row["ci_high"], abs=1e-9)
            assert got.loc[variant, "t_p"] == pytest.approx(row["t_p"], abs=1e-9)
            assert got.loc[variant, "n_cases"] == row["n"] == 20
    assert set(frame.loc[frame["metric"] == "readability", "family"]) == {"primary"}

    history = run_history(store, "gate-vacancy-en", metrics=["readability"])
    assert list(history["run"].unique()) == [run_a, run_b]
    for (run_id, variant), row in history.set_index(["run", "variant"]).iterrows():
        outputs = hand_a if run_id == run_a else hand_b
        case_means = outputs[outputs["variant"] == variant].groupby("case")["score.readability"].mean()
        assert row["mean"] == pytest.approx(case_means.mean(), abs=1e-9)
        half = stats.t.ppf(0.975, len(case_means) - 1) * case_means.std(ddof=1) / np.sqrt(len(case_means))
        assert row["ci_high"] - row["mean"] == pytest.approx(half, abs=1e-9)
    hashes = history.groupby("variant")["prompt_hash"].nunique()
    assert hashes["vacancy_en_inclusive"] == 2 and hashes["vacancy_en_formal"] == 1

    cli = CliRunner()
    out = cli.invoke(app, ["compare", str(run_a), str(run_b), "--db", db_url])
    assert out.exit_code == 0, out.output
    assert "prompt changed: vacancy_en_inclusive" in out.output and "SIMULATED" in out.output
    page = tmp_path / "history.html"
    out = cli.invoke(app, ["history", "gate-vacancy-en", "--db", db_url, "--out", str(page)])
    assert out.exit_code == 0, out.output
    assert "(changed)" in out.output and "<svg" in page.read_text()
    for args in (["compare", str(run_a), str(run_a), "--db", db_url], ["history", "nope", "--db", db_url],
                 ["compare", str(run_a), str(run_b), "-m", "nope", "--db", db_url]):
        bad = cli.invoke(app, args)
        assert bad.exit_code == 2 and "Traceback" not in bad.output, (args, bad.output)
    store.dispose()
