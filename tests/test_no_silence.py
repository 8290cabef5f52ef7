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
