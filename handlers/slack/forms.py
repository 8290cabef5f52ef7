"""Slack's own surfaces: the logging modal (opened, checked, saved) and the App Home tab (drawn, and drawn again
whenever the member's entries change)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.chat.actions import SaveEntry, UndoEntry
from bot.chat.caller import Caller, caller_of
from bot.chat.entry_texts import saved_text
from bot.chat.events import ChatAddress, Command, Event, Person, Tap
from bot.logbook import entries
from bot.platforms import SLACK
from handlers.slack.app import Ack, SlackAdapter
from handlers.slack.home import LOG_ACTION, REPORT_ACTION, home_view
from handlers.slack.inbound import Origin
from handlers.slack.log_modal import CALLBACK_ID, modal_view, read_one_liner, read_submission, save
from handlers.slack.messenger import slack_call

log = logging.getLogger(__name__)


class Forms:
    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter
        self.core, self.client = adapter.core, adapter.client

    def register(self, app: AsyncApp) -> None:
        self.adapter.interceptors.append(self.log_without_words)
        self.adapter.followers.append(self.redraw_home_after_a_change)
        app.view(CALLBACK_ID)(self.on_submit)
        app.action(LOG_ACTION)(self.on_home_log)
        app.action(REPORT_ACTION)(self.on_home_report)
        app.event("app_home_opened")(self.on_home_opened)

    async def caller(self, person: Person) -> Caller:
        return await caller_of(self.core, person)

    async def log_without_words(self, event: Event, origin: Origin, trigger_id: str | None) -> bool:
        """`/teachlog log` alone opens the modal for a member; everything else goes on to the chat core."""
        command = event.command
        if command is None or command.name != "log" or trigger_id is None:
            return False
        return await self.open_modal(event.person, trigger_id, command.args)

    async def open_modal(self, person: Person, trigger_id: str, one_liner: str = "") -> bool:
        """The modal for a member, filled in with what an incomplete one-liner said and why the rest was left out;
        False leaves it to the core."""
        caller = await self.caller(person)
        if caller.profile is None:
            return False
        form = read_one_liner(caller.profile, one_liner, caller.profile.local_now(self.core.clock.now())) \
            if one_liner else None
        if form is not None and form.is_whole(caller.profile):
            return False  # the chat's /log shows it with a confirm button
        students = await entries.student_choices(self.core.db, caller.profile)
        view = modal_view(caller.profile, caller.t, caller.today, students, form)
        await slack_call(lambda: self.client.views_open(trigger_id=trigger_id, view=view))
        return True

    async def on_home_log(self, ack: Ack, body: Mapping[str, Any]) -> None:
        await ack()
        person = await self.adapter.directory.person(str(body["user"]["id"]))
        if not await self.open_modal(person, str(body["trigger_id"])):
            await self.adapter.answer(Event(_dm(person), person, Command("log")), Origin(person.user_id,
                                                                                         person.user_id))

    async def on_home_report(self, ack: Ack, body: Mapping[str, Any]) -> None:
        await ack()
        person = await self.adapter.directory.person(str(body["user"]["id"]))
        await self.adapter.answer(Event(_dm(person), person, Command("report")), Origin(person.user_id,
                                                                                        person.user_id))

    async def on_submit(self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        """Check every field before answering Slack: errors stay on the form; a good form closes and is saved."""
        person = await self.adapter.directory.person(str(body["user"]["id"]))
        caller = await self.caller(person)
        if caller.profile is None:
            await ack()
            return
        profile, t, now = caller.profile, caller.t, self.core.clock.now()
        submission = await read_submission(self.core.db, profile, t, view["state"]["values"], profile.local_now(now),
                                           str(view.get("id") or body.get("trigger_id")))
        if submission.errors:
            await ack(response_action="errors", errors=submission.errors)
            return
        try:
            saved = await save(self.core.db, profile, submission.draft, now)
        except Exception:
            log.exception("saving an entry from the Slack modal failed")
            await ack(response_action="errors", errors={"activity": t(
                "Sorry, I could not save this entry just now. Nothing is lost: tap Save again.")})
            return
        await ack()
        origin = Origin(person.user_id, person.user_id)
        text = await saved_text(self.core.db, profile, t, submission.draft, saved.created, caller.today)
        await self.adapter.replier.note(origin, text)
        await self.publish_home(person)

    async def redraw_home_after_a_change(self, event: Event) -> None:
        """An entry saved from the chat (the one-liner's Save) or removed by /undo changes what Home shows."""
        if isinstance(event.body, Tap) and isinstance(event.body.action, SaveEntry | UndoEntry):
            await self.publish_home(event.person)

    async def on_home_opened(self, event: Mapping[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        await self.publish_home(await self.adapter.directory.person(str(event["user"])))

    async def publish_home(self, person: Person) -> None:
        caller = await self.caller(person)
        view = await home_view(self.adapter.engine, person, caller.t)
        try:
            await slack_call(lambda: self.client.views_publish(user_id=person.user_id, view=view))
        except Exception as error:
            log.warning("could not draw %s's Home tab: %s", person.user_id, error)


def _dm(person: Person) -> ChatAddress:
    return ChatAddress(SLACK, person.user_id)
