"""Slack's own surfaces: the logging modal (opened, checked, saved) and the App Home tab (drawn, and drawn again
whenever the member's entries change)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.chat.actions import SaveEntry, UndoEntry, decode
from bot.chat.caller import Caller, caller_of
from bot.chat.commands import command_of_words
from bot.chat.entry_texts import saved_text
from bot.chat.events import ChatAddress, Person
from bot.chat.replies import Outcome, Reply
from bot.chat.runtime import Runtime
from bot.logbook import entries
from bot.platform_names import SLACK
from handlers.slack.home import LOG_ACTION, REPORT_ACTION, home_view
from handlers.slack.inbound import Ack, Payload, readable, tapped_value
from handlers.slack.log_modal import CALLBACK_ID, modal_view, read_one_liner, read_submission, save
from handlers.slack.port import SlackPort

log = logging.getLogger(__name__)


class Forms:
    def __init__(self, runtime: Runtime, port: SlackPort) -> None:
        self.runtime, self.port = runtime, port
        self.core, self.client = runtime.core, port.client

    def register(self, app: AsyncApp) -> None:
        app.view(CALLBACK_ID)(self.on_submit)
        app.action(LOG_ACTION)(self.on_home_log)
        app.action(REPORT_ACTION)(self.on_home_report)
        app.event("app_home_opened")(self.on_home_opened)

    async def caller(self, person: Person) -> Caller:
        return await caller_of(self.core, person)

    async def open_for_command(self, command: Mapping[str, Any]) -> bool:
        """`/teachlog log` (with an incomplete one-liner, or none) opens the modal for a member; False leaves the
        command to the chat core."""
        text, _ = readable(str(command.get("text") or ""))
        typed = command_of_words(text)
        trigger_id = command.get("trigger_id")
        if typed.name != "log" or trigger_id is None:
            return False
        person = await self.port.directory.person(str(command["user_id"]), command.get("user_name"))
        return await self.open_modal(person, str(trigger_id), typed.args)

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
        await self.client.views_open(trigger_id=trigger_id, view=view)
        return True

    async def on_home_log(self, ack: Ack, body: Mapping[str, Any]) -> None:
        await ack()
        person = await self.port.directory.person(str(body["user"]["id"]))
        if not await self.open_modal(person, str(body["trigger_id"])):
            await self.command_from_home(person, "log")

    async def on_home_report(self, ack: Ack, body: Mapping[str, Any]) -> None:
        await ack()
        await self.command_from_home(await self.port.directory.person(str(body["user"]["id"])), "report")

    async def command_from_home(self, person: Person, name: str) -> None:
        """A Home button that stands for a command: answered as if typed in the person's DM with the bot."""
        await self.runtime.receive(Payload("command", {"user_id": person.user_id, "text": name}), "a Home button")

    async def on_submit(self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        """Check every field before answering Slack: errors stay on the form; a good form closes and is saved.

        The confirmation goes through the runtime's reply path: a rate-limited DM is waited out, and a DM that
        cannot be delivered never turns the saved submission into an error."""
        person = await self.port.directory.person(str(body["user"]["id"]))
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
        text = await saved_text(self.core.db, profile, t, submission.draft, saved.created, caller.today)
        await self.runtime.tell(ChatAddress(SLACK, person.user_id), Outcome([Reply(text)]))
        await self.publish_home(person)

    async def after_tap(self, body: Mapping[str, Any]) -> None:
        """An entry saved from the chat (the one-liner's Save) or removed by /undo changes what Home shows."""
        action = decode(tapped_value((body.get("actions") or [{}])[0]))
        if isinstance(action, SaveEntry | UndoEntry):
            await self.publish_home(await self.port.directory.person(str(body["user"]["id"])))

    async def on_home_opened(self, event: Mapping[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        await self.publish_home(await self.port.directory.person(str(event["user"])))

    async def publish_home(self, person: Person) -> None:
        caller = await self.caller(person)
        try:
            view = await home_view(self.runtime.engine, person, caller.t)
            await self.client.views_publish(user_id=person.user_id, view=view)
        except Exception as error:
            log.warning("could not draw %s's Home tab: %s", person.user_id, error)
