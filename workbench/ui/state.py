"""Shared page state and caches: the store (opened once per URL), the selected run, parsed datasets,
one-line error display."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.experiment.datasets import TestCase, load_dataset
from workbench.store.db import Store, StoreFailure, StoreSession
from workbench.ui import config
from workbench.ui.i18n import t

RUN_KEY = "run_id"
RUN_PREFILL_KEY = "_run_prefill"  # the Prompts page's "test against its base" -> the Run page's form
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    """One engine per database URL for the whole server (migrations checked once)."""
    return Store(url)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_dataset(path: str, mtime: float) -> list[TestCase]:
    """Parsed dataset, re-read when the file changes (mtime is part of the key)."""
    del mtime
    return load_dataset(path)


def one_line(exc: BaseException) -> str:
    """A user-facing message: our errors as they print in the CLI, database errors by their first line."""
    if isinstance(exc, WorkbenchError):
        return str(exc)
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"database error: {first}" if isinstance(exc, StoreFailure) else f"{type(exc).__name__}: {first}"


def store_or_error() -> tuple[Store | None, str | None]:
    url = config.db_url()
    try:
        return open_store(url), None
    except (WorkbenchError, StoreFailure, OSError) as exc:
        return None, one_line(exc)


def require_store() -> Store:
    """The store, or a clear error and the end of this page (never a traceback)."""
    store, error = store_or_error()
    if store is None:
        st.error(t("db_error", error=error))
        st.stop()
    assert store is not None
    return store


@contextmanager
def session() -> Iterator[StoreSession]:
    with require_store().session() as s:
        yield s


def query(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one query function in a short-lived session."""
    with session() as s:
        return fn(s, *args, **kwargs)


def selected_run() -> int | None:
    value = st.session_state.get(RUN_KEY)
    return int(value) if value is not None else None


def select_run(run_id: int) -> None:
    """Make `run_id` the run every page shows (takes effect on the next script run)."""
    st.session_state["_pending_run"] = int(run_id)


def remembered_text_input(label: str, key: str, **kwargs: Any) -> str:
    """A text input whose value survives a switch to another page and back (and is shared by every page
    that draws an input with the same key, e.g. the rater's name on Review and Compare).

    Streamlit forgets a widget's value when a page run does not draw it, and a widget on another page is
    another widget even under the same key. The value is kept under a plain session key, updated when the
    user edits the field, and handed to the widget before it is drawn.
    """
    keep = f"_kept_{key}"
    if keep in st.session_state:
        st.session_state[key] = st.session_state[keep]
    value = str(st.text_input(label, key=key, on_change=_keep_value, args=(key, keep), **kwargs)).strip()
    st.session_state[keep] = value
    return value


def _keep_value(key: str, keep: str) -> None:
    st.session_state[keep] = st.session_state.get(key, "")
