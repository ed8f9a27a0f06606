"""Where the UI reads and writes: prompt library, experiments, datasets, run state, database."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from workbench.store.db import database_url
from workbench.ui.private_files import STATE_ENV, default_root, ensure_private_dir

PROMPTS_ENV = "WORKBENCH_PROMPTS_DIR"
EXPERIMENTS_ENV = "WORKBENCH_EXPERIMENTS_DIR"
LANG_ENV = "WORKBENCH_UI_LANG"
PAGES_DIR = Path(__file__).with_name("pages")


def page_path(name: str) -> str:
    """The script of a page (st.Page and st.page_link both take it)."""
    return str(PAGES_DIR / f"{name}.py")


def prompts_dir() -> Path:
    """The prompt library (`prompts/` in the working directory unless $WORKBENCH_PROMPTS_DIR is set)."""
    return Path(os.environ.get(PROMPTS_ENV) or "prompts").resolve()


def experiments_dir() -> Path:
    """Experiment specs (`experiments/` unless $WORKBENCH_EXPERIMENTS_DIR is set)."""
    return Path(os.environ.get(EXPERIMENTS_ENV) or "experiments").resolve()


def datasets_dir() -> Path:
    """Test-case datasets live next to the specs, as in the demo (`experiments/data/`)."""
    return experiments_dir() / "data"


def db_url() -> str:
    """The store the CLI would use: $WORKBENCH_DB_URL, else ./workbench.db."""
    return database_url()


def state_dir(url: str | None = None) -> Path:
    """Pid and log files of background runs and big-run analyses, one folder per database so stores
    never mix; private to this user (0700, ownership checked: see workbench.ui.private_files)."""
    root = ensure_private_dir(Path(os.environ.get(STATE_ENV) or default_root()))
    digest = hashlib.sha256((url or db_url()).encode()).hexdigest()[:12]
    return ensure_private_dir(root / digest)
