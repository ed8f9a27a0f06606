"""How one `workbench run` invocation runs (the CLI's and the UI's flags)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.runner.retry import RetryPolicy


@dataclass
class RunOptions:
    resume: bool = False
    concurrency: int | None = None
    use_cache: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    client_options: dict[str, Any] = field(default_factory=dict)  # e.g. timeout for real providers
    batch: bool = False  # openai/anthropic calls through their Batch APIs (workbench.runner.batch)
    # Processes making provider calls: 1 = this process; None = auto (worker processes only for large,
    # highly concurrent runs; see workbench.runner.workers).
    workers: int | None = None
    # Ask openai_compatible servers for their model list first (models with `check_model: false` are skipped).
    check_models: bool = True
