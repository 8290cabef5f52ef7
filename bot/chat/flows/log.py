"""/log: the conversation that logs one entry — activity → student/place/colleague → when → duration → notes →
problems → Save / Edit / Cancel — started by /log (or a one-liner), the 📝 Log button, a reminder's "Log now", or
a voice message in a private chat (its recognised words read as a one-liner, quoted first).

Every step re-asks with the reason when the answer cannot be used; /cancel ends
it at any step; a button of an older step or draft is out of date and the open
question is asked again; Save stores the draft once, however often it is tapped. Within the conversation a
voice message answers a question as the same words typed would; a whole sentence typed or said where the
activity is asked is read as a one-liner.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.chat.actions import CancelEntry, LogNow, SaveEntry
from bot.chat.caller import not_a_member_text
from bot.chat.entry_texts import refusal_text, saved_text
from bot.chat.events import Command, Event, Tap, Text, Voice
from bot.chat.flow import END, Flow
from bot.chat.flows.log_steps import (
    ACTIVITY,
    CONFIRM,
    STEP_ACTIONS,
    advance,
    answer_tap,
    answer_text,
    ask,
    ask_again,
    load_draft,
    local_now,
    store_draft,
)
from bot.chat.flows.log_texts import (
    ANSWER_WITH_TEXT,
    CANCELLED,
    HEARD,
    IDLE_CLOSED,
    MIDDLE_OF_LOGGING,
    NO_LONGER_OPEN,
    STALE_BUTTON,
    VOICE_WITHOUT_WORDS,
)
from bot.chat.keyboard import is_log_button, is_mine_button, main_keyboard
from bot.chat.turn import Turn
from bot.logbook import entries
from bot.logbook.drafts import EntryDraft
from bot.logbook.log_rules import OneLiner, draft_from_one_liner

log = logging.getLogger(__name__)

#: What speech recognition may end a voice message's words with.
SPOKEN_END = "。.！!？?，,、 "
#: How many of the member's paired and recent students a one-liner or a spoken sentence is searched for.
KNOWN_STUDENTS = 50


class Log(Flow):
    name = "log"
    actions = (LogNow,)
    idle_timeout = dt.timedelta(minutes=15)

    def wants(self, event: Event) -> bool:
        return super().wants(event) or (event.private and (is_log_button(event.text)
                                                           or isinstance(event.body, Voice)))

    # --- starting ----------------------------------------------------------------------------

    async def start(self, turn: Turn) -> str | None:
        if not turn.members_only():
            return END
        action, command, body = turn.event.action, turn.event.command, turn.event.body
        if isinstance(body, Voice):
            heard = self.heard(turn, body)
            return END if heard is None else await self.start_from_one_liner(turn, heard)
        if isinstance(action, LogNow):
            return await self.start_with_activity(turn, action.activity)
        if command is not None and command.words:
            return await self.start_from_one_liner(turn, " ".join(command.words))
        draft = EntryDraft()
        store_draft(turn, draft)
        return await ask(turn, ACTIVITY, draft)

    async def start_from_one_liner(self, turn: Turn, text: str) -> str:
        one_liner = await self.read_line(turn, text)
        self.say_refusals(turn, one_liner)
        draft = one_liner.draft
        if draft.activity is None:
            store_draft(turn, draft)
            return await ask(turn, ACTIVITY, draft)
        return await advance(turn, draft)

    @staticmethod
    async def read_line(turn: Turn, text: str) -> OneLiner:
        """`text` read as a one-liner or a spoken sentence, with the member's paired and recent students."""
        students = await entries.student_choices(turn.core.db, turn.member, limit=KNOWN_STUDENTS)
        return draft_from_one_liner(text, turn.member.policy, local_now(turn), students)

    def say_refusals(self, turn: Turn, one_liner: OneLiner) -> None:
        for refusal in one_liner.refusals:
            turn.say(refusal_text(turn.t, refusal))

    @staticmethod
    def heard(turn: Turn, voice: Voice) -> str | None:
        """A voice message's words, quoted back to its sender, without the full stop speech recognition ends
        them with (「王小明。」 answers as 王小明); None (and a hint to type) when it has none."""
        words = " ".join((voice.recognition or "").split())
        if not words.strip(SPOKEN_END):
            turn.say(turn.t(VOICE_WITHOUT_WORDS))
            return None
        turn.say(turn.t(HEARD, text=words))
        return words.rstrip(SPOKEN_END)

    async def start_with_activity(self, turn: Turn, code: str) -> str:
        """The "Log now" button of a reminder: the activity is already chosen (if the school still has it)."""
        draft = EntryDraft()
        if turn.member.policy.find_activity(code) is None:
            store_draft(turn, draft)
            return await ask(turn, ACTIVITY, draft)
        draft.activity = code
        return await advance(turn, draft)

    # --- going on ----------------------------------------------------------------------------

    async def resume(self, turn: Turn, step: str) -> str | None:
        t, body = turn.t, turn.event.body
        if isinstance(body, Command):
            if body.name == "cancel":
                self.cancel(turn)
                return END
            turn.say(t(MIDDLE_OF_LOGGING))
            return step
        if isinstance(body, Tap):
            return await self.on_tap(turn, step, body)
        if isinstance(body, Voice):
            text = self.heard(turn, body)
            if text is None:
                return step
        elif not isinstance(body, Text) or not body.text:
            turn.say(t(ANSWER_WITH_TEXT))
            return step
        else:
            text = body.text
        if is_log_button(text) or is_mine_button(text):
            turn.say(t(MIDDLE_OF_LOGGING))
            return step
        draft = load_draft(turn)
        if turn.profile is None or draft is None:
            self.lost_draft(turn)
            return END
        if step == ACTIVITY and turn.member.policy.find_activity(text) is None:
            # A whole sentence where the activity is asked (said after tapping 📝 Log): read it as a one-liner.
            one_liner = await self.read_line(turn, text)
            if one_liner.draft.activity is not None:
                self.say_refusals(turn, one_liner)
                draft.take_from(one_liner.draft)
                return await advance(turn, draft)
        return await answer_text(turn, step, draft, text)

    async def on_tap(self, turn: Turn, step: str, tap: Tap) -> str | None:
        """Only the open draft's buttons for the open step count; any other says so and asks again."""
        draft, action = load_draft(turn), tap.action
        if turn.profile is None or draft is None:
            turn.popup(turn.t(STALE_BUTTON))
            self.lost_draft(turn)
            return END
        if isinstance(action, SaveEntry) and step == CONFIRM and action.token == draft.token:
            return await self.save(turn, draft)
        fresh = tap.draft_id == draft.short_id and isinstance(action, STEP_ACTIONS.get(step, ()))
        if action is None or isinstance(action, SaveEntry) or not fresh:
            turn.popup(turn.t(STALE_BUTTON))
            return await ask_again(turn, step, draft)
        if isinstance(action, CancelEntry):
            self.cancel(turn)
            return END
        return await answer_tap(turn, draft, action)

    # --- ending ------------------------------------------------------------------------------

    async def save(self, turn: Turn, draft: EntryDraft) -> str | None:
        t = turn.t
        try:
            saved = await entries.save_entry(turn.core.db, turn.member, draft, source=turn.event.chat.platform,
                                             now=turn.now())
        except entries.EntryRefused as missing:
            return await ask(turn, missing.code, draft)
        except Exception:
            log.exception("saving an entry failed")
            turn.popup(t("Not saved yet, please tap Save again."))
            turn.say(t("Sorry, I could not save this entry just now. Nothing is lost: tap Save again."))
            return CONFIRM
        turn.popup(t("Saved"))
        turn.clear_tapped()
        text = await saved_text(turn.core.db, turn.member, t, draft, saved.created, turn.today)
        turn.say(text, keyboard=main_keyboard(t))
        return END

    def cancel(self, turn: Turn) -> None:
        t = turn.t
        if turn.event.tap is not None:
            turn.clear_tapped()
        turn.say(t(CANCELLED), keyboard=main_keyboard(t) if turn.profile else ())

    def lost_draft(self, turn: Turn) -> None:
        """The conversation points at a draft that is gone, or its member left the school."""
        turn.say(not_a_member_text(turn.t) if turn.profile is None else turn.t(NO_LONGER_OPEN))

    async def on_idle(self, turn: Turn, step: str) -> None:
        turn.say(turn.t(IDLE_CLOSED))
