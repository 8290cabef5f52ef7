"""The core lays every reply out within the platform's declared Capabilities, once for all adapters: long texts in
pieces, captions that fit, albums only where there are albums, button rows no wider than the platform shows."""

from __future__ import annotations

from bot.chat.actions import UndoEntry
from bot.chat.layout import Message, lay_out
from bot.chat.platform_plugin import Capabilities
from bot.chat.replies import Attachment, Choice, Reply

PHONE = Capabilities(text_length=20, caption_length=12, buttons_per_row=2, albums=True,
                     text_units="utf-16")
NO_ALBUMS = Capabilities(text_length=1000, caption_length=1000, buttons_per_row=5, albums=False,
                         picture_captions=False)
CHOICES = ((Choice("a", UndoEntry(1)), Choice("b", UndoEntry(2)), Choice("c", UndoEntry(3))),)
CHART, TREND = Attachment("chart.png", b"1", "image"), Attachment("trend.png", b"2", "image", "Trend")


def test_a_long_text_is_cut_at_line_ends_with_the_buttons_under_the_last_piece_in_rows_that_fit():
    messages = lay_out(Reply("first line\nsecond line\nthird", CHOICES), PHONE)
    assert [m.text for m in messages] == ["first line", "second line\nthird"]
    assert messages[0].choices == ()
    assert [[c.label for c in row] for row in messages[1].choices] == [["a", "b"], ["c"]]


def test_lengths_are_counted_as_the_platform_counts_them():
    emoji = "😀" * 8  # 8 characters, 16 UTF-16 code units
    assert [m.text for m in lay_out(Reply(f"{emoji}\n{emoji}"), PHONE)] == [emoji, emoji]


def test_pictures_take_the_text_as_caption_when_it_fits_and_show_together_where_there_are_albums():
    assert lay_out(Reply("Week", attachments=(CHART, TREND)), PHONE) == [
        Message("Week", images=(CHART, TREND))]


def test_a_text_too_long_for_a_caption_goes_after_the_pictures_under_its_headline():
    messages = lay_out(Reply("Report\n1-7 Nov\nLi Lei 3", attachments=(CHART,)), PHONE)
    assert [(m.text, m.images) for m in messages] == [("Report\n1-7 Nov", (CHART,)), ("Report\n1-7 Nov", ()),
                                                      ("Li Lei 3", ())]


def test_without_captions_on_pictures_the_text_comes_first_and_each_picture_keeps_its_own_caption():
    messages = lay_out(Reply("Report", CHOICES, attachments=(CHART, TREND)), NO_ALBUMS)
    assert [(m.text, m.images, bool(m.choices)) for m in messages] == [
        ("Report", (), True), ("", (CHART,), False), ("Trend", (TREND,), False)]


def test_files_follow_each_with_its_caption():
    export = Attachment("entries.csv", b"x", "file", "1 entry")
    assert lay_out(Reply("Here", attachments=(export,)), NO_ALBUMS) == [Message("Here"), Message(file=export)]
