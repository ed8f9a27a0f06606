"""one rating per rater per pair

Blind review could store a rating twice for the same pair (double key presses). Duplicates already in
an old database are removed (the first rating of a rater for a pair is kept), then a unique constraint
makes the database refuse a second one.

Revision ID: 0005
Revises: 0004_finish_reason
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_finish_reason"
branch_labels = None
depends_on = None

COLUMNS = ["run_id", "rater", "output_a_id", "output_b_id"]


def upgrade() -> None:
    ratings = sa.table("ratings", sa.column("id", sa.Integer), *(sa.column(c) for c in COLUMNS))
    first = sa.select(sa.func.min(ratings.c.id)).group_by(*(ratings.c[c] for c in COLUMNS))
    op.execute(sa.delete(ratings).where(ratings.c.id.not_in(first.scalar_subquery())))
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_rating_rater_pair", COLUMNS)


def downgrade() -> None:
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_rating_rater_pair", type_="unique")
