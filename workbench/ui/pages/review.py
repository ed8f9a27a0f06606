"""Review: recruiters rate two outputs for the same case blind (A / B / tie), with keyboard shortcuts.

Shortcuts use Streamlit's own `st.button(shortcut=...)` (1.67): A = left is better, B = right is
better, T = tie ("gelijk"), N = next pair without rating. They are ignored while typing in a text field.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.stats import PreferenceAnalysis
from workbench.ui import access
from workbench.ui.analysis import cached_preferences
from workbench.ui.auth import Role
from workbench.ui.components import output_card, pct
from workbench.ui.i18n import t
from workbench.ui.queries import (
    Pair,
    RunHeader,
    case_data,
    case_title,
    output_texts,
    rated_pairs,
    ratings_count,
    review_pairs,
    save_rating,
)
from workbench.ui.run_view import run_page
from workbench.ui.state import query, session

RATER_KEY = "rater"
SKIPPED_KEY = "review_skipped"
LAST_KEY = "review_last"


@st.cache_data(show_spinner=False, max_entries=16)
def _pairs(url: str, run_id: int, baseline: str, n_outputs: int) -> list[Pair]:
    del url, n_outputs  # cache key only
    return query(review_pairs, run_id, baseline)


def _rate(run_id: int, pair: Pair, left_is_a: bool, choice: str) -> None:
    """Button callback: store the rating before the rerun renders the next pair."""
    winner = "tie" if choice == "tie" else ("a" if (choice == "left") == left_is_a else "b")
    comment = str(st.session_state.get(f"comment_{pair.output_a}_{pair.output_b}", "")).strip()
    identity = access.current()
    if not identity.can(Role.RATER):
        return
    rater = identity.name if identity.verified else str(st.session_state.get(RATER_KEY, "")).strip()
    with session() as s:
        save_rating(s, run_id, pair, left="a" if left_is_a else "b", winner=winner, rater=rater, comment=comment,
                    verified=identity.verified)
    left, right = (pair.variant_a, pair.variant_b) if left_is_a else (pair.variant_b, pair.variant_a)
    st.session_state[LAST_KEY] = {"case": pair.case, "left": left, "right": right, "choice": choice,
                                  "toast": True}


def _skip(pair: Pair) -> None:
    st.session_state.setdefault(SKIPPED_KEY, set()).add((pair.output_a, pair.output_b))


def rating_panel(run_id: int, pair: Pair) -> None:
    left_is_a = pair.left_is_a(run_id)
    ids = (pair.output_a, pair.output_b) if left_is_a else (pair.output_b, pair.output_a)
    texts = query(output_texts, ids)
    data = query(case_data, pair.case_id)
    st.markdown(f"#### {t('case')}: {pair.case}" + (f" · {case_title(data)}" if case_title(data) else ""))
    with st.expander(t("case_data")):
        st.json(data, expanded=True)
    cards = st.columns(2)
    for col, label, oid in zip(cards, ("A", "B"), ids, strict=True):
        with col:
            text, simulated, truncated = texts.get(oid, ("", False, False))
            meta = f"{pair.model} · {len(text.split())} {t('words')}" + (f" · ✂ {t('cut_off')}" if truncated else "")
            output_card(t("text_label", label=label), text, [], simulated=simulated, meta=meta)
    st.text_input(t("comment"), key=f"comment_{pair.output_a}_{pair.output_b}", placeholder=t("comment_hint"))
    buttons = st.columns(4)
    buttons[0].button(t("left_better"), key="rate_a", shortcut="A", on_click=_rate,
                      args=(run_id, pair, left_is_a, "left"), type="primary", width="stretch")
    buttons[1].button(t("tie"), key="rate_tie", shortcut="T", on_click=_rate, args=(run_id, pair, left_is_a, "tie"),
                      width="stretch")
    buttons[2].button(t("right_better"), key="rate_b", shortcut="B", on_click=_rate,
                      args=(run_id, pair, left_is_a, "right"), type="primary", width="stretch")
    buttons[3].button(t("skip"), key="rate_skip", shortcut="N", on_click=_skip, args=(pair,), width="stretch")
    st.caption(t("shortcuts_help"))


def reveal_last() -> None:
    last = st.session_state.get(LAST_KEY)
    if not last:
        return
    if last.pop("toast", False):
        st.toast(t("rating_saved"), icon=":material/check_circle:")
    with st.expander(t("reveal_title", case=last["case"])):
        st.markdown(t("reveal_body", left=last["left"], right=last["right"], choice=t(f"choice_{last['choice']}")))


def preference_summary(prefs: PreferenceAnalysis | None, n_ratings: int) -> None:
    st.subheader(t("preferences_title"))
    if prefs is None:
        st.info(t("no_ratings_yet"))
        return
    st.caption(t("preferences_caption", n=n_ratings))
    rows = [{
        t("col_variant"): p.variant_x, t("col_versus"): p.variant_y, t("col_ratings"): p.n_ratings,
        t("col_wins"): f"{p.cases_x} / {p.cases_y} / {p.cases_tied}", t("col_win_rate"): pct(p.win_rate, 0),
        t("col_ci"): f"{pct(p.ci_low, 0)} … {pct(p.ci_high, 0)}",
        t("col_p_adj"): "–" if p.p_adjusted is None else f"{p.p_adjusted:.3f}",
        t("col_verdict"): t("descriptive_only") if p.descriptive_only
        else t("significant") if p.significant else t("not_significant"),
    } for p in prefs.pairs]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    for pair in prefs.pairs:
        st.markdown(f"- {pair.sentence()}")
    st.markdown(f"- {prefs.position_bias.sentence()}")
    if prefs.bradley_terry is not None:
        with st.expander(t("bradley_terry")):
            st.dataframe(prefs.bradley_terry.to_frame(), hide_index=True)


def render() -> None:
    page = run_page("review_title", show_baseline=False)
    if page is None:
        return
    url, header = page
    st.caption(t("review_intro"))
    identity = access.current()
    rater = ""
    if identity.verified:  # signed in: ratings are recorded under the account, never a typed name
        st.caption(t("auth_rating_as", name=identity.name))
        rater = identity.name
    elif identity.can(Role.RATER):
        rater = st.text_input(t("rater_name"), key=RATER_KEY, placeholder=t("rater_placeholder"), width=320).strip()
    pairs = _pairs(url, header.run_id, header.baseline, header.outputs)
    if not pairs:
        st.info(t("no_pairs"))
        return
    if not access.allowed(Role.RATER):
        pass  # viewers see the preference summary below, not the rating panel
    elif rater:
        review_queue(header, pairs, rater)
    else:
        st.info(t("enter_name"), icon=":material/person:")
    n_ratings = query(ratings_count, header.run_id)
    preference_summary(cached_preferences(url, header.run_id, n_ratings, header.baseline, header.spec.alpha),
                       n_ratings)


def review_queue(header: RunHeader, pairs: list[Pair], rater: str) -> None:
    done = query(rated_pairs, header.run_id, rater)
    skipped = st.session_state.get(SKIPPED_KEY, set())
    rated = sum((p.output_a, p.output_b) in done for p in pairs)
    st.progress(rated / len(pairs), text=t("rated_n_of_m", n=rated, m=len(pairs)))
    reveal_last()
    remaining = [p for p in pairs if (p.output_a, p.output_b) not in done]
    if not remaining:
        st.success(t("all_rated"), icon=":material/celebration:")
        return
    todo = [p for p in remaining if (p.output_a, p.output_b) not in skipped]
    if not todo:  # every remaining pair was skipped: start the round again
        st.session_state[SKIPPED_KEY] = set()
        todo = remaining
    rating_panel(header.run_id, todo[0])


if __name__ == "__main__":
    render()
