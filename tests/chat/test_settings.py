"""/settings through the chat core: language, reminder frequency and time, in both languages."""

from __future__ import annotations

from storage import repository as repo


async def stored(chat, driver):
    async with chat.db.transaction() as session:
        return await repo.member_by_account(session, driver.platform, driver.user_id)


def labels(driver) -> list[list[str]]:
    return [[choice.label for choice in row] for row in driver.replies[-1].choices]


async def test_settings_shows_language_and_reminders_with_the_current_frequency_ticked(li):
    await li.send("/settings")
    assert li.last_text.startswith("Language: English. Choose the language I write to you in:")
    assert "Reminders: every working day at 16:30" in li.last_text
    assert labels(li) == [["中文", "English"], ["✓ Daily", "Weekly", "Off"]]


async def test_switching_to_chinese_answers_in_chinese_with_the_chinese_keyboard(chat, li):
    await li.send("/settings")
    outcome = await li.tap_label("中文")
    assert outcome.clear_tapped
    assert li.last_text == "好的，之后我会用中文和你交流。"
    assert li.replies[-1].keyboard == ("📝 记录", "📊 我的进度")
    assert (await stored(chat, li)).language == "zh"
    await li.send("/settings")
    assert li.last_text.startswith("当前语言：中文。")


async def test_frequency_and_time_are_stored_and_quiet_hours_refused_in_chinese(chat, wang):
    await wang.send("/settings")
    assert labels(wang)[0] == ["中文", "English"] and labels(wang)[1][0].startswith("✓ ")
    outcome = await wang.tap(4)  # weekly
    assert outcome.clear_tapped and "每周" in wang.last_text
    await wang.send("/settings 17:45")
    assert "17:45" in wang.last_text
    await wang.send("/settings 22:00")
    assert wang.last_text == "这个时间在免打扰时段（21:00–08:00），我不会发送任何消息。请换一个时间。"
    await wang.send("/settings")
    await wang.tap(5)  # off
    member = await stored(chat, wang)
    assert (member.reminder_frequency, member.reminder_time) == ("off", "17:45")


async def test_an_unreadable_time_says_how_to_write_it(li):
    await li.send("/settings later")
    assert li.last_text == "I could not read that time. Send it like this: /settings 17:30"


async def test_a_stranger_is_told_how_to_join(chat):
    stranger = chat.person(language_code="en")
    await stranger.send("/settings")
    assert "not a member of a school yet" in stranger.last_text
