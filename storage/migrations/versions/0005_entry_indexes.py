"""indexes for progress aggregates and co-visits

Revision ID: 0005
Revises: 0004

bench/progress.py on one school of 5,000 members and 1,000,000 entries: with only
(school_id, occurred_on), SQLite walked nearly every row through that index; with
(school_id, activity_code, occurred_on) it reads just the rule's activities.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_school_activity_day", "entries", ["school_id", "activity_code", "occurred_on"])
    op.create_index("ix_entries_covisitor_day", "entries", ["covisitor_member_id", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_entries_covisitor_day", table_name="entries")
    op.drop_index("ix_entries_school_activity_day", table_name="entries")
