"""What a change of the bot's own membership means, whichever platform reports it (a :class:`BotMembership`
event): a person who blocked the bot is sent nothing until they unblock it, a group that removed the bot is
unlinked, and a group that moved keeps its link under its new id. Nobody is sent anything."""

from __future__ import annotations

from bot.app_context import AppContext
from bot.chat.events import BotMembership, Event
from bot.notifications.availability import mark_blocked, mark_unblocked
from bot.people.groups import bot_left_group, group_moved


async def apply_membership(core: AppContext, event: Event, change: BotMembership) -> None:
    platform, chat_id = event.chat.platform, event.chat.chat_id
    if change.change == "blocked":
        await mark_blocked(core.db, platform, chat_id, core.clock.now())
    elif change.change == "unblocked":
        await mark_unblocked(core.db, platform, chat_id)
    elif change.change == "removed":
        await bot_left_group(core.db, platform, chat_id)
    elif change.moved_to is not None:
        await group_moved(core.db, platform, chat_id, change.moved_to)
