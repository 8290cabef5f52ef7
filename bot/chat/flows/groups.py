"""/link and /unlink in a group chat: a school leader chooses the group that gets the weekly leaderboard.

Anyone else — a member who is not a leader, or a stranger — gets the same short
refusal, which names no school. In a private chat both explain where to send them.
"""

from __future__ import annotations

from bot.chat.flow import END, Flow
from bot.chat.refusals import LINK_REFUSALS
from bot.chat.turn import Turn
from bot.i18n import Translator
from bot.people.groups import LinkOptions, LinkOptionsError, LinkRefused, link_group, parse_link_options, unlink_group


def options_text(options: LinkOptions, t: Translator) -> str:
    if options.totals_only:
        return t("only the school's totals")
    if options.top_n:
        return t("the top {n} places", n=options.top_n)
    return t("the whole ranking")


class GroupLinks(Flow):
    name = "groups"

    async def start(self, turn: Turn) -> None:
        command = turn.event.command
        if command is None:
            return END
        if turn.event.private:
            turn.say(turn.t("Send /link in the group chat that should get the weekly leaderboard: "
                            "add me to the group, then send /link there."))
        elif command.name == "link":
            await self.link(turn, command.args)
        else:
            await self.unlink(turn)
        return END

    async def link(self, turn: Turn, args: str) -> None:
        t, event = turn.t, turn.event
        try:
            options = parse_link_options(" ".join(args.split()))
        except LinkOptionsError:
            turn.say(t("I did not understand that. Send /link for the whole ranking, "
                       "“/link top 5” for the first five places, or “/link totals” for the totals only."))
            return
        try:
            linked = await link_group(turn.core.db, event.person.platform, event.person.user_id,
                                      event.chat.chat_id, options, turn.now())
        except LinkRefused as refused:
            turn.say(t(LINK_REFUSALS[refused.code]))
            return
        turn.say(t("Linked to {school}: every Monday at 08:00 I will post last week's leaderboard here "
                   "({shown}). Counts and rankings only, never students' names or notes. "
                   "/unlink stops it.", school=linked.school_name, shown=options_text(options, t)))

    async def unlink(self, turn: Turn) -> None:
        event = turn.event
        try:
            await unlink_group(turn.core.db, event.person.platform, event.person.user_id, event.chat.chat_id)
        except LinkRefused as refused:
            turn.say(turn.t(LINK_REFUSALS[refused.code]))
            return
        turn.say(turn.t("Unlinked: no more leaderboards in this group."))
