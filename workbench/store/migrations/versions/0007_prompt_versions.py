"""prompt versions: a variant key may have several versions per experiment

Revision ID: 0007_prompt_versions
Revises: 0006_sequential_looks
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_prompt_versions"
down_revision = "0006_sequential_looks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint("uq_variant_key", type_="unique")
        batch_op.create_unique_constraint("uq_variant_version", ["experiment_id", "key", "version"])
    # Existing variants are version 1, created with their experiment.
    op.execute(
        "UPDATE variants SET created_at = "
        "(SELECT experiments.created_at FROM experiments WHERE experiments.id = variants.experiment_id)"
    )
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.drop_constraint("uq_variant_version", type_="unique")
        batch_op.create_unique_constraint("uq_variant_key", ["experiment_id", "key"])
        batch_op.drop_column("created_at")
        batch_op.drop_column("version")
