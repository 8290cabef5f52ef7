"""A core Outcome as Web API calls (the popup as an ephemeral note, the tapped buttons removed, replies posted),
and what flows reach beyond the chat they answer (a member's DM, e.g. a problem's assignee)."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.events import ChatAddress
from bot.chat.replies import Outcome, Reply
from bot.notifications.messenger import DeliveryError
from bot.platforms import SLACK
from handlers.slack.blocks import slack_commands, without_actions
from handlers.slack.inbound import Origin
from handlers.slack.messenger import ChannelPacer, SlackMessenger, slack_call

log = logging.getLogger(__name__)


class Replier:
    """Answers people right away: replies are not paced (Slack lets short bursts through), failures are logged."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.poster = SlackMessenger(client, ChannelPacer(0.0))

    async def render(self, origin: Origin, outcome: Outcome) -> None:
        try:
            if outcome.popup:
                await self.note(origin, outcome.popup)
            if outcome.clear_tapped and origin.channel_id and origin.tapped_ts:
                await slack_call(lambda: self.client.chat_update(
                    channel=str(origin.channel_id), ts=str(origin.tapped_ts),
                    blocks=without_actions(list(origin.tapped_blocks)), text=origin.tapped_text or " "))
            for reply in outcome.replies:
                await self.send(origin.answer_to, reply)
        except DeliveryError as error:
            log.warning("could not answer %s in %s: %s", origin.user_id, origin.answer_to, error)

    async def note(self, origin: Origin, text: str) -> None:
        """What Telegram shows on the tapped button: a note only the person sees, in the chat of the tap."""
        if origin.channel_id:
            await slack_call(lambda: self.client.chat_postEphemeral(
                channel=str(origin.channel_id), user=origin.user_id, text=slack_commands(text)))
        else:
            await self.poster.post(origin.user_id, text, (), is_html=False)

    async def send(self, answer_to: str, reply: Reply) -> None:
        """The text with its choices, then each attachment uploaded with its caption (Slack has no albums)."""
        rows = [[(choice.label, choice.data) for choice in row] for row in reply.choices]
        if reply.text or rows:
            await self.poster.post(answer_to, reply.text, rows, is_html=reply.html)
        for attachment in reply.attachments:
            await self.poster.upload(answer_to, attachment.data, attachment.name, attachment.caption, is_html=False)


class SlackOutbound:
    """:class:`bot.chat.outbound.Outbound` through the app's Web API client: Slack chats only, files not kept."""

    def __init__(self, replier: Replier) -> None:
        self.replier = replier

    async def send(self, chat: ChatAddress, reply: Reply) -> bool:
        if chat.platform != SLACK:
            return False
        try:
            await self.replier.send(chat.chat_id, reply)
        except DeliveryError as error:
            log.warning("could not send to %s: %s", chat.chat_id, error)
            return False
        return True

    async def fetch_file(self, platform: str, file_id: str) -> bytes:
        # Slack files would need the files:read scope and the bot's token on their private URL; records sent on
        # Slack are not read yet (a DM with a file is answered as an OtherMessage).
        raise LookupError(f"a {platform} file cannot be fetched from Slack")
