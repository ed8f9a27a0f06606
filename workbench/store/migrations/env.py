"""Alembic environment: runs on the connection handed over by `workbench.store.db`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from workbench.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    # `alembic -x url=...` from the command line, for developers writing new migrations.
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///workbench.db")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
