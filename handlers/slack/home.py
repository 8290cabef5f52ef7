"""The App Home tab: what /mine shows (bars, pace, days left, students waiting) with Log and Report buttons."""

from __future__ import annotations

from typing import Any

from bot.chat.engine import ChatEngine
from bot.chat.events import ChatAddress, Command, Event, Person
from bot.chat.keyboard import log_button_text
from bot.i18n import Translator
from bot.platform_names import SLACK
from handlers.slack.blocks import BLOCK_KIT, BLOCKS_PER_MESSAGE, button

LOG_ACTION = "home-log"
REPORT_ACTION = "home-report"


def home_address(user_id: str) -> ChatAddress:
    """A chat of its own, so drawing the Home tab never resumes a conversation open in the DM."""
    return ChatAddress(SLACK, f"home:{user_id}")


async def home_view(engine: ChatEngine, person: Person, t: Translator) -> dict[str, Any]:
    outcome = await engine.handle(Event(home_address(person.user_id), person, Command("mine"), private=True))
    blocks = [block for reply in outcome.replies for block in BLOCK_KIT.sections(reply.text, is_html=reply.html)]
    blocks = blocks[:BLOCKS_PER_MESSAGE - 2]
    blocks.append({"type": "actions", "block_id": "home", "elements": [
        {**button(log_button_text(t), "log", LOG_ACTION), "style": "primary"},
        button("📈 " + t("My report, with charts"), "report", REPORT_ACTION)]})
    return {"type": "home", "blocks": blocks}
