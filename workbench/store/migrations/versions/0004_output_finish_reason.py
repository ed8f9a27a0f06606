"""outputs.finish_reason: why the model stopped (OpenAI finish_reason, Anthropic stop_reason)

Revision ID: 0004_finish_reason
Revises: 0003_flag_dismissals
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_finish_reason"
down_revision = "0003_flag_dismissals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: outputs stored before this revision (and failed calls) have no finish reason.
    with op.batch_alter_table("outputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finish_reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outputs", schema=None) as batch_op:
        batch_op.drop_column("finish_reason")
