"""Review: recruiters rate two outputs for the same case blind (A / B / tie), with keyboard shortcuts.

Shortcuts use Streamlit's own `st.button(shortcut=...)`: A = left is better, B = right is better,
T = tie ("gelijk"), N = next pair without rating, U = undo the last rating. They are ignored while
typing in a text field.

A rating is keyed to the pair on screen: every button's key and callback arguments name the pair it
was drawn for. A second press that arrives after the next pair was drawn on the server, but before the
browser showed it, belongs to a button that no longer exists and is ignored by Streamlit; a press on
a button that still exists stores nothing new (one rating per rater per pair, enforced by the
database). Results stay hidden until the rater has rated every pair or asks to see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from workbench import number_format as nf
from workbench.analysis.judge_agreement import JudgeAgreement
from workbench.bidi import neutralise, neutralise_data
from workbench.stats import PreferenceAnalysis
from workbench.store.frames import RunHeader
from workbench.store.queries import Pair, case_data, case_title, output_texts, rated_pairs, ratings_count, review_pairs
from workbench.store.repository import add_rating, delete_rating
from workbench.ui import access
from workbench.ui.auth import Role
from workbench.ui.components import output_card
from workbench.ui.i18n import lang, t
from workbench.ui.navigation import PageInfo
from workbench.ui.run_view import run_page
from workbench.ui.sentences import position_bias_sentence, preference_sentence
from workbench.ui.state import query, remembered_text_input, session
from workbench.ui.verdict_cache import cached_preferences

PAGE = PageInfo("results", 40, ":material/how_to_vote:", "Review", "Beoordelen")

RATER_KEY = "rater"
SKIPPED_KEY = "review_skipped"
UNDO_KEY = "review_undo"
REVEAL_KEY = "review_reveal"


@st.cache_resource(show_spinner=False, max_entries=16)
def _pairs(url: str, run_id: int, baseline: str, n_outputs: int) -> tuple[Pair, ...]:
    """Shared, never copied: cache_data would unpickle the queue (thousands of pairs) on every rating."""
    del url, n_outputs  # cache key only
    return tuple(query(review_pairs, run_id, baseline))


def pair_key(pair: Pair) -> str:
    return f"{pair.output_a}_{pair.output_b}"


def _undo_stack(run_id: int) -> list[dict[str, Any]]:
    stacks: dict[int, list[dict[str, Any]]] = st.session_state.setdefault(UNDO_KEY, {})
    return stacks.setdefault(run_id, [])


def _rate(run_id: int, pair: Pair, left_is_a: bool, choice: str, rater: str) -> None:
    """Button callback, bound to the pair the button was drawn for (never to "the current pair")."""
    winner = "tie" if choice == "tie" else ("a" if (choice == "left") == left_is_a else "b")
    comment = str(st.session_state.get(f"comment_{pair_key(pair)}", "")).strip()
    identity = access.current()
    if not identity.can(Role.RATER):
        return
    rater = identity.name if identity.verified else rater
    with session() as s:
        rating_id, created = add_rating(s, run_id=run_id, case_id=pair.case_id, output_a=pair.output_a,
                                        output_b=pair.output_b, left="a" if left_is_a else "b", winner=winner,
                                        rater=rater, comment=comment, verified=identity.verified)
    if created:
        _undo_stack(run_id).append({"id": rating_id, "pair": pair_key(pair), "case": pair.case, "choice": choice})
        st.toast(t("rating_saved"), icon=":material/check_circle:")


def _undo(run_id: int, entry: dict[str, Any], rater: str) -> None:
    identity = access.current()
    if not identity.can(Role.RATER):
        return
    with session() as s:
        delete_rating(s, int(entry["id"]), run_id=run_id, rater=identity.name if identity.verified else rater)
    stack = _undo_stack(run_id)
    if entry in stack:
        stack.remove(entry)
    st.session_state.get(SKIPPED_KEY, set()).discard(entry["pair"])
    st.toast(t("rating_undone", case=entry["case"]), icon=":material/undo:")


def _skip(pair: Pair) -> None:
    st.session_state.setdefault(SKIPPED_KEY, set()).add(pair_key(pair))


def rating_panel(run_id: int, pair: Pair, rater: str) -> None:
    left_is_a = pair.left_is_a(run_id)
    ids = (pair.output_a, pair.output_b) if left_is_a else (pair.output_b, pair.output_a)
    texts = query(output_texts, ids)
    data = query(case_data, pair.case_id)
    title = case_title(data)
    st.markdown(neutralise(f"#### {t('case')}: {pair.case}" + (f" · {title}" if title else "")))
    with st.expander(t("case_data")):
        st.json(neutralise_data(data), expanded=True)
    cards = st.columns(2)
    for col, label, oid in zip(cards, ("A", "B"), ids, strict=True):
        with col:
            text, simulated, truncated = texts.get(oid, ("", False, False))
            meta = f"{pair.model} · {nf.count(len(text.split()), lang())} {t('words')}" + (
                f" · ✂ {t('cut_off')}" if truncated else "")
            output_card(t("text_label", label=label), text, [], simulated=simulated, meta=meta)
    key = pair_key(pair)
    st.text_input(t("comment"), key=f"comment_{key}", placeholder=t("comment_hint"))
    buttons = st.columns(4)
    choices = (("rate_a", "left_better", "A", "left", "primary"), ("rate_tie", "tie", "T", "tie", "secondary"),
               ("rate_b", "right_better", "B", "right", "primary"))
    for col, (name, label, shortcut, choice, kind) in zip(buttons, choices, strict=False):
        col.button(t(label), key=f"{name}_{key}", shortcut=shortcut, on_click=_rate,
                   args=(run_id, pair, left_is_a, choice, rater), type=kind, width="stretch")  # type: ignore[arg-type]
    buttons[3].button(t("skip"), key=f"rate_skip_{key}", shortcut="N", on_click=_skip, args=(pair,), width="stretch")
    st.caption(t("shortcuts_help"))


def last_rating(run_id: int, rater: str) -> None:
    """What was just stored (without the prompt names: the review stays blind) and a way to undo it."""
    stack = _undo_stack(run_id)
    if not stack:
        return
    entry = stack[-1]
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].caption(t("last_saved", case=entry["case"], choice=t(f"choice_{entry['choice']}")))
    cols[1].button(t("undo"), key=f"undo_{entry['id']}", shortcut="U", on_click=_undo, args=(run_id, entry, rater),
                   icon=":material/undo:", width="stretch")


def preference_summary(prefs: PreferenceAnalysis | None, n_ratings: int, lang: str) -> None:
    if prefs is None:
        st.info(t("no_ratings_yet"))
        return
    st.caption(t("preferences_caption", n=n_ratings))
    rows = [{
        t("col_variant"): p.variant_x, t("col_versus"): p.variant_y, t("col_ratings"): p.n_ratings,
        t("col_wins"): f"{p.cases_x} / {p.cases_y} / {p.cases_tied}",
        t("col_win_rate"): nf.percent(p.win_rate, 0, lang=lang),
        t("col_ci"): f"{nf.percent(p.ci_low, 0, lang=lang)} … {nf.percent(p.ci_high, 0, lang=lang)}",
        t("col_p_adj"): nf.p_value(p.p_adjusted, lang),
        t("col_verdict"): t("descriptive_only") if p.descriptive_only
        else t("significant") if p.significant else t("not_significant"),
    } for p in prefs.pairs]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    for pair in prefs.pairs:
        st.markdown(f"- {preference_sentence(pair)}")
    st.markdown(f"- {position_bias_sentence(prefs.position_bias)}")
    if prefs.bradley_terry is not None:
        with st.expander(t("bradley_terry")):
            st.dataframe(prefs.bradley_terry.to_frame(), hide_index=True)


def results_section(url: str, header: RunHeader, *, finished: bool) -> None:
    """Preferences so far — only after the rater finished, or on an explicit reveal (blinding)."""
    st.subheader(t("preferences_title"))
    revealed: set[int] = st.session_state.setdefault(REVEAL_KEY, set())
    if not finished and header.run_id not in revealed:
        st.caption(t("results_hidden"))
        st.button(t("reveal_results"), key="reveal_results", icon=":material/visibility:",
                  on_click=revealed.add, args=(header.run_id,))
        return
    if header.run_id in revealed and not finished:
        st.button(t("hide_results"), key="hide_results", icon=":material/visibility_off:",
                  on_click=revealed.discard, args=(header.run_id,))
        st.caption(t("interim_look"))  # tests/calibration/test_preference_calibration.py: peeking
    n_ratings = query(ratings_count, header.run_id)
    preference_summary(cached_preferences(url, header.run_id, n_ratings, header.baseline, header.spec.alpha),
                       n_ratings, lang())
    if n_ratings:
        agreement_summary(url, header.run_id, n_ratings)


@st.cache_data(show_spinner=False, max_entries=16)
def _agreement(url: str, run_id: int, n_ratings: int) -> JudgeAgreement | None:
    from workbench.analysis.judge_agreement import run_judge_agreement
    from workbench.ui.state import require_store

    return run_judge_agreement(require_store(), run_id)


def agreement_summary(url: str, run_id: int, n_ratings: int) -> None:
    """The judge–recruiter agreement per rubric (workbench.analysis.judge_agreement), in the page's language."""
    st.subheader(t("agreement_title"))
    result = _agreement(url, run_id, n_ratings)
    if result is None or not result.rubrics:
        st.caption(t("agreement_none"))
        return
    for line in result.sentences(lang()):  # type: ignore[arg-type]
        st.markdown("- " + line)
    st.caption(t("agreement_caption"))


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
        rater = remembered_text_input(t("rater_name"), RATER_KEY, placeholder=t("rater_placeholder"), width=320)
    pairs = _pairs(url, header.run_id, header.baseline, header.outputs)
    if not pairs:
        st.info(t("no_pairs"))
        return
    finished = False
    revealed = header.run_id in st.session_state.get(REVEAL_KEY, set())
    if not access.allowed(Role.RATER):
        finished = True  # viewers do not rate: nothing to keep blind for them
    elif not rater:
        st.info(t("enter_name"), icon=":material/person:")
    else:
        finished = review_queue(header, pairs, rater, paused=revealed)
    results_section(url, header, finished=finished)


def review_queue(header: RunHeader, pairs: Sequence[Pair], rater: str, *, paused: bool) -> bool:
    """Progress, undo and the next pair; True once this rater has rated every pair."""
    done = query(rated_pairs, header.run_id, rater)
    skipped = st.session_state.get(SKIPPED_KEY, set())
    rated = sum((p.output_a, p.output_b) in done for p in pairs)
    st.progress(rated / len(pairs), text=t("rated_n_of_m", n=rated, m=len(pairs)))
    last_rating(header.run_id, rater)
    remaining = [p for p in pairs if (p.output_a, p.output_b) not in done]
    if not remaining:
        st.success(t("all_rated"), icon=":material/celebration:")
        return True
    if paused:
        st.info(t("rating_paused"), icon=":material/visibility:")
        return False
    todo = [p for p in remaining if pair_key(p) not in skipped]
    if not todo:  # every remaining pair was skipped: start the round again
        st.session_state[SKIPPED_KEY] = set()
        todo = remaining
    rating_panel(header.run_id, todo[0], rater)
    return False


if __name__ == "__main__":
    render()
