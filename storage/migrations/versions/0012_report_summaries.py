"""report summaries: per school, report window and member, kept up to date through a change log; the school's
daily counts for the trend

Revision ID: 0012
Revises: 0011

`school_daily_counts` is filled from `daily_counts` (the same recount as `teachlog db rebuild-summaries`).
The summaries start empty: each report window is computed the first time it is asked for.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The school's entries per day and activity, a co-visit once: the sum of the participants' own entries.
FILL = """
INSERT INTO school_daily_counts (school_id, day, activity_code, entries)
SELECT school_id, day, activity_code, SUM(entries) FROM daily_counts
GROUP BY school_id, day, activity_code
HAVING SUM(entries) > 0
"""


def upgrade() -> None:
    op.create_table(
        "school_daily_counts",
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("activity_code", sa.String(48), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "day", "activity_code"),
    )
    op.create_table(
        "summary_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_summary_changes_school", "summary_changes", ["school_id", "id"])
    op.create_table(
        "report_slots",
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("seen_change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "slot"),
    )
    op.create_table(
        "report_summaries",
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("quotas", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "slot", "member_id"),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("report_summaries")
    op.drop_table("report_slots")
    op.drop_index("ix_summary_changes_school", "summary_changes")
    op.drop_table("summary_changes")
    op.drop_table("school_daily_counts")
