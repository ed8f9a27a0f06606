# %% [markdown]
# # Prompt Workbench from a notebook
# Runs the English vacancy demo on the SIMULATED provider (offline, synthetic texts: a demonstration,
# not evidence about a real model), then reads the outputs and the verdicts as pandas objects.
# Run it as a script (`python examples/notebook_api.py`) or cell by cell in Jupyter / VS Code.

# %%
from pathlib import Path

from workbench import api

ROOT = Path(__file__).resolve().parents[1]
store = api.open_store(Path.cwd() / "notebook-demo.db")
spec = api.load_spec(ROOT / "examples" / "gate_vacancy_en.yaml")
print(spec.name, "variants:", len(spec.variants), "baseline:", spec.baseline)

# %%
run_id = api.run(ROOT / "examples" / "gate_vacancy_en.yaml", store=store)
frame = api.outputs(run_id, store=store)
print(frame.groupby("variant")[["score.words", "score.readability", "score.judge.clarity"]].mean().round(2))

# %%
result = api.analyse(run_id, store=store)
assert result.analysis is not None
verdicts = result.analysis.to_frame()
print(verdicts[["variant", "metric", "family", "estimate", "ci_low", "ci_high", "p_adjusted", "outcome"]]
      .to_string(index=False))

# %%
print("name-swap audit:", api.audit(run_id, store=store))  # None: this spec has no `swap:` block
