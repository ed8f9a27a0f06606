"""Sign-in and roles (issue #13 row 3): with auth on, a request without an accepted identity sees no
data; a viewer cannot start a run; who rated is the signed-in account; `workbench ui` binds 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.cli.app import streamlit_command
from workbench.store.models import Rating
from workbench.ui import access, auth
from workbench.ui.auth import Role

from .conftest import APP, ROOT, UIEnv

ROLES = """[roles]
default = "viewer"
"rita@example.com" = "rater"
"rune@example.com" = "runner"
"*@contractor.example" = "none"
"""


@pytest.fixture
def roles_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES)
    monkeypatch.setenv(auth.ROLES_ENV, str(path))
    return path


def app_as(user: dict[str, object] | None, page: str = "overview", run_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = "en"
    if run_id is not None:
        at.session_state["run_id"] = run_id
    if user is not None:
        at.user = user
    at.run()
    if page != "overview":
        at.switch_page(f"workbench/ui/pages/{page}.py").run()
    return at


def _has(at: AppTest, key: str) -> bool:
    return any(getattr(b, "key", None) == key for b in at.button)


def shown_text(at: AppTest) -> str:
    parts = [str(e.value) for e in (*at.title, *at.markdown, *at.error, *at.warning, *at.info, *at.caption)]
    return "\n".join(parts)


def logged_in(email: str) -> dict[str, object]:
    return {"is_logged_in": True, "email": email, "sub": email}


# -- rules -----------------------------------------------------------------------------------------


def test_roles_file_rules(roles_file: Path) -> None:
    roles = auth.load_roles()
    who = lambda name: auth.identify("oidc", logged_in(name), None, roles)  # noqa: E731
    assert who("rune@example.com") == auth.Identity("rune@example.com", Role.RUNNER, True, "oidc")
    assert who("RITA@example.com").role == Role.RATER  # e-mail case does not matter
    assert who("someone@example.com").role == Role.VIEWER  # the default
    assert who("x@contractor.example") is None  # "none": refused
    assert auth.identify("oidc", {"is_logged_in": False}, None, roles) is None
    assert auth.identify("oidc", None, None, roles) is None
    assert auth.identify("proxy", None, {"x-forwarded-email": "rune@example.com"}, roles).role == Role.RUNNER
    assert auth.identify("proxy", None, {}, roles) is None
    local = auth.identify("none", None, None, roles)
    assert local is not None and local.role == Role.RUNNER and not local.verified


def test_bad_roles_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "roles.toml"
    bad.write_text('[roles]\n"a@b.c" = "admin"\n')
    with pytest.raises(auth.AuthConfigError) as info:
        auth.load_roles(bad)
    assert str(bad) in str(info.value) and "viewer, rater, runner" in str(info.value)


# -- the app with auth on --------------------------------------------------------------------------


def test_unauthenticated_request_sees_no_data(ui_env: UIEnv, roles_file: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    at = app_as({"is_logged_in": False})
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to Prompt Workbench"]
    assert _has(at, "auth_login")
    assert not at.dataframe and not at.metric and not at.selectbox  # no runs, no picker, no numbers
    assert "vacancy-tone-nl" not in shown_text(at)


def test_proxy_mode_without_the_header_is_refused(ui_env: UIEnv, roles_file: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "proxy")
    monkeypatch.setattr(access, "request_headers", lambda: {"Host": "workbench"})
    at = app_as(None)
    assert "No signed-in user was passed on by the login proxy (header X-Forwarded-Email)" in shown_text(at)
    assert not at.dataframe and not at.metric
    monkeypatch.setattr(access, "request_headers", lambda: {"X-Forwarded-Email": "rune@example.com"})
    at = app_as(None)
    assert "Signed in as **rune@example.com** · runner" in shown_text(at)
    assert at.dataframe  # the overview's run table


def test_a_signed_in_user_without_a_role_is_refused(ui_env: UIEnv, roles_file: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    at = app_as(logged_in("x@contractor.example"))
    assert "has no access to this workbench" in shown_text(at)
    assert not at.dataframe and not at.metric


def test_viewer_cannot_start_a_run(ui_env: UIEnv, roles_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    at = app_as(logged_in("someone@example.com"))
    assert "Signed in as **someone@example.com** · viewer" in shown_text(at)
    assert at.dataframe  # a viewer reads results
    # The Run page is not in a viewer's navigation, and refuses when reached anyway.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("workbench/ui/pages/run.py")
    at = AppTest.from_file(str(ROOT / "workbench/ui/pages/run.py"), default_timeout=30)
    at.session_state["lang"] = "en"
    at.session_state[access.IDENTITY_KEY] = auth.Identity("someone@example.com", Role.VIEWER, True, "oidc")
    at.run()
    assert not at.exception
    assert not _has(at, "run_start")
    assert "Your role (viewer) may not do this: it needs the runner role." in shown_text(at)


def test_runner_can_start_a_run(ui_env: UIEnv, roles_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    at = AppTest.from_file(str(ROOT / "workbench/ui/pages/run.py"), default_timeout=30)
    at.session_state["lang"] = "en"
    at.session_state[access.IDENTITY_KEY] = auth.Identity("rune@example.com", Role.RUNNER, True, "oidc")
    at.run()
    assert not at.exception and _has(at, "run_start")


def test_ratings_record_the_signed_in_rater(ui_env: UIEnv, roles_file: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    run_id = ui_env.runs["vacancy-tone-nl"]
    at = app_as(logged_in("rita@example.com"), "review", run_id=run_id)
    assert not at.exception
    assert "You rate as **rita@example.com**." in shown_text(at)
    assert not any(getattr(w, "key", None) == "rater" for w in at.text_input)  # no typed name
    next(b for b in at.button if str(b.key).startswith("rate_a_")).click().run()  # keyed per pair on screen
    with ui_env.store().session() as session:
        ratings = list(session.scalars(select(Rating)))
    assert [(r.rater, r.rater_verified) for r in ratings] == [("rita@example.com", True)]


def test_viewer_cannot_rate(ui_env: UIEnv, roles_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.AUTH_ENV, "oidc")
    at = app_as(logged_in("someone@example.com"), "review", run_id=ui_env.runs["vacancy-tone-nl"])
    assert not at.exception and not any(str(getattr(b, "key", "")).startswith("rate_") for b in at.button)
    assert "needs the rater role" in shown_text(at)


# -- bind address and telemetry ----------------------------------------------------------------------


def test_ui_command_binds_loopback_without_usage_stats(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(subprocess, "call", lambda args, env=None: seen.append(list(args)) or 0)
    result = CliRunner().invoke(app, ["ui", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0, result.output
    args = seen[0]
    assert args[args.index("--server.address") + 1] == "127.0.0.1"
    assert args[args.index("--browser.gatherUsageStats") + 1] == "false"
    assert args[args.index("--browser.serverAddress") + 1] == "127.0.0.1"  # no external-IP lookup
    wide = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0", "--db", str(tmp_path / "x.db")])
    assert "without sign-in" in wide.output
    refused = CliRunner().invoke(app, ["ui", "--auth", "oidc", "--db", str(tmp_path / "x.db")])
    assert refused.exit_code == 2 and "needs a roles file" in refused.output


def test_oidc_without_secrets_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               roles_file: Path) -> None:
    import importlib.util

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(subprocess, "call", lambda args, env=None: 0)
    has_authlib = importlib.util.find_spec("authlib") is not None
    result = CliRunner().invoke(app, ["ui", "--auth", "oidc", "--roles", str(roles_file), "--db", "x.db"])
    assert result.exit_code == 2
    expected = "redirect_uri, cookie_secret, client_id" if has_authlib else "needs Authlib"
    assert expected in result.output.replace("\n", ""), result.output
    if has_authlib:
        (tmp_path / ".streamlit").mkdir()
        (tmp_path / ".streamlit" / "secrets.toml").write_text(
            '[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "x"\n'
            'client_id = "id"\nclient_secret = "s"\n'
            'server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"\n')
        ok = CliRunner().invoke(app, ["ui", "--auth", "oidc", "--roles", str(roles_file), "--db", "x.db"])
        assert ok.exit_code == 0, ok.output


def _listening(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net/tcp")
def test_ui_server_listens_on_loopback_only(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        streamlit_command(APP, port, "127.0.0.1"), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=dict(os.environ, WORKBENCH_DB_URL=f"sqlite:///{tmp_path / 'x.db'}"), text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not _listening(port) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert _listening(port) == {"0100007F"}, _listening(port)  # 127.0.0.1, nothing else
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "External URL" not in out and "Network URL" not in out, out
    assert sys.executable
