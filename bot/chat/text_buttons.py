"""Buttons that send text back: a choice shown as a text to send, and that text read back as the tap.

Some platforms' buttons cannot carry data; DingTalk's are links that make the
member's client send a text. Such a text is the choice's label and a short code
in brackets, ``家访 [k7f2]``: short and readable in the chat history. The code
stands for the choice's encoded action in the database (storage/button_codes.py),
so it survives restarts and works on every replica; codes not shown for
:data:`KEEP` are forgotten. The text read back is a :class:`Tap` with that data,
so the engine's checks (a stale draft, a forged action) apply as on every
platform; an unknown or forgotten code, or a label that does not match it, is a
tap of no button (``Tap("")``), which the engine answers as forged.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Sequence

from bot.chat.events import Tap
from bot.chat.replies import Choice
from bot.clock import Clock
from storage import button_codes
from storage.db import Database

#: How long a code shown on a message can be tapped (a reminder's buttons stay useful for a week or more).
KEEP = dt.timedelta(days=30)
#: Letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 5
#: The longest label kept in a tap text (a longer one is cut, and stored cut).
LABEL_LENGTH = 40
TAP_TEXT = re.compile(r"(?P<label>\S.*?)\s*[\[［](?P<code>[" + ALPHABET + r"]{" + str(CODE_LENGTH) + r"})[\]］]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown_label(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= LABEL_LENGTH else label[:LABEL_LENGTH - 1] + "…"


def tap_text(label: str, code: str) -> str:
    """What tapping the button sends: its label and its code."""
    return f"{shown_label(label)} [{code}]"


def read_tap_text(text: str) -> tuple[str, str] | None:
    """(label, code) when the text is a tap text, else None."""
    match = TAP_TEXT.fullmatch(text.strip())
    return (match.group("label"), match.group("code")) if match else None


class TextButtons:
    """Issues codes for the choices of a message and reads tap texts back, on the application's database."""

    def __init__(self, db: Database, clock: Clock, *, keep: dt.timedelta = KEEP,
                 make_code: Callable[[], str] = new_code) -> None:
        self.db, self.clock, self.keep, self.make_code = db, clock, keep, make_code

    async def texts(self, choices: Sequence[Choice]) -> list[str]:
        """The text each choice's button sends, in order (one transaction; old codes forgotten on the way)."""
        if not choices:
            return []
        now = self.clock.now()
        buttons = [(shown_label(choice.label), choice.data) for choice in choices]
        async with self.db.transaction() as session:
            await button_codes.forget_before(session, now - self.keep)
            codes = await button_codes.codes_for(session, buttons, now, self.make_code)
        return [tap_text(label, code) for (label, _), code in zip(buttons, codes, strict=True)]

    async def tap_of(self, text: str) -> Tap | None:
        """The tap a text stands for, or None when it is not a tap text (then it is an ordinary message)."""
        read = read_tap_text(text)
        if read is None:
            return None
        label, code = read
        async with self.db.transaction() as session:
            button = await button_codes.button_of(session, code, self.clock.now() - self.keep)
        if button is None or " ".join(button[0].split()) != " ".join(label.split()):
            return Tap("")
        return Tap(button[1])
