"""the daily count table: entries per school, participant, activity and day, kept up to date on write

Revision ID: 0009
Revises: 0008

Filled here from the existing entries, the same recount as `teachlog db rebuild-summaries`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The recount of storage.daily_counts.recount, frozen as SQL so later model changes cannot alter this step.
FILL = """
INSERT INTO daily_counts (school_id, member_id, activity_code, day, entries, covisits)
SELECT school_id, member_id, activity_code, day, SUM(own), SUM(joined) FROM (
    SELECT school_id, member_id, activity_code, occurred_on AS day, 1 AS own, 0 AS joined
    FROM entries WHERE deleted_at IS NULL
    UNION ALL
    SELECT school_id, covisitor_member_id, activity_code, occurred_on, 0, 1
    FROM entries WHERE deleted_at IS NULL AND covisitor_member_id IS NOT NULL
) AS participations
GROUP BY school_id, member_id, activity_code, day
"""


def upgrade() -> None:
    op.create_table(
        "daily_counts",
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("activity_code", sa.String(48), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("covisits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "member_id", "activity_code", "day"),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("daily_counts")
