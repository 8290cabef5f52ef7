"""/record: send a written record the plan asks for (家访心得体会, 蹲点日记, 建议书 …) as text, a photo or a file.

/record → the policy's record kinds as choices → the member types the text or
sends a photo or document (a caption is kept as its text) → saved. /cancel stops.
"""

from __future__ import annotations

import datetime as dt

from bot.chat.actions import ChooseRecord
from bot.chat.events import Upload
from bot.chat.flow import END, Flow
from bot.chat.refusals import RECORD_REFUSALS
from bot.chat.replies import Choice
from bot.chat.turn import Turn
from bot.logbook.records import RecordFile, RecordRefused, save_record

CHOOSE_KIND, CONTENT = "kind", "content"
KIND_KEY = "record_kind"


class Records(Flow):
    name = "records"
    #: build_engine sets the configured timeout; an unfinished record is closed silently after it.
    idle_timeout = dt.timedelta(minutes=15)

    async def start(self, turn: Turn) -> str | None:
        t = turn.t
        if not turn.members_only():
            return END
        if not turn.member.policy.records:
            turn.say(t("Your school's plan asks for no written records."))
            return END
        self.ask_kind(turn)
        return CHOOSE_KIND

    def ask_kind(self, turn: Turn) -> None:
        kinds = turn.member.policy.records
        turn.say(turn.t("Which record is it?"),
                 choices=[Choice(kind.label(turn.t.language), ChooseRecord(kind.code)) for kind in kinds])

    async def resume(self, turn: Turn, step: str) -> str | None:
        event, t = turn.event, turn.t
        command = event.command
        if turn.profile is None:  # left the school meanwhile
            return await self.start(turn)
        if command is not None and command.name == "cancel":
            turn.say(t("Cancelled. Nothing was saved."))
            return END
        if command is not None and command.name == "record":
            return await self.start(turn)
        if event.tap is not None:
            return self.on_tap(turn, step)
        if step == CHOOSE_KIND:
            self.ask_kind(turn)
            return step
        if command is not None:
            turn.say(t("You are sending a record: type it, or send a photo or a file. /cancel stops."))
            return step
        return await self.on_content(turn)

    def on_tap(self, turn: Turn, step: str) -> str:
        action = turn.event.action
        if not isinstance(action, ChooseRecord):
            turn.popup(turn.t("This button is out of date."))
            return step
        turn.data[KIND_KEY] = action.kind
        turn.say(turn.t("Type it, or send a photo or a file (a caption is kept with it)."))
        return CONTENT

    async def on_content(self, turn: Turn) -> str | None:
        t, body, profile = turn.t, turn.event.body, turn.member
        text, file = turn.event.text, None
        if isinstance(body, Upload):
            text = body.caption or None
            file = RecordFile(turn.event.person.platform, body.file_id or body.name, body.name or None,
                              body.mime_type)
        try:
            saved = await save_record(turn.core.db, profile, str(turn.data.get(KIND_KEY)), today=turn.today,
                                      now=turn.now(), text=text, file=file)
        except RecordRefused as refused:
            if refused.code == "kind":
                turn.say(t("Your school's plan no longer has that record. Send /record again."))
                return END
            turn.say(t(RECORD_REFUSALS[refused.code], limit=refused.limit))
            return CONTENT
        label = profile.policy.record_kind(saved.kind).label(t.language)
        turn.say(t("Saved: {record}.", record=label) if saved.entry_id is None else
                 t("Saved: {record}, with the entry you just logged.", record=label))
        return END
