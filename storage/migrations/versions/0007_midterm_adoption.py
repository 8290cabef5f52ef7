"""a school that starts mid-term: from when targets count, and personal invites for pre-registered staff

Revision ID: 0007
Revises: 0006

`schools.counts_from` and `members.counts_from` say from which day quotas count (the member's
date wins; without either, targets are prorated from the day the member joined).
`invites.member_id` binds a personal invite to a member imported from a roster before they joined.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("schools", sa.Column("counts_from", sa.Date(), nullable=True))
    op.add_column("members", sa.Column("counts_from", sa.Date(), nullable=True))
    with op.batch_alter_table("invites") as invites:
        invites.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        invites.create_foreign_key("fk_invites_member_id_members", "members", ["member_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("invites") as invites:
        invites.drop_constraint("fk_invites_member_id_members", type_="foreignkey")
        invites.drop_column("member_id")
    op.drop_column("members", "counts_from")
    op.drop_column("schools", "counts_from")
