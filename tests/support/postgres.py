"""Fresh PostgreSQL databases for tests when WORKBENCH_TEST_PG_URL points at a server (CI starts one)."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _admin_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def fresh_database(url: str) -> str:
    """Create an empty database on the server behind `url` and return its URL."""
    name = f"wb_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    engine = create_engine(_admin_url(parsed.set(database="postgres").render_as_string(hide_password=False)),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
