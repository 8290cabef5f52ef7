"""Input that used to get no reply: huge durations, NUL characters, bidi controls in names, handler crashes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clean_text import clean_name
from bot.logbook.dates import DurationError, parse_duration
from bot.people.pairings import import_roster
from bot.people.schools import create_school
from bot.people.students import student_key
from storage.models import Entry, Member, Pairing

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

    monkeypatch.setattr("bot.logbook.entries.history", boom)


async def assert_apology_with_update_id_logged(bot, user, language: str, caplog) -> None:
    update = bot.fake.private_text(user, "/history")
    sent = await bot.fake.send(bot.app, update)
    [apology] = [message.text for message in sent]
    assert apology.startswith(APOLOGY[language])
    assert "injected failure" not in apology and "Traceback" not in apology
    [record] = [r for r in caplog.records if r.name == "bot.chat.runtime" and r.levelname == "ERROR"]
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

    monkeypatch.setattr("bot.chat.engine.caller_of", boom)  # fails before the tap is answered
    answers_before = len(bot.fake.callback_answers)
    sent = await bot.tap(li, "Yes, remove it")
    assert [message.text.startswith(APOLOGY["en"]) for message in sent] == [True]
    [answer] = bot.fake.callback_answers[answers_before:]  # the spinner stops
    assert answer.text is None
    assert len(await stored_entries(bot.db)) == 1


async def test_when_even_the_member_lookup_fails_the_apology_uses_the_telegram_language(bot, wang, monkeypatch):
    async def boom(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr("bot.chat.caller.profile_for_account", boom)
    sent = await bot.say(wang, "/help")
    assert [message.text.startswith(APOLOGY["zh"]) for message in sent] == [True]


# --- NUL characters --------------------------------------------------------------------------------

async def test_a_nul_in_start_is_ignored_and_the_invite_still_works(bot):
    code = await bot.invite()
    newcomer = bot.fake.user(1010, "Zhao", "Min", language_code="en")
    await bot.say(newcomer, f"/start {code}\x00")
    assert "Welcome, Zhao Min!" in bot.last_text(newcomer)
    assert bot.errors() == []


async def test_a_nul_alone_after_start_gets_the_greeting(bot):
    stranger = bot.fake.user(1011, "Zhao", "Min", language_code="en")
    await bot.say(stranger, "/start \x00")
    assert "To join, open the invite link" in bot.last_text(stranger)
    assert bot.errors() == []


async def test_a_nul_in_a_student_name_and_notes_is_stored_without_it(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "Zhang\x00 Wei")
    await bot.tap(li, "No, alone")
    await bot.tap(li, "Today")
    await bot.tap(li, "30 min")
    await bot.say(li, "Talked\x00 about homework.")
    await bot.tap(li, "✅ Save")
    [entry] = await stored_entries(bot.db)
    assert (entry.student_name, entry.notes) == ("Zhang Wei", "Talked about homework.")
    assert bot.errors() == []


async def test_a_message_of_nothing_but_nul_gets_an_answer_and_the_step_stays_open(bot, li):
    await bot.say(li, "/log")
    await bot.tap(li, "Home visit")
    await bot.say(li, "\x00\x00")
    assert "Please answer with text or tap a button" in bot.last_text(li)
    await bot.say(li, "Zhang Wei")
    assert bot.buttons(li) == ["No, alone"]
    assert bot.errors() == []


# --- bidi and format characters in names ---------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("\u202e王芳", "王芳"),
    ("Wang\u200e Fang\u200f", "Wang Fang"),
    ("\u2066Li\u2069 \u2067Lei\u2068", "Li Lei"),
    ("\u202aZhang\u202b\u202c\u202d Wei", "Zhang Wei"),
    ("Zhao\u200b\u2060\ufeff\u00ad Min", "Zhao Min"),
    ("Tom\x00\x1b\x07 Li", "Tom Li"),
    ("Tom\tLi\nJr", "Tom Li Jr"),
    ("王芳 👩\u200d🏫", "王芳 👩\u200d🏫"),
    ("❤\ufe0f\u200d🔥 Li Lei", "❤\ufe0f\u200d🔥 Li Lei"),
    ("👩🏻\u200d💻 Wang", "👩🏻\u200d💻 Wang"),
    ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Amy",
     "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Amy"),
    ("Amy\u200d Li", "Amy Li"),
    ("\U000e0067Amy", "Amy"),
    ("\u202e\u200b", ""),
])
def test_a_name_keeps_its_text_and_emoji_and_loses_control_and_format_characters(typed, stored):
    assert clean_name(typed) == stored


async def member_names(db) -> list[str]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Member.display_name).order_by(Member.id)))


async def test_a_telegram_name_with_a_right_to_left_override_is_stored_clean(bot):
    newcomer = bot.fake.user(1020, "\u202e王\u200b芳", language_code="zh-hans")
    await bot.join(newcomer)
    assert await member_names(bot.db) == ["王芳"]
    assert bot.errors() == []


async def test_a_typed_full_name_with_bidi_isolates_is_stored_clean(bot):
    newcomer = bot.fake.user(1021, "\u2067F\u2069", language_code="en")
    await bot.say(newcomer, f"/start {await bot.invite()}")
    assert "What is your full name" in bot.last_text(newcomer)
    await bot.say(newcomer, "\u2066Fang\u2069 \u202eWang")
    assert "Welcome, Fang Wang!" in bot.last_text(newcomer)
    assert await member_names(bot.db) == ["Fang Wang"]


async def test_a_telegram_name_that_is_only_format_characters_is_asked_for(bot):
    newcomer = bot.fake.user(1022, "\u202e\u202e", "\u200b\u200b", language_code="en")
    await bot.say(newcomer, f"/start {await bot.invite()}")
    assert "What is your full name" in bot.last_text(newcomer)
    assert await member_names(bot.db) == []


async def test_a_student_name_with_bidi_controls_is_stored_clean_and_counts_as_its_plain_name(bot, li):
    await bot.say(li, "/log visit \u202eZhang\u2066 Wei\u2069 today 30")
    await bot.tap(li, "✅ Save")
    await bot.say(li, "/log visit Zhang Wei today 20")
    await bot.tap(li, "✅ Save")
    assert [(e.student_name, e.student_key) for e in await stored_entries(bot.db)] == \
        [("Zhang Wei", student_key("Zhang Wei"))] * 2
    assert bot.errors() == []


async def test_a_roster_student_name_with_bidi_controls_is_paired_clean(db, clock):
    school = await create_school(db, "合川中学", policy="seed-000", now=clock.now())
    async with db.transaction() as session:
        session.add(Member(school_id=school.school_id, display_name="李雷", role="teacher",
                           joined_on=clock.now().date()))
    report = await import_roster(db, school.school_id, "教师,学生\n李雷,\u202e小\u200b明\x00\n")
    assert report.paired == 1
    async with db.transaction() as session:
        assert list(await session.scalars(select(Pairing.student_name))) == ["小明"]
