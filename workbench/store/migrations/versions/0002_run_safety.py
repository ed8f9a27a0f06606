"""run lock, heartbeat, who started it, spent cost; ratings by verified identity; cache refers to outputs

Revision ID: 0002_run_safety
Revises: 0001
Create Date: 2026-12-01 12:40:00

The response cache kept a second copy of every generated text (a third of a large database). Entries
now point at the output row that holds the text; existing copies are replaced by such a reference
where the output with the same request hash still has the same text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_run_safety"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("started_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("spent_usd", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("lost_calls", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("inflight_calls", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rater_verified", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("response_cache", schema=None) as batch_op:
        batch_op.add_column(sa.Column("output_id", sa.Integer(), nullable=True))
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=True)
        batch_op.create_foreign_key(
            "fk_response_cache_output_id_outputs", "outputs", ["output_id"], ["id"], ondelete="SET NULL"
        )
    # Money already spent on stored runs: what their outputs cost (the best figure an old run has).
    op.execute(
        "UPDATE runs SET spent_usd = COALESCE((SELECT SUM(COALESCE(o.cost_usd, 0)) FROM outputs o "
        "WHERE o.run_id = runs.id AND o.cached = false), 0)"
    )
    # One copy of each text: point the cache entry at the (oldest) output holding the same answer.
    op.execute(
        "UPDATE response_cache SET output_id = (SELECT MIN(o.id) FROM outputs o WHERE o.request_hash = "
        "response_cache.key AND o.status = 'ok' AND o.text = response_cache.text) WHERE output_id IS NULL"
    )
    op.execute("UPDATE response_cache SET text = NULL WHERE output_id IS NOT NULL")


def downgrade() -> None:
    op.execute(
        "UPDATE response_cache SET text = (SELECT o.text FROM outputs o WHERE o.id = response_cache.output_id) "
        "WHERE text IS NULL"
    )
    op.execute("DELETE FROM response_cache WHERE text IS NULL")
    with op.batch_alter_table("response_cache", schema=None) as batch_op:
        batch_op.drop_constraint("fk_response_cache_output_id_outputs", type_="foreignkey")
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("output_id")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_column("rater_verified")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("inflight_calls")
        batch_op.drop_column("lost_calls")
        batch_op.drop_column("spent_usd")
        batch_op.drop_column("started_by")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("holder")
