"""/start: joining a school with an invite code, asking for a display name when the platform's is not enough."""

from __future__ import annotations

from bot.chat.caller import caller_of
from bot.chat.flow import END, Flow
from bot.chat.keyboard import main_keyboard
from bot.chat.refusals import INVITE_PROBLEMS
from bot.chat.render import role_label
from bot.chat.turn import Turn
from bot.i18n import Translator
from bot.logbook.activity_words import activities_phrase
from bot.people.membership import (
    InviteProblem,
    Profile,
    clean_display_name,
    inspect_invite,
    join_with_invite,
    name_is_enough,
)

NAME = "name"
INVITE_KEY = "invite_code"



def welcome_text(profile: Profile, t: Translator) -> str:
    return t("Welcome, {name}! You have joined {school} as {role}.\n\nTap “📝 Log” below (or send /log) "
             "after each {activities}. /help lists everything I can do.",
             name=profile.display_name, school=profile.school_name, role=role_label(profile.role, t),
             activities=activities_phrase(profile.policy, profile.role, t))


class Join(Flow):
    """/start CODE joins at once when the platform's name is a full name; otherwise it asks for one first."""

    name = "join"

    async def start(self, turn: Turn) -> str | None:
        t, command = turn.t, turn.event.command
        if turn.profile is not None:
            profile = turn.profile
            turn.say(t("You are already a member of {school} as {role}. Send /log to log an activity.",
                       school=profile.school_name, role=role_label(profile.role, t)), keyboard=main_keyboard(t))
            return END
        words = command.words if command is not None else []
        if not words:
            turn.say(t("Hello! I help teachers log home visits, calls and tutoring. To join, open the "
                       "invite link from your school's leader, or send /start followed by the invite code."))
            return END
        code = words[0]
        try:
            invite = await inspect_invite(turn.core.db, code, turn.now())
        except InviteProblem as problem:
            turn.say(t(INVITE_PROBLEMS[problem.code]))
            return END
        name = clean_display_name(turn.event.person.display_name or "")
        if name is not None and name_is_enough(name):
            await self.join(turn, code, name)
            return END
        turn.data[INVITE_KEY] = code
        turn.say(t("You are joining {school} as {role}. What is your full name, as your colleagues "
                   "know it? (e.g. 王芳 or Wang Fang)", school=invite.school_name, role=role_label(invite.role, t)))
        return NAME

    async def resume(self, turn: Turn, step: str) -> str | None:
        event, t = turn.event, turn.t
        command = event.command
        if command is not None and command.name == "cancel":
            turn.say(t("Cancelled. Open the invite link again whenever you are ready."))
            return END
        if command is not None and command.name == "start":
            return await self.start(turn)
        if event.tap is not None:
            turn.popup(t("This button is out of date."))
            return step
        if event.text is None:
            turn.say(t("Please type your name, or send /cancel."))
            return step
        name = clean_display_name(event.text)
        if name is None:
            turn.say(t("Please type your name (letters, at most 40 characters)."))
            return step
        code = turn.data.get(INVITE_KEY)
        if not isinstance(code, str):
            turn.say(t("Please open your invite link again."))
            return END
        await self.join(turn, code, name)
        return END

    async def join(self, turn: Turn, code: str, name: str) -> None:
        person = turn.event.person
        turn.data.pop(INVITE_KEY, None)
        try:
            profile, _created = await join_with_invite(turn.core.db, code, platform=person.platform,
                                                       external_id=person.user_id, display_name=name,
                                                       now=turn.now())
        except InviteProblem as problem:
            turn.say(turn.t(INVITE_PROBLEMS[problem.code]))
            return
        t = (await caller_of(turn.core, person)).t  # the new member's language, now that they have a school
        turn.say(welcome_text(profile, t), keyboard=main_keyboard(t))
