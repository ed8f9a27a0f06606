"""Sign-in and role checks on every page (the rules are in workbench.ui.auth; this applies them).

`gate()` runs first on every script run: with auth on, a request without an accepted identity sees
only the sign-in (or refusal) page — no database, no run list, no data. Pages then ask `allowed(role)`
before anything a role does not cover (starting runs, editing prompts, rating).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.ui import auth
from workbench.ui.auth import Identity, Role
from workbench.ui.i18n import t

IDENTITY_KEY = "_wb_identity"


@st.cache_resource(show_spinner=False)
def _roles(path: str, mtime: float) -> auth.RolesFile:
    del mtime  # part of the key: an edited roles file applies at the next click
    return auth.load_roles(path or None)


def roles() -> auth.RolesFile:
    path = os.environ.get(auth.ROLES_ENV, "")
    mtime = Path(path).stat().st_mtime if path and Path(path).exists() else 0.0
    return _roles(path, mtime)


def _user_claims() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no auth section / no script context
        return {}


def request_headers() -> dict[str, str]:
    try:
        return {k: v for k, v in st.context.headers.items()}
    except Exception:
        return {}


def gate() -> Identity:
    """The signed-in identity, or a sign-in/refusal page and the end of this script run."""
    method = auth.mode()
    user = _user_claims() if method == "oidc" else None
    headers = request_headers() if method == "proxy" else None
    identity = auth.identify(method, user, headers, roles())
    if identity is None:
        _refuse(method, user)
        st.stop()
    assert identity is not None
    st.session_state[IDENTITY_KEY] = identity
    return identity


def _refuse(method: str, user: dict[str, Any] | None) -> None:
    st.title(t("auth_login_title"))
    if method == "proxy":
        header = os.environ.get(auth.PROXY_HEADER_ENV) or auth.DEFAULT_PROXY_HEADER
        st.error(t("auth_no_proxy_user", header=header), icon=":material/lock:")
        return
    if user and user.get("is_logged_in"):  # signed in, but not in the roles file
        name = str(user.get("email") or user.get("sub") or "?")
        st.error(t("auth_no_role", name=name), icon=":material/lock:")
        if st.button(t("auth_logout"), key="auth_logout_refused"):
            st.logout()
        return
    st.write(t("auth_login_body"))
    if st.button(t("auth_login_button"), type="primary", key="auth_login", icon=":material/login:"):
        st.login(os.environ.get(auth.OIDC_PROVIDER_ENV) or None)


def current() -> Identity:
    """The identity `gate()` accepted for this session (the local user when auth is off)."""
    found = st.session_state.get(IDENTITY_KEY)
    return found if isinstance(found, Identity) else auth.local_identity()


def started_by() -> str:
    """What a run started from this session records as its starter ("" = the server's OS account)."""
    identity = current()
    return identity.name if identity.verified else ""


def allowed(role: Role) -> bool:
    """Whether the current user has `role`; if not, says so on the page."""
    identity = current()
    if identity.can(role):
        return True
    st.warning(t("auth_needs_role", role=t(f"role_{identity.role}"), needed=t(f"role_{role}")),
               icon=":material/lock:")
    return False


def sidebar_badge() -> None:
    identity = current()
    if identity.method == "none":
        st.caption(t("auth_local_user", name=identity.name))
        return
    st.caption(t("auth_signed_in", name=identity.name, role=t(f"role_{identity.role}")))
    if identity.method == "oidc" and st.button(t("auth_logout"), key="auth_logout", icon=":material/logout:"):
        st.logout()
