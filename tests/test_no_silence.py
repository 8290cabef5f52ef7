"""Input that used to get no reply: huge durations, NUL characters, bidi controls in names, handler crashes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dates import DurationError, parse_duration
from storage.models import Entry

HUGE = "9" * 309


async def stored_entries(db) -> list[Entry]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Entry).order_by(Entry.id)))


# --- durations of hundreds of digits -------------------------------------------------------------

@pytest.mark.parametrize(("text", "code"), [
    (HUGE, "too_long"),
    (HUGE + "h", "too_long"),
    (HUGE + " minutes", "too_long"),
    ("-" + HUGE, "not_positive"),
    ("9" * 400 + " and a half hours", "too_long"),
    ("1h" + HUGE, "too_long"),
    ("1000", "too_long"),
])
def test_a_number_too_long_to_be_a_duration_is_refused_before_any_arithmetic(text, code):
    with pytest.raises(DurationError) as refused:
        parse_duration(text)
    assert refused.value.code == code


@pytest.mark.parametrize(("text", "minutes"), [("0045", 45), ("720", 720), ("1.999999999999999999999h", 120)])
def test_leading_zeros_and_long_fractions_still_read_as_durations(text, minutes):
    assert parse_duration(text) == minutes


async def test_a_one_liner_with_a_309_digit_duration_gets_the_duration_error_and_the_question_again(bot, li):
    await bot.say(li, f"/log visit Kid yesterday {HUGE}")
    texts = bot.fake.texts_to(li.id)
    assert "more than 12 hours" in texts[-2] and "How long did it take?" in texts[-1]
    await bot.say(li, HUGE)
    assert "more than 12 hours" in bot.last_text(li)
    await bot.say(li, "45")
    assert "Please check this entry" in bot.last_text(li)
    assert await stored_entries(bot.db) == []
    assert bot.errors() == []


# --- an unexpected exception in a handler --------------------------------------------------------

APOLOGY = {"en": "Sorry, something went wrong on my side.", "zh": "抱歉，我这边出了点问题。"}


def break_history(monkeypatch) -> None:
    async def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr("bot.entries.history", boom)


async def assert_apology_with_update_id_logged(bot, user, language: str, caplog) -> None:
    update = bot.fake.private_text(user, "/history")
    sent = await bot.fake.send(bot.app, update)
    [apology] = [message.text for message in sent]
    assert apology.startswith(APOLOGY[language])
    assert "injected failure" not in apology and "Traceback" not in apology
    [record] = [r for r in caplog.records if r.name == "handlers.telegram.runtime" and r.levelname == "ERROR"]
    assert str(update["update_id"]) in record.getMessage() and "injected failure" in str(record.exc_info[1])


async def test_a_crashing_handler_apologises_in_english_and_logs_the_update_id(bot, li, monkeypatch, caplog):
    break_history(monkeypatch)
    await assert_apology_with_update_id_logged(bot, li, "en", caplog)


async def test_a_crashing_handler_apologises_in_chinese_and_logs_the_update_id(bot, wang, monkeypatch, caplog):
    break_history(monkeypatch)
    await assert_apology_with_update_id_logged(bot, wang, "zh", caplog)


async def test_a_crash_behind_a_button_answers_the_tap_and_apologises(bot, li, monkeypatch):
    await bot.say(li, "/log visit Wang today 30")
    await bot.tap(li, "✅ Save")
    await bot.say(li, "/undo")

    async def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr("handlers.telegram.lookback.caller", boom)  # fails before the tap is answered
    answers_before = len(bot.fake.callback_answers)
    sent = await bot.tap(li, "Yes, remove it")
    assert [message.text.startswith(APOLOGY["en"]) for message in sent] == [True]
    [answer] = bot.fake.callback_answers[answers_before:]  # the spinner stops
    assert answer.text is None
    assert len(await stored_entries(bot.db)) == 1


async def test_when_even_the_member_lookup_fails_the_apology_uses_the_telegram_language(bot, wang, monkeypatch):
    async def boom(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr("handlers.telegram.common.profile_for_telegram_user", boom)
    sent = await bot.say(wang, "/help")
    assert [message.text.startswith(APOLOGY["zh"]) for message in sent] == [True]
