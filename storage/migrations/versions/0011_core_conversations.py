"""conversations move to the chat core: python-telegram-bot's saved conversation states and user data become
the core's conversation rows

Revision ID: 0011
Revises: 0010

A teacher halfway through /log (or joining, writing a record, assigning a problem) when the bot is upgraded
finds the same step and draft afterwards. Rows of conversations the core does not know are dropped.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

chat_state = sa.table("chat_state", sa.column("kind", sa.String), sa.column("key", sa.String),
                      sa.column("value", sa.JSON), sa.column("updated_at", sa.DateTime(timezone=True)))

#: The numbered states of the python-telegram-bot conversations, as the core names the steps, and the user_data
#: keys each one kept (the core keeps the same names in the conversation's data).
STEPS = {
    "log": ({0: "activity", 1: "student", 2: "when", 3: "duration", 4: "notes", 5: "confirm", 6: "edit",
             7: "covisitor", 8: "problems", 9: "place"}, ("draft", "editing", "recent_names", "assigned_places")),
    "join": ({0: "name"}, ("invite_code",)),
    "records": ({0: "kind", 1: "content"}, ("record_kind",)),
    "problems": ({0: "assignee", 1: "result"}, ("problem_id",)),
}
OLD_KINDS = ("user_data", "chat_data")


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(chat_state.c.kind, chat_state.c.key, chat_state.c.value,
                                  chat_state.c.updated_at)).all()
    user_data = {row.key: row.value or {} for row in rows if row.kind == "user_data"}
    moved = []
    for row in rows:
        if not row.kind.startswith("conversation:"):
            continue
        flow = row.kind.split(":", 1)[1]
        steps, keys = STEPS.get(flow, ({}, ()))
        state = (row.value or {}).get("state")
        step = steps.get(state) if isinstance(state, int) else None
        try:
            chat_id, user_id = json.loads(row.key)
        except (ValueError, TypeError):
            continue
        if step is None:
            continue
        data = {key: value for key, value in user_data.get(str(user_id), {}).items() if key in keys}
        at = row.updated_at.isoformat() if row.updated_at is not None else None
        moved.append({"kind": "chat", "key": json.dumps(["telegram", str(chat_id), str(user_id)]),
                      "value": {"flow": flow, "step": step, "data": data, "at": at}, "updated_at": row.updated_at})
    bind.execute(chat_state.delete().where(sa.or_(chat_state.c.kind.like("conversation:%"),
                                                  chat_state.c.kind.in_(OLD_KINDS))))
    existing = {row.key for row in rows if row.kind == "chat"}
    fresh = [row for row in moved if row["key"] not in existing]
    if fresh:
        bind.execute(chat_state.insert(), fresh)


def downgrade() -> None:
    """The core's conversations are not turned back into python-telegram-bot's: open ones are closed."""
    op.get_bind().execute(chat_state.delete().where(chat_state.c.kind == "chat"))
