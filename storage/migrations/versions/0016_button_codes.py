"""button codes: short codes for the buttons of platforms whose buttons send text back (DingTalk)

Revision ID: 0016
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "button_codes",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("data", sa.String(128), nullable=False),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("label", "data", name="uq_button_codes_label_data"),
    )
    op.create_index("ix_button_codes_issued_at", "button_codes", ["issued_at"])


def downgrade() -> None:
    op.drop_index("ix_button_codes_issued_at", table_name="button_codes")
    op.drop_table("button_codes")
