"""flag dismissals (issue #11): wording flags dismissed as false, per output, reversible

Revision ID: 0003_flag_dismissals
Revises: 0002_run_safety
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_flag_dismissals"
down_revision = "0002_run_safety"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=400), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=120), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_by", sa.String(length=100), nullable=True),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["output_id"], ["outputs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("flag_dismissals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_dismissals_output_id"), ["output_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flag_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_dismissals_output_id"))
    op.drop_table("flag_dismissals")
