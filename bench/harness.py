"""Shared pieces of the runner benchmarks: experiment files, the fake server, CPU accounting."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import os
import platform
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.fake_llm_server import FakeLLMServerProcess  # noqa: E402

MODEL = "gpt-4o-mini"
API_KEY = "sk-bench-not-a-real-key"
# The same two prompts go to the workbench (as variant files) and to promptfoo (as its prompts).
SYSTEM = "You are an experienced recruiter writing vacancy texts."
PROMPTS = {
    "bench_formal": "Write a formal vacancy text for {{ job_title }} at {{ company }} in {{ location }}.",
    "bench_friendly": "Write a friendly vacancy text for {{ job_title }} at {{ company }} in {{ location }}.",
}
FULL_SCORERS = "[length, readability, gender_coded, age_coded, exclusion, gendered_title]"


def case_rows(cases: int) -> list[dict[str, str]]:
    return [
        {"id": f"case-{i:05d}", "job_title": f"nurse level {i % 7}", "company": f"Clinic {i}", "location": "Utrecht"}
        for i in range(cases)
    ]


def write_inputs(folder: Path, cases: int) -> tuple[list[str], Path]:
    """The two prompt variants (paths) and a dataset of `cases` vacancies, written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    variants = []
    for key, user in PROMPTS.items():
        path = folder / f"{key}.yaml"
        path.write_text(
            f"id: {key}\ntask: vacancy_text\nlanguage: en\nsystem: {SYSTEM!r}\nuser: {user!r}\n", encoding="utf-8"
        )
        variants.append(str(path))
    data = folder / "cases.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "job_title", "company", "location"])
        writer.writeheader()
        writer.writerows(case_rows(cases))
    return variants, data


def write_experiment(
    folder: Path,
    base_url: str,
    *,
    cases: int,
    repeats: int,
    concurrency: int,
    scorers: str = "[length]",
    name: str = "bench",
    params: str | None = None,
) -> Path:
    """A spec with 2 variants × `cases` × 1 model × `repeats` calls to the fake server's OpenAI API."""
    variants, data = write_inputs(folder, cases)
    spec = folder / f"{name}.yaml"
    spec.write_text(
        f"name: {name}\n"
        f"variants: [{', '.join(variants)}]\n"
        f"dataset: {data}\n"
        f"models:\n  - id: openai:{MODEL}\n    base_url: {base_url}\n"
        + (f"    params: {params}\n" if params else "")
        + f"repeats: {repeats}\n"
        f"scorers: {scorers}\n"
        f"concurrency: {concurrency}\n",
        encoding="utf-8",
    )
    return spec


def start_server(**config: Any) -> FakeLLMServerProcess:
    """The fake server as a subprocess (not sharing the GIL with the client); use it in a `with` block."""
    os.environ.setdefault("OPENAI_API_KEY", API_KEY)
    return FakeLLMServerProcess(**config)


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a live process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSnapshot:
    """CPU seconds so far: this process, its reaped children (worker processes), the fake server."""

    wall: float
    own: float
    children: float
    server: float

    @classmethod
    def take(cls, server: FakeLLMServerProcess | None = None) -> CpuSnapshot:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = getattr(server, "_proc", None)
        return cls(
            time.perf_counter(),
            me.ru_utime + me.ru_stime,
            kids.ru_utime + kids.ru_stime,
            _proc_cpu(proc.pid) if proc is not None else 0.0,
        )

    def __sub__(self, other: CpuSnapshot) -> CpuSnapshot:
        return CpuSnapshot(*(a - b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))


def load_average() -> str:
    """The 1-minute load average: other processes on the machine skew every number here."""
    return f"load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "load average n/a"


def machine() -> str:
    import anthropic
    import httpx2
    import openai

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), cpu)
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, openai {openai.__version__}, anthropic {anthropic.__version__}, "
        f"httpx2 {httpx2.__version__}; load average at start {load:.2f}"
    )
