"""Check a text: paste a vacancy text, see coded wording highlighted with reasons and alternatives."""

from __future__ import annotations

import streamlit as st

from workbench.scoring.bias_lint import MODES
from workbench.scoring.highlight import highlight
from workbench.scoring.lint_text import LANGUAGES, lint_text
from workbench.ui.components import legend
from workbench.ui.flag_panel import explanation_table
from workbench.ui.i18n import flag_name, lang, t
from workbench.ui.navigation import PageInfo

PAGE = PageInfo("build", 40, ":material/spellcheck:", "Check a text", "Tekst controleren")

MAX_CHARS = 50_000


def render() -> None:
    st.title(t("check_title"))
    st.caption(t("check_intro"))
    if "check_lang" not in st.session_state:
        st.session_state["check_lang"] = lang()
    cols = st.columns([1, 2])
    language = cols[0].segmented_control(t("check_language"), LANGUAGES, key="check_lang", required=True,
                                         format_func=str.upper)
    mode = cols[1].segmented_control(t("check_mode"), MODES, key="check_mode", default="precise", required=True,
                                     format_func=lambda m: t(f"check_mode_{m}"))
    text = st.text_area(t("check_text_label"), key="check_text", height=260, max_chars=MAX_CHARS,
                        placeholder=t("check_text_placeholder"))
    st.button(t("check_button"), type="primary", key="check_go")
    if not text.strip():
        st.info(t("check_empty"), icon=":material/edit_note:")
        return
    result = lint_text(text, str(language or "en"), str(mode or "precise"))
    st.markdown(t("check_verdict", verdict=t(f"verdict_{result.verdict}"), m=result.masculine, f=result.feminine,
                  n=result.words))
    if result.provisional:
        st.caption(t("check_provisional"))
    raised = [flag_name(f"{name}.flagged") for name, on in result.flagged.items() if on]
    if raised:
        st.warning(t("check_flags_raised", names=", ".join(raised)), icon=":material/flag:")
    legend()
    st.html(f'<div class="wb-card"><div class="wb-text">{highlight(text, result.spans, "html", lang())}</div></div>')
    if result.spans:
        st.dataframe(explanation_table(list(result.spans)), hide_index=True)
    else:
        st.success(t("check_no_spans"))
    if result.excluded:
        with st.expander(t("check_not_counted", n=len(result.excluded))):
            for e in result.excluded:
                st.markdown(f"**{e['text']}** — {e['reason']}")


if __name__ == "__main__":
    render()
