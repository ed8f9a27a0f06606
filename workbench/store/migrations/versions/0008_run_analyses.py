"""run_analyses (issue #12 speed): each run's page analysis, stored when the run ends

Revision ID: 0008_run_analyses
Revises: 0007_prompt_versions
Create Date: 2026-12-01 19:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_run_analyses"
down_revision = "0007_prompt_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_analyses",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"),
    )


def downgrade() -> None:
    op.drop_table("run_analyses")
