"""Small experiment specs for tests: the repository's English vacancy prompt on the simulated provider."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def simulated_spec(folder: Path, name: str, *, max_cases: int = 2) -> Path:
    """`folder/NAME.yaml`: one variant × `max_cases` cases × simulated:default, scored by length."""
    spec = folder / f"{name}.yaml"
    spec.write_text(f"""name: {name}
variants: [{ROOT}/prompts/vacancy_en_formal.yaml]
dataset: {ROOT}/experiments/data/vacancies_en.csv
max_cases: {max_cases}
models: [simulated:default]
scorers: [length]
""", encoding="utf-8")
    return spec
