"""CONTRIBUTING.md "Add a page": one new file in workbench/ui/pages/ with a `PAGE` declaration, nothing else.
The test adds a toy page exactly that way (in a copy of the pages folder) and finds it in the navigation,
titled in both languages, and hidden from users without the role it declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from workbench.ui import auth, config, navigation

from .conftest import APP, UIEnv
from .test_auth import app_as, logged_in, roles_file  # noqa: F401 (roles_file: a fixture)

TOY = '''"""A toy page: one file, nothing registered anywhere else."""

import streamlit as st

from workbench.ui.auth import Role
from workbench.ui.navigation import PageInfo

PAGE = PageInfo("build", 99, ":material/star:", "Toy page", "Speelpagina", role=Role.RUNNER)


def render() -> None:
    st.title("Toy page rendered")


if __name__ == "__main__":
    render()
'''


@pytest.fixture
def pages_with_toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in config.PAGES_DIR.glob("*.py"):
        (folder / page.name).symlink_to(page)
    (folder / "toy.py").write_text(TOY, encoding="utf-8")
    monkeypatch.setattr(config, "PAGES_DIR", folder)
    return folder / "toy.py"


def test_a_new_page_file_is_all_it_takes(ui_env: UIEnv, pages_with_toy: Path) -> None:
    declared = navigation.pages()
    assert list(declared)[-1] == "toy", "ordered last: the build section, position 99"
    assert declared["toy"].title("en") == "Toy page" and declared["toy"].title("nl") == "Speelpagina"
    assert {"overview", "compare", "bias", "review", "history", "prompts", "datasets", "run", "check_text"} <= set(
        declared)
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    at.switch_page(str(pages_with_toy)).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Toy page rendered" in [e.value for e in at.title]


@pytest.mark.usefixtures("roles_file")
def test_a_page_is_hidden_from_users_without_its_role(
    ui_env: UIEnv, pages_with_toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    viewer = app_as(logged_in("someone@example.com"))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        viewer.switch_page(str(pages_with_toy))
    runner = app_as(logged_in("rune@example.com"))
    runner.switch_page(str(pages_with_toy)).run()
    assert "Toy page rendered" in [e.value for e in runner.title]
