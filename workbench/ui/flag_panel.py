"""Flag explanations and dismissals under an output card (Compare page).

Lists every wording flag of one output with its reason and alternatives in the UI language; a user
who gave their name can dismiss a flag as false (with a reason) or restore a dismissed one. The store
does the work (workbench/store/dismissals.py); analyses started after the change leave it out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.errors import WorkbenchError
from workbench.scoring.dismissal import SpanKey, span_key
from workbench.scoring.explain import explain
from workbench.scoring.matches import Match
from workbench.store.dismissals import ActiveDismissal, dismiss_flag, output_dismissals, restore_flag
from workbench.ui.i18n import lang, t
from workbench.ui.state import session

WHO_KEY = "rater"  # the same "Your name" as on the Review page


def explanation_table(matches: list[Match]) -> pd.DataFrame:
    """One row per flag: word, kind, why, instead, source (UI language)."""
    ui = lang()
    rows = []
    for m in matches:
        info = explain(m)
        rows.append({
            t("col_word"): m["text"], t("col_category"): t(f"category_{m['category']}"),
            t("col_reason"): info["reason"][ui], t("col_alternatives"): ", ".join(info["alternatives"]) or "–",
            t("col_source"): info["source_label"][ui], t("col_rule"): m["rule"],
        })
    return pd.DataFrame(rows)


def dismissed_spans(output_ids: list[int]) -> dict[int, dict[SpanKey, ActiveDismissal]]:
    with session() as s:
        return output_dismissals(s, output_ids)


def _dismiss(output_id: int, match: Match, key: str) -> None:
    who = str(st.session_state.get(WHO_KEY, "")).strip()
    why = str(st.session_state.get(key, "")).strip()
    if not who or not why:
        st.session_state[f"{key}_error"] = t("flag_need_name") if not who else t("flag_need_why")
        return
    try:
        with session() as s:
            dismiss_flag(s, output_id, match["start"], match["end"], match["rule"], who=who, why=why)
    except WorkbenchError as exc:
        st.session_state[f"{key}_error"] = str(exc)


def _restore(dismissal_id: int) -> None:
    who = str(st.session_state.get(WHO_KEY, "")).strip()
    with session() as s:
        restore_flag(s, dismissal_id, who=who or "anonymous")


def flag_panel(output_id: int, matches: list[Match], dismissed: dict[SpanKey, ActiveDismissal]) -> None:
    """Expander with every flag of one output: explanation, and dismiss/restore buttons."""
    if not matches:
        return
    with st.expander(t("flags_expander", n=len(matches))):
        ui = lang()
        for i, m in enumerate(matches):
            info = explain(m)
            row = dismissed.get(span_key(m))
            key = f"dismiss_{output_id}_{i}"
            word = f"~~{m['text']}~~" if row is not None else f"**{m['text']}**"
            st.markdown(f"{word} · {t('category_' + m['category'])} — {info['reason'][ui]}  \n"
                        f"{t('col_alternatives')}: {', '.join(info['alternatives']) or '–'} · "
                        f"{t('col_source')}: {info['source_label'][ui]}")
            if row is not None:
                cols = st.columns([4, 1], vertical_alignment="center")
                cols[0].caption(t("flag_dismissed_by", who=row.who, why=row.why))
                cols[1].button(t("flag_restore"), key=f"restore_{row.id}", on_click=_restore, args=(row.id,))
                continue
            cols = st.columns([4, 1], vertical_alignment="bottom")
            cols[0].text_input(t("flag_why"), key=key, placeholder=t("flag_why_placeholder"))
            cols[1].button(t("flag_dismiss"), key=f"{key}_btn", on_click=_dismiss, args=(output_id, m, key))
            error = st.session_state.pop(f"{key}_error", None)
            if error:
                st.error(error)
        st.caption(t("flag_rates_note"))
