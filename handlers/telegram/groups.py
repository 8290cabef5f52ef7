"""/link and /unlink in a group chat: a school leader chooses the group that gets the weekly leaderboard.

Anyone else — a member who is not a leader, or a stranger — gets the same short
refusal, which names no school.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core import Core
from bot.groups import LinkOptions, LinkOptionsError, LinkRefused, link_group, parse_link_options, unlink_group
from bot.i18n import N_, Translator
from bot.platforms import TELEGRAM
from handlers.telegram.common import Context, caller, reply
from handlers.telegram.required import chat_of, user

REFUSALS = {
    "not_leader": N_("Only a school leader can link or unlink this group."),
    "other_school": N_("This group is linked to another school; a leader of that school must /unlink it first."),
    "not_linked": N_("This group is not linked. A school leader can send /link here."),
}


def options_text(options: LinkOptions, t: Translator) -> str:
    if options.totals_only:
        return t("only the school's totals")
    if options.top_n:
        return t("the top {n} places", n=options.top_n)
    return t("the whole ranking")


class GroupHandlers:
    def __init__(self, core: Core) -> None:
        self.core = core

    def handlers(self) -> list:
        groups, private = filters.ChatType.GROUPS, filters.ChatType.PRIVATE
        return [
            CommandHandler("link", self.link, filters=groups),
            CommandHandler("unlink", self.unlink, filters=groups),
            CommandHandler(["link", "unlink"], self.in_private_chat, filters=private),
        ]

    async def link(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        t = who.t
        try:
            options = parse_link_options(" ".join(context.args or []))
        except LinkOptionsError:
            await reply(update, t("I did not understand that. Send /link for the whole ranking, "
                                  "“/link top 5” for the first five places, or “/link totals” for the totals only."))
            return
        try:
            linked = await link_group(self.core.db, TELEGRAM, str(user(update).id), str(chat_of(update).id),
                                      options, self.core.clock.now())
        except LinkRefused as refused:
            await reply(update, t(REFUSALS[refused.code]))
            return
        await reply(update, t("Linked to {school}: every Monday at 08:00 I will post last week's leaderboard here "
                              "({shown}). Counts and rankings only, never students' names or notes. "
                              "/unlink stops it.", school=linked.school_name, shown=options_text(options, t)))

    async def unlink(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        try:
            await unlink_group(self.core.db, TELEGRAM, str(user(update).id), str(chat_of(update).id))
        except LinkRefused as refused:
            await reply(update, who.t(REFUSALS[refused.code]))
            return
        await reply(update, who.t("Unlinked: no more leaderboards in this group."))

    async def in_private_chat(self, update: Update, context: Context) -> None:
        who = await caller(self.core, update)
        await reply(update, who.t("Send /link in the group chat that should get the weekly leaderboard: "
                                  "add me to the group, then send /link there."))
