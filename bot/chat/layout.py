"""A reply laid out as the messages a platform shows, within the numbers its adapter declares (`Capabilities`).

The core does this once for every platform: long texts cut at line ends,
pictures with the text as caption when it fits (else its headline, and the
text after them) where pictures take the text as caption, albums only where
the platform has them, button rows no wider than the platform shows. An adapter renders each :class:`Message` as one
call of its API.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.pieces import split_at_lines
from bot.chat.platform_plugin import Capabilities
from bot.chat.replies import Attachment, Choice, Keyboard, Reply


@dataclass(frozen=True)
class Message:
    """One message as the platform shows it: a text with its buttons, pictures with a caption, or one file."""

    text: str = ""
    html: bool = False
    choices: tuple[tuple[Choice, ...], ...] = ()
    keyboard: Keyboard = ()
    #: Pictures shown together (several only where the platform has albums); `text` is their caption.
    images: tuple[Attachment, ...] = ()
    #: A file, sent with its own caption.
    file: Attachment | None = None

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """Its pictures or its file, whichever it shows (empty for a text)."""
        return self.images + ((self.file,) if self.file is not None else ())

    @property
    def caption(self) -> str:
        """What shows with its attachments: the text under its pictures, or its file's own caption."""
        return self.file.caption if self.file is not None else self.text


def headline(text: str) -> str:
    """The first two lines (a report's title and dates): the caption of pictures the whole text does not fit."""
    return "\n".join(text.splitlines()[:2])


def split_text(text: str, capabilities: Capabilities) -> list[str]:
    """Text cut at line ends into pieces the platform accepts (an over-long line is cut hard; in UTF-16 units,
    at half the limit, so a surrogate pair is never cut)."""
    limit = capabilities.text_length
    hard_cut = limit // 2 if capabilities.text_units == "utf-16" else limit
    return split_at_lines(text, limit, length=capabilities.length, hard_cut=hard_cut)


def button_rows(rows: tuple[tuple[Choice, ...], ...], per_row: int) -> tuple[tuple[Choice, ...], ...]:
    """Each row cut into rows of at most `per_row` buttons, in order."""
    return tuple(row[start:start + per_row] for row in rows for start in range(0, len(row), per_row))


def lay_out(reply: Reply, capabilities: Capabilities) -> list[Message]:
    """The messages that show `reply` on the platform, in the order to send them."""
    rows = button_rows(reply.choices, capabilities.buttons_per_row)
    images = tuple(a for a in reply.attachments if a.kind == "image")
    files = [a for a in reply.attachments if a.kind == "file"]
    pictures: list[Message] = []
    text_shown = False
    if images and capabilities.picture_captions:
        fits = capabilities.length(reply.text) <= capabilities.caption_length
        caption = reply.text if fits else headline(reply.text)
        groups = [images] if capabilities.albums else [(image,) for image in images]
        for i, group in enumerate(groups):
            if i == 0 and caption:
                pictures.append(Message(caption, reply.html, images=group))
            else:
                pictures.append(Message(group[0].caption if len(group) == 1 else "", images=group))
        text_shown = fits and not rows and not reply.keyboard
    else:
        pictures = [Message(image.caption, images=(image,)) for image in images]
    texts: list[Message] = []
    if not text_shown and (reply.text or rows or reply.keyboard):
        pieces = split_text(reply.text, capabilities) or [""]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            texts.append(Message(piece, reply.html, rows if last else (), reply.keyboard if last else ()))
    shown = pictures + texts if capabilities.picture_captions else texts + pictures
    return shown + [Message(file=attachment) for attachment in files]
