"""Who is using the UI and what they may do.

Modes (`workbench ui --auth MODE`, or $WORKBENCH_UI_AUTH):

* `none` (default): one local user on 127.0.0.1. They are the machine's account (`local:<user>`) with
  every right; a reviewer types a name, recorded as unverified.
* `oidc`: Streamlit's built-in OpenID Connect login (`st.login`), configured in
  `.streamlit/secrets.toml` (Microsoft Entra ID, Google, Keycloak, … — see README "Running it for a
  team"). The identity is the token's e-mail (else its subject).
* `proxy`: a trusted reverse proxy (oauth2-proxy, Azure App Service auth, …) authenticates and passes
  the user in a header ($WORKBENCH_UI_PROXY_HEADER, default `X-Forwarded-Email`). Only safe when nothing
  but the proxy can reach the server (bind 127.0.0.1 or a private network).

Roles come from a TOML file ($WORKBENCH_UI_ROLES / `--roles`): `viewer` reads, `rater` also rates in
blind review, `runner` also edits prompts/datasets and starts runs (spending the server's API keys).
With auth on, a user not listed gets the file's `default` role ("none" refuses them; the default).
"""

from __future__ import annotations

import fnmatch
import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError

AUTH_ENV = "WORKBENCH_UI_AUTH"
ROLES_ENV = "WORKBENCH_UI_ROLES"
PROXY_HEADER_ENV = "WORKBENCH_UI_PROXY_HEADER"
OIDC_PROVIDER_ENV = "WORKBENCH_UI_OIDC_PROVIDER"
DEFAULT_PROXY_HEADER = "X-Forwarded-Email"
MODES = ("none", "oidc", "proxy")


class Role(StrEnum):
    VIEWER = "viewer"
    RATER = "rater"
    RUNNER = "runner"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


@dataclass(frozen=True)
class Identity:
    name: str  # e-mail / user id (auth on) or local:<account>
    role: Role
    verified: bool  # established by a login or the proxy, not typed in
    method: str  # none | oidc | proxy

    def can(self, role: Role) -> bool:
        return self.role.rank >= role.rank


class AuthConfigError(WorkbenchError):
    """The auth mode or roles file is unusable."""


@dataclass(frozen=True)
class RolesFile:
    default: Role | None  # for users not listed; None refuses them
    users: dict[str, Role | None]  # exact e-mail / id or a glob like "*@example.com" -> role (None: refused)

    def role_for(self, name: str) -> Role | None:
        key = name.strip().lower()
        if key in self.users:
            return self.users[key]
        for pattern, role in self.users.items():
            if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(key, pattern):
                return role
        return self.default


def mode() -> str:
    value = (os.environ.get(AUTH_ENV) or "none").strip().lower()
    if value not in MODES:
        raise AuthConfigError(f"unknown auth mode {value!r}; use one of {', '.join(MODES)}", field=AUTH_ENV)
    return value


def _role(value: Any, where: str, path: Path) -> Role | None:
    text = str(value).strip().lower()
    if text == "none":
        return None
    try:
        return Role(text)
    except ValueError:
        raise AuthConfigError(
            f"role {value!r} is not one of viewer, rater, runner (or none)", file=path, field=where
        ) from None


def load_roles(path: str | Path | None = None) -> RolesFile:
    """The roles file: `[roles]` with `default = "viewer"` and `"alice@example.com" = "runner"` lines."""
    raw = path or os.environ.get(ROLES_ENV)
    if not raw:
        return RolesFile(default=None, users={})
    file = Path(raw)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthConfigError("roles file not found", file=file, field=ROLES_ENV) from None
    except tomllib.TOMLDecodeError as exc:
        raise AuthConfigError(f"not valid TOML: {exc}", file=file) from None
    table = data.get("roles")
    if not isinstance(table, dict):
        raise AuthConfigError('needs a [roles] table, e.g. default = "viewer"', file=file, field="roles")
    default = _role(table.get("default", "none"), "roles.default", file)
    users = {str(k).strip().lower(): _role(v, f"roles.{k}", file) for k, v in table.items() if k != "default"}
    return RolesFile(default=default, users=users)


def local_identity() -> Identity:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid{os.getuid()}"
    return Identity(f"local:{user}", Role.RUNNER, verified=False, method="none")


def identify(method: str, user: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
             roles: RolesFile) -> Identity | None:
    """The identity for one request, or None when it is not authenticated / has no role.

    `user` is what `st.user` holds (OIDC claims), `headers` the request headers (proxy mode).
    """
    if method == "none":
        return local_identity()
    name = ""
    if method == "oidc":
        if not user or not user.get("is_logged_in"):
            return None
        name = str(user.get("email") or user.get("preferred_username") or user.get("sub") or "")
    elif method == "proxy":
        header = os.environ.get(PROXY_HEADER_ENV) or DEFAULT_PROXY_HEADER
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        name = str(lowered.get(header.lower(), ""))
    name = name.strip()[:200]
    if not name:
        return None
    role = roles.role_for(name)
    if role is None:
        return None
    return Identity(name, role, verified=True, method=method)


def secrets_files() -> list[Path]:
    """Where Streamlit reads secrets: ~/.streamlit/secrets.toml, then .streamlit/secrets.toml here."""
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def check_oidc_setup() -> None:
    """Fail early (one line) when `--auth oidc` cannot work: Authlib missing or no usable [auth] secrets."""
    import importlib.util

    if importlib.util.find_spec("authlib") is None:
        raise AuthConfigError("--auth oidc needs Authlib: pip install -e '.[auth]'", field="--auth")
    merged: dict[str, Any] = {}
    for file in secrets_files():
        if file.exists():
            try:
                merged |= tomllib.loads(file.read_text(encoding="utf-8")).get("auth", {}) or {}
            except tomllib.TOMLDecodeError as exc:
                raise AuthConfigError(f"not valid TOML: {exc}", file=file) from None
    where = str(Path.cwd() / ".streamlit" / "secrets.toml")
    missing = [key for key in ("redirect_uri", "cookie_secret") if not merged.get(key)]
    provider = os.environ.get(OIDC_PROVIDER_ENV)
    section = merged.get(provider, {}) if provider else merged
    missing += [key for key in ("client_id", "client_secret", "server_metadata_url")
                if not isinstance(section, dict) or not section.get(key)]
    if missing:
        table = f"[auth.{provider}]" if provider else "[auth]"
        raise AuthConfigError(f"--auth oidc needs {', '.join(missing)} in {table} (see README "
                              "'Running it for a team')", file=where)
