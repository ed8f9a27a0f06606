"""Databases at the first schema revision (0001), filled the way that version of the workbench wrote them:
for the tests that old databases upgrade on open without losing anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alembic import command
from sqlalchemy import Connection, Engine, text

from workbench.store.db import _alembic_config, make_engine


@dataclass(frozen=True)
class OldOutput:
    id: int
    text: str
    request_hash: str
    repeat: int = 0
    cost_usd: float | None = None


def database_at_0001(url: str) -> Engine:
    """An engine on a database migrated to revision 0001 only (the caller disposes of it)."""
    engine = make_engine(url)
    cfg = _alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
    return engine


def insert_old_run(conn: Connection, outputs: Sequence[OldOutput]) -> None:
    """Experiment 1 with variant 1 and case 1, and its completed run 1 holding these outputs (model 'm')."""
    conn.execute(text("INSERT INTO experiments (id, name, spec_path, spec_hash, spec, created_at) "
                      "VALUES (1, 'old', 'x.yaml', 'h', '{}', CURRENT_TIMESTAMP)"))
    conn.execute(text("INSERT INTO variants (id, experiment_id, key, task, language, user_template, "
                      "template_hash) VALUES (1, 1, 'v', 'vacancy_text', 'en', 'u', 'h')"))
    conn.execute(text("INSERT INTO cases (id, experiment_id, key, data) VALUES (1, 1, 'c', '{}')"))
    conn.execute(text("INSERT INTO runs (id, experiment_id, status, total_calls, simulated, batch, settings, "
                      "started_at) VALUES (1, 1, 'completed', :n, false, false, '{}', CURRENT_TIMESTAMP)"),
                 {"n": len(outputs)})
    for output in outputs:
        conn.execute(text(
            "INSERT INTO outputs (id, run_id, variant_id, case_id, model, repeat, swap_name, swap_group, "
            "status, text, attempts, request_hash, input_tokens, output_tokens, latency_ms, cost_usd, cached, "
            "simulated, created_at) VALUES (:i, 1, 1, 1, 'm', :r, '', '', 'ok', :t, 1, :k, 1, 1, 1.0, :c, "
            "false, false, CURRENT_TIMESTAMP)"),
            {"i": output.id, "r": output.repeat, "t": output.text, "k": output.request_hash, "c": output.cost_usd})
