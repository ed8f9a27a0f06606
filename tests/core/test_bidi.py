"""workbench.bidi: every control character is shown, never obeyed, and `restore` undoes `neutralise`."""

from __future__ import annotations

from workbench.bidi import BIDI_CONTROLS, has_bidi_controls, neutralise, neutralise_data, restore


def test_every_control_is_shown_and_restored() -> None:
    text = "a" + "b".join(BIDI_CONTROLS) + "z"
    shown = neutralise(text)
    assert not has_bidi_controls(shown)
    assert shown.count("[U+") == len(BIDI_CONTROLS)
    assert restore(shown) == text


def test_restore_leaves_other_bracketed_code_points_alone() -> None:
    assert restore("[U+0041] and [U+202E]") == "[U+0041] and \u202e"


def test_json_like_case_data_is_neutralised_in_keys_values_and_lists() -> None:
    data = {"job\u202e": ["x\u2067y", 3], "n": None, "ok": {"inner": "\u200fz"}}
    assert neutralise_data(data) == {"job[U+202E]": ["x[U+2067]y", 3], "n": None, "ok": {"inner": "[U+200F]z"}}
