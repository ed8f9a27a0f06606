"""The multipage app: navigation, sidebar (language, database, shared run picker), error boundary."""

from __future__ import annotations

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.store.db import StoreFailure, describe
from workbench.store.run_choices import run_choices
from workbench.ui import access, config
from workbench.ui.auth import Identity
from workbench.ui.components import inject_css
from workbench.ui.config import page_path
from workbench.ui.i18n import LANG_KEY, LANGUAGES, default_language, t
from workbench.ui.navigation import pages
from workbench.ui.state import RUN_KEY, one_line, store_or_error


def _home() -> None:
    """The root URL shows the overview (the visible Overview page lives at /overview, so that works too)."""
    from workbench.ui.pages import overview

    overview.render()


def _pages(identity: Identity) -> dict[str, list[st.Page]]:
    """The navigation: every page file's own `PAGE` declaration (workbench/ui/navigation.py), by section."""
    language = str(st.session_state.get(LANG_KEY, "en"))
    declared = pages()
    home = declared["overview"]
    sections: dict[str, list[st.Page]] = {t("nav_section_results"): [
        st.Page(_home, title=home.title(language), icon=home.icon, url_path="home", default=True,
                visibility="hidden"),
    ]}
    for name, info in declared.items():
        if info.role is not None and not identity.can(info.role):  # e.g. writing files and spending API keys
            continue
        section = sections.setdefault(t(f"nav_section_{info.section}"), [])
        section.append(st.Page(page_path(name), title=info.title(language), icon=info.icon, url_path=name))
    return sections


def _run_label(run: dict[str, object]) -> str:
    sim = " · SIMULATED" if run["simulated"] else ""
    return f"#{run['id']} · {run['experiment']} · {t('status_' + str(run['status']))}{sim}"


def sidebar() -> None:
    with st.sidebar:
        if LANG_KEY not in st.session_state:
            st.session_state[LANG_KEY] = default_language()
        st.segmented_control(t("language"), LANGUAGES, key=LANG_KEY, required=True,
                             format_func=lambda code: code.upper())
        url = config.db_url()
        store, error = store_or_error()
        if store is None:
            st.error(t("db_error", error=error))
            return
        with store.session() as session:
            runs = run_choices(session)  # labels only: no aggregates over every output on each rerun
        if not runs:
            st.caption(t("no_runs_sidebar"))
        else:
            labels = {int(r["id"]): _run_label(r) for r in runs}
            pending = st.session_state.pop("_pending_run", None)
            if pending in labels:
                st.session_state[RUN_KEY] = pending
            if st.session_state.get(RUN_KEY) not in labels:
                st.session_state[RUN_KEY] = next(iter(labels))
            st.selectbox(t("run_picker"), list(labels), key=RUN_KEY, format_func=labels.__getitem__,
                         help=t("run_picker_help"), on_change=_run_to_url)
            _run_to_url()
        st.caption(t("database", url=describe(url)))
        access.sidebar_badge()


def _run_to_url() -> None:
    """Keep `?run=<id>` in the address bar, so a page can be bookmarked or shared with its run."""
    run = st.session_state.get(RUN_KEY)
    if run is not None and st.query_params.get("run") != str(run):
        st.query_params["run"] = str(run)


def apply_url_choices() -> None:
    """`?lang=nl` and `?run=3` in a direct link choose the language and the run (once per session start)."""
    wanted_lang = str(st.query_params.get("lang", "")).lower()
    if wanted_lang in LANGUAGES and st.session_state.get("_url_lang") != wanted_lang:
        st.session_state[LANG_KEY] = st.session_state["_url_lang"] = wanted_lang
    run = str(st.query_params.get("run", ""))
    if run.isdigit() and st.session_state.get("_url_run") != run:
        st.session_state["_url_run"] = run
        st.session_state["_pending_run"] = int(run)


def warm_imports() -> None:
    """Import the heavy libraries (Altair, SciPy via the charts and statistics) with the first page of
    the server process, so a later click on Compare or Bias does not pay ~1.5 s for them."""
    import workbench.report.charts
    import workbench.ui.run_stats  # noqa: F401


def main() -> None:
    st.set_page_config(page_title="Prompt Workbench", page_icon="🧪", layout="wide")
    warm_imports()
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = default_language()
    apply_url_choices()
    inject_css()
    try:
        identity = access.gate()  # with auth on: nothing below runs for a request without an accepted user
    except WorkbenchError as exc:  # a broken roles file or auth mode: one line, and nothing else shown
        st.error(one_line(exc), icon=":material/error:")
        st.stop()
        return
    page = st.navigation(_pages(identity))
    try:
        sidebar()
        page.run()
    except (WorkbenchError, StoreFailure, OSError) as exc:
        # A broken database or a bad file is the user's to fix: one clear line, never a traceback.
        st.error(one_line(exc), icon=":material/error:")
