"""sequential_looks (issue #19): interim looks of sequential runs (`workbench run --until-decided`)

Revision ID: 0006_sequential_looks
Revises: 0005
Create Date: 2026-12-01 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sequential_looks"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sequential_looks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("look", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("max_cases", sa.Integer(), nullable=False),
        sa.Column("stop", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("spared_calls", sa.Integer(), nullable=True),
        sa.Column("spared_usd", sa.Float(), nullable=True),
        sa.Column("tests", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "look", name="uq_sequential_look"),
    )
    with op.batch_alter_table("sequential_looks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sequential_looks_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sequential_looks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sequential_looks_run_id"))
    op.drop_table("sequential_looks")
