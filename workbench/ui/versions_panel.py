"""Compare: which prompt version each variant of the run used, and what changed since the version before."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.experiment.prompt_diff import version_diff
from workbench.store.versions import run_versions
from workbench.ui.i18n import t
from workbench.ui.state import query


def versions_panel(run_id: int) -> None:
    versions = query(run_versions, run_id)
    if not versions:
        return
    changed = [(used, previous) for used, previous in versions if previous is not None]
    with st.expander(t("versions_title") if changed else t("versions_title_unchanged"), expanded=bool(changed)):
        st.dataframe(pd.DataFrame([{
            t("col_variant"): used.key,
            t("col_version"): used.version,
            t("col_stored"): used.created_at.strftime("%Y-%m-%d %H:%M") if used.created_at else "–",
            t("col_hash"): used.template_hash,
            t("col_changed_since"): t("versions_since", n=previous.version) if previous else t("versions_first"),
        } for used, previous in versions]), hide_index=True)
        for used, previous in changed:
            st.caption(t("versions_diff", variant=used.key, old=previous.version, new=used.version))
            st.code("\n".join(version_diff(previous, used)), language="diff")
