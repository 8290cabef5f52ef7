"""Buttons that send text back (DingTalk): a choice's text carries a short code, read back as the same tap, from any
process, for a bounded time; anything else is not a tap, or a tap of no button."""

from __future__ import annotations

import itertools

from bot.chat.actions import ChooseActivity, LogNow, SaveEntry, decode
from bot.chat.replies import Choice
from bot.chat.text_buttons import KEEP, TextButtons, read_tap_text, tap_text
from storage.models import ButtonCode

VISIT = Choice("家访", ChooseActivity("home_visit"))
CALL = Choice("电话", ChooseActivity("phone_call"))


async def test_a_choice_sent_back_as_its_text_is_the_tap_of_that_choice(db, clock):
    buttons = TextButtons(db, clock)
    visit_text, call_text = await buttons.texts([VISIT, CALL])
    assert visit_text.startswith("家访 [") and call_text.startswith("电话 [")
    assert (await buttons.tap_of(visit_text)).action == ChooseActivity("home_visit")
    assert (await buttons.tap_of(" " + call_text + " ")).action == ChooseActivity("phone_call")


async def test_a_code_outlives_the_process_that_issued_it(db, clock):
    (text,) = await TextButtons(db, clock).texts([Choice("Log now", LogNow("home_visit"))])
    assert (await TextButtons(db, clock).tap_of(text)).action == LogNow("home_visit")


async def test_the_same_choice_on_another_message_keeps_its_code_and_one_row(db, clock):
    buttons = TextButtons(db, clock)
    first = await buttons.texts([VISIT])
    clock.advance(days=20)
    second = await buttons.texts([VISIT])
    assert first == second
    clock.advance(days=20)  # 40 days after it was first shown, 20 after it was shown again
    assert (await buttons.tap_of(first[0])).action == ChooseActivity("home_visit")
    async with db.transaction() as session:
        assert await session.get(ButtonCode, read_tap_text(first[0])[1]) is not None


async def test_a_code_not_shown_for_longer_than_it_is_kept_is_a_tap_of_no_button(db, clock):
    buttons = TextButtons(db, clock)
    (text,) = await buttons.texts([VISIT])
    clock.advance(seconds=KEEP.total_seconds() + 1)
    tap = await buttons.tap_of(text)
    assert tap is not None and tap.action is None
    await buttons.texts([CALL])  # issuing forgets the old codes
    async with db.transaction() as session:
        assert await session.get(ButtonCode, read_tap_text(text)[1]) is None


async def test_an_unknown_code_or_a_changed_label_is_a_tap_of_no_button(db, clock):
    buttons = TextButtons(db, clock)
    (text,) = await buttons.texts([Choice("Save", SaveEntry("0123abcd"))])
    _, code = read_tap_text(text)
    assert (await buttons.tap_of(tap_text("Save", "zzzzz"))).action is None
    assert (await buttons.tap_of(tap_text("Delete all", code))).action is None
    assert decode((await buttons.tap_of(text)).data) == SaveEntry("0123abcd")


async def test_ordinary_messages_are_not_taps(db, clock):
    buttons = TextButtons(db, clock)
    for text in ("昨天家访了王小明", "/log", "visited [room 3]", "[abcde]", "家访 [abc]"):
        assert await buttons.tap_of(text) is None, text


async def test_a_taken_code_is_not_given_to_another_choice(db, clock):
    codes = itertools.chain(["aaaaa", "aaaaa", "bbbbb"])
    buttons = TextButtons(db, clock, make_code=lambda: next(codes))
    visit, call = await buttons.texts([VISIT, CALL])
    assert (visit, call) == ("家访 [aaaaa]", "电话 [bbbbb]")
    assert (await buttons.tap_of(call)).action == ChooseActivity("phone_call")


def test_a_long_label_is_cut_in_the_text():
    text = tap_text("王" * 60, "abcde")
    assert len(text) < 50 and text.endswith("… [abcde]")
