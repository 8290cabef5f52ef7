"""Tests for bot.logbook.dates: date phrases and durations, Chinese and English."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.logbook.dates import (
    DurationError,
    When,
    WhenError,
    looks_like_duration,
    looks_like_when,
    parse_duration,
    parse_time_of_day,
    parse_when,
)

SH = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-11-18, 17:30 in Shanghai.
NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=SH)
D = dt.date
T = dt.time

WHEN_CASES = [
    # --- English: days
    ("today", D(2026, 11, 18), None),
    ("Today", D(2026, 11, 18), None),
    ("yesterday", D(2026, 11, 17), None),
    ("yday", D(2026, 11, 17), None),
    ("the day before yesterday", D(2026, 11, 16), None),
    ("2 days ago", D(2026, 11, 16), None),
    ("3 days ago", D(2026, 11, 15), None),
    ("twenty-five days ago", D(2026, 10, 24), None),
    ("fourteen days ago", D(2026, 11, 4), None),
    ("a week ago", D(2026, 11, 11), None),
    ("2 weeks ago", D(2026, 11, 4), None),
    ("fri", D(2026, 11, 13), None),
    ("friday", D(2026, 11, 13), None),
    ("Friday", D(2026, 11, 13), None),
    ("last friday", D(2026, 11, 13), None),
    ("wednesday", D(2026, 11, 18), None),  # today is Wednesday: today counts
    ("wed", D(2026, 11, 18), None),
    ("last wednesday", D(2026, 11, 11), None),  # "last" is strictly before today
    ("this monday", D(2026, 11, 16), None),
    ("sunday", D(2026, 11, 15), None),
    ("2026-11-10", D(2026, 11, 10), None),
    ("2026/11/10", D(2026, 11, 10), None),
    ("11/10", D(2026, 11, 10), None),
    ("nov 10", D(2026, 11, 10), None),
    ("10 nov", D(2026, 11, 10), None),
    ("November 10th", D(2026, 11, 10), None),
    ("nov 18", D(2026, 11, 18), None),
    # --- English: with a time
    ("yesterday 4pm", D(2026, 11, 17), T(16, 0)),
    ("yesterday at 4:30pm", D(2026, 11, 17), T(16, 30)),
    ("yesterday 4 pm", D(2026, 11, 17), T(16, 0)),
    ("4pm", D(2026, 11, 18), T(16, 0)),
    ("9am", D(2026, 11, 18), T(9, 0)),
    ("15:00", D(2026, 11, 18), T(15, 0)),
    ("11/10 15:00", D(2026, 11, 10), T(15, 0)),
    ("nov 10 3pm", D(2026, 11, 10), T(15, 0)),
    ("last friday 7pm", D(2026, 11, 13), T(19, 0)),
    ("this morning", D(2026, 11, 18), T(9, 0)),
    ("this afternoon", D(2026, 11, 18), T(15, 0)),
    ("last night", D(2026, 11, 17), T(19, 0)),
    ("yesterday evening", D(2026, 11, 17), T(19, 0)),
    ("yesterday morning", D(2026, 11, 17), T(9, 0)),
    ("yesterday noon", D(2026, 11, 17), T(12, 0)),
    ("fri afternoon", D(2026, 11, 13), T(15, 0)),
    # --- Chinese: days
    ("今天", D(2026, 11, 18), None),
    ("昨天", D(2026, 11, 17), None),
    ("前天", D(2026, 11, 16), None),
    ("大前天", D(2026, 11, 15), None),
    ("上周五", D(2026, 11, 13), None),
    ("上星期五", D(2026, 11, 13), None),
    ("上个礼拜五", D(2026, 11, 13), None),
    ("上上周五", D(2026, 11, 6), None),
    ("上周三", D(2026, 11, 11), None),
    ("周五", D(2026, 11, 13), None),
    ("星期五", D(2026, 11, 13), None),
    ("礼拜五", D(2026, 11, 13), None),
    ("周三", D(2026, 11, 18), None),  # today
    ("周日", D(2026, 11, 15), None),
    ("星期天", D(2026, 11, 15), None),
    ("本周一", D(2026, 11, 16), None),
    ("这周一", D(2026, 11, 16), None),
    ("11月10号", D(2026, 11, 10), None),
    ("11月10日", D(2026, 11, 10), None),
    ("十一月十号", D(2026, 11, 10), None),
    ("11.10", D(2026, 11, 10), None),
    ("2026年11月10日", D(2026, 11, 10), None),
    ("10号", D(2026, 11, 10), None),
    ("20号", D(2026, 10, 20), None),  # most recent past 20th
    ("两天前", D(2026, 11, 16), None),
    ("三天前", D(2026, 11, 15), None),
    ("3天前", D(2026, 11, 15), None),
    ("十天前", D(2026, 11, 8), None),
    ("一周前", D(2026, 11, 11), None),
    # --- Chinese: with a time or a period of the day
    ("昨天下午3点", D(2026, 11, 17), T(15, 0)),
    ("昨天下午三点半", D(2026, 11, 17), T(15, 30)),
    ("昨天 下午3点", D(2026, 11, 17), T(15, 0)),
    ("昨天下午3:30", D(2026, 11, 17), T(15, 30)),
    ("昨天15:00", D(2026, 11, 17), T(15, 0)),
    ("昨天下午两点一刻", D(2026, 11, 17), T(14, 15)),
    ("昨天上午十点四十五分", D(2026, 11, 17), T(10, 45)),
    ("昨晚", D(2026, 11, 17), T(19, 0)),
    ("昨晚8点", D(2026, 11, 17), T(20, 0)),
    ("昨天晚上十二点", D(2026, 11, 18), T(0, 0)),  # midnight ending yesterday
    ("前天晚上", D(2026, 11, 16), T(19, 0)),
    ("前天中午", D(2026, 11, 16), T(12, 0)),
    ("今天上午", D(2026, 11, 18), T(9, 0)),
    ("今天下午", D(2026, 11, 18), T(15, 0)),
    ("上午10点", D(2026, 11, 18), T(10, 0)),
    ("下午3点", D(2026, 11, 18), T(15, 0)),
    ("下午5点半", D(2026, 11, 18), T(17, 30)),  # exactly now is not future
    ("3点", D(2026, 11, 18), T(15, 0)),  # bare 1-6 o'clock = afternoon
    ("8点", D(2026, 11, 18), T(8, 0)),
    ("上周五晚上8点", D(2026, 11, 13), T(20, 0)),
    ("上周三晚上7点半", D(2026, 11, 11), T(19, 30)),
    ("11月10号下午4点", D(2026, 11, 10), T(16, 0)),
    ("凌晨3点", D(2026, 11, 18), T(3, 0)),
    # full-width digits and colon
    ("昨天１５：００", D(2026, 11, 17), T(15, 0)),
]


# Phrases people type on phones, by kind (issue 8, "Dates people type"); same clock as above.
NUMERIC_DATE_CASES = [
    # Month first, with a hyphen, slash or dot, as Chinese and US users write it.
    ("11-10", D(2026, 11, 10), None),
    ("11-1", D(2026, 11, 1), None),
    ("10-20", D(2026, 10, 20), None),
    ("11 - 10", D(2026, 11, 10), None),
    ("11-10 15:00", D(2026, 11, 10), T(15, 0)),
    ("11-10下午3点", D(2026, 11, 10), T(15, 0)),
    ("11-10 3pm", D(2026, 11, 10), T(15, 0)),
    ("11/10 at 3pm", D(2026, 11, 10), T(15, 0)),
    ("11.10 下午", D(2026, 11, 10), T(15, 0)),
    ("11/10/2026", D(2026, 11, 10), None),
    ("11-10-2026", D(2026, 11, 10), None),
    ("11/10/26", D(2026, 11, 10), None),
    ("2026-11-10 15:30", D(2026, 11, 10), T(15, 30)),
    ("2026.11.10", D(2026, 11, 10), None),
    ("２０２６－１１－１０", D(2026, 11, 10), None),
    ("１１-１０", D(2026, 11, 10), None),
    # No 20th month: day first.
    ("20/10", D(2026, 10, 20), None),
    ("20-10", D(2026, 10, 20), None),
    ("20.10.2026", D(2026, 10, 20), None),
    # Both could be a month: month first (10/11 is October 11).
    ("10/11", D(2026, 10, 11), None),
]

DATE_WITH_WEEKDAY_CASES = [
    ("11月14日周六", D(2026, 11, 14), None),
    ("11月14日（周六）", D(2026, 11, 14), None),
    ("11月14日(周六)", D(2026, 11, 14), None),
    ("11月14号 星期六", D(2026, 11, 14), None),
    ("11月14号礼拜六", D(2026, 11, 14), None),
    ("周六11月14日", D(2026, 11, 14), None),
    ("星期六 11月14号", D(2026, 11, 14), None),
    ("2026年11月14日星期六", D(2026, 11, 14), None),
    ("2026-11-14 周六", D(2026, 11, 14), None),
    ("11-14 周六", D(2026, 11, 14), None),
    ("11月14日周六下午3点", D(2026, 11, 14), T(15, 0)),
    ("11月13号周五上午", D(2026, 11, 13), T(9, 0)),
    ("11月15日周日", D(2026, 11, 15), None),
    ("11月15日星期天", D(2026, 11, 15), None),
    ("11月16日（周一）", D(2026, 11, 16), None),
    ("14号周六", D(2026, 11, 14), None),
    ("Sat 14 Nov", D(2026, 11, 14), None),
    ("Saturday, Nov 14", D(2026, 11, 14), None),
    ("Saturday 14 November", D(2026, 11, 14), None),
    ("sat, nov 14th", D(2026, 11, 14), None),
    ("Sat Nov 14 3pm", D(2026, 11, 14), T(15, 0)),
    ("Fri 13 Nov", D(2026, 11, 13), None),
    ("Friday, November 13", D(2026, 11, 13), None),
    ("mon 16 nov", D(2026, 11, 16), None),
    ("11/14 sat", D(2026, 11, 14), None),
    ("Wednesday, Nov 18", D(2026, 11, 18), None),
    # Only a later year fits: 2025-11-11 was a Tuesday, 2026-11-11 a Wednesday.
    ("11月11日周三", D(2026, 11, 11), None),
]

COLLOQUIAL_CASES = [
    # Days.
    ("今儿", D(2026, 11, 18), None),
    ("今儿个上午", D(2026, 11, 18), T(9, 0)),
    ("昨儿", D(2026, 11, 17), None),
    ("昨儿个", D(2026, 11, 17), None),
    ("昨个", D(2026, 11, 17), None),
    ("昨儿下午", D(2026, 11, 17), T(15, 0)),
    ("昨儿晚上", D(2026, 11, 17), T(19, 0)),
    ("昨儿个下午3点", D(2026, 11, 17), T(15, 0)),
    ("前儿", D(2026, 11, 16), None),
    ("前儿个", D(2026, 11, 16), None),
    ("前儿晚上", D(2026, 11, 16), T(19, 0)),
    ("大前儿", D(2026, 11, 15), None),
    ("前日", D(2026, 11, 16), None),
    ("大前天上午", D(2026, 11, 15), T(9, 0)),
    ("大前天晚上8点", D(2026, 11, 15), T(20, 0)),
    ("earlier today", D(2026, 11, 18), None),
    ("Earlier today!", D(2026, 11, 18), None),
    ("earlier", D(2026, 11, 18), None),
    ("a couple of days ago", D(2026, 11, 16), None),
    ("a couple days ago", D(2026, 11, 16), None),
    ("couple of days ago", D(2026, 11, 16), None),
    ("two days ago", D(2026, 11, 16), None),
    ("a day ago", D(2026, 11, 17), None),
    ("1 week ago", D(2026, 11, 11), None),
    ("day before yesterday", D(2026, 11, 16), None),
    # Just now and moments back from now (17:30).
    ("刚才", D(2026, 11, 18), T(17, 30)),
    ("刚刚", D(2026, 11, 18), T(17, 30)),
    ("方才", D(2026, 11, 18), T(17, 30)),
    ("刚", D(2026, 11, 18), T(17, 30)),
    ("just now", D(2026, 11, 18), T(17, 30)),
    ("Just now.", D(2026, 11, 18), T(17, 30)),
    ("right now", D(2026, 11, 18), T(17, 30)),
    ("a moment ago", D(2026, 11, 18), T(17, 30)),
    ("半小时前", D(2026, 11, 18), T(17, 0)),
    ("一小时前", D(2026, 11, 18), T(16, 30)),
    ("两个小时前", D(2026, 11, 18), T(15, 30)),
    ("一个半小时前", D(2026, 11, 18), T(16, 0)),
    ("10分钟前", D(2026, 11, 18), T(17, 20)),
    ("二十分钟以前", D(2026, 11, 18), T(17, 10)),
    ("an hour ago", D(2026, 11, 18), T(16, 30)),
    ("2 hours ago", D(2026, 11, 18), T(15, 30)),
    ("half an hour ago", D(2026, 11, 18), T(17, 0)),
    ("90 minutes ago", D(2026, 11, 18), T(16, 0)),
    ("20 mins ago", D(2026, 11, 18), T(17, 10)),
    # Periods of the day.
    ("今早", D(2026, 11, 18), T(9, 0)),
    ("今晨", D(2026, 11, 18), T(9, 0)),
    ("今天早上", D(2026, 11, 18), T(9, 0)),
    ("今早8点", D(2026, 11, 18), T(8, 0)),
    ("昨早", D(2026, 11, 17), T(9, 0)),
    ("早上", D(2026, 11, 18), T(9, 0)),
    ("中午", D(2026, 11, 18), T(12, 0)),
    ("今天中午", D(2026, 11, 18), T(12, 0)),
    ("下午", D(2026, 11, 18), T(15, 0)),
    ("昨天傍晚", D(2026, 11, 17), T(18, 0)),
    ("昨天夜里", D(2026, 11, 17), T(22, 0)),
    ("昨夜", D(2026, 11, 17), T(19, 0)),
    ("昨晚10点", D(2026, 11, 17), T(22, 0)),
    ("昨晚十点半", D(2026, 11, 17), T(22, 30)),
    ("前晚", D(2026, 11, 16), T(19, 0)),
    ("昨天夜里11点", D(2026, 11, 17), T(23, 0)),
    ("昨天夜里两点", D(2026, 11, 17), T(2, 0)),
    ("昨天凌晨3点", D(2026, 11, 17), T(3, 0)),
    ("昨天傍晚6点", D(2026, 11, 17), T(18, 0)),
    ("this morning", D(2026, 11, 18), T(9, 0)),
    ("This morning at 10", D(2026, 11, 18), T(10, 0)),
    ("this afternoon at 2", D(2026, 11, 18), T(14, 0)),
    ("this afternoon at 2:30", D(2026, 11, 18), T(14, 30)),
    ("yesterday afternoon", D(2026, 11, 17), T(15, 0)),
    ("yesterday evening 8:30", D(2026, 11, 17), T(20, 30)),
    ("last night at 8pm", D(2026, 11, 17), T(20, 0)),
    ("yesterday at noon", D(2026, 11, 17), T(12, 0)),
    ("noon", D(2026, 11, 18), T(12, 0)),
    ("on friday afternoon", D(2026, 11, 13), T(15, 0)),
    ("sunday afternoon", D(2026, 11, 15), T(15, 0)),
    ("the day before yesterday afternoon", D(2026, 11, 16), T(15, 0)),
    # Hours and minutes.
    ("早上8点", D(2026, 11, 18), T(8, 0)),
    ("早8点", D(2026, 11, 18), T(8, 0)),
    ("早八点", D(2026, 11, 18), T(8, 0)),
    ("上午十点半", D(2026, 11, 18), T(10, 30)),
    ("中午1点", D(2026, 11, 18), T(13, 0)),
    ("中午十二点半", D(2026, 11, 18), T(12, 30)),
    ("下午两点", D(2026, 11, 18), T(14, 0)),
    ("下午2点30分", D(2026, 11, 18), T(14, 30)),
    ("下午2点30", D(2026, 11, 18), T(14, 30)),
    ("下午 2:30", D(2026, 11, 18), T(14, 30)),
    ("下午三点一刻", D(2026, 11, 18), T(15, 15)),
    ("下午三点三刻", D(2026, 11, 18), T(15, 45)),
    ("下午四点十五", D(2026, 11, 18), T(16, 15)),
    ("下午3时", D(2026, 11, 18), T(15, 0)),
    ("下午3点钟", D(2026, 11, 18), T(15, 0)),
    ("3点半", D(2026, 11, 18), T(15, 30)),
    ("三点半", D(2026, 11, 18), T(15, 30)),
    ("两点", D(2026, 11, 18), T(14, 0)),
    ("十点", D(2026, 11, 18), T(10, 0)),
    ("10点半", D(2026, 11, 18), T(10, 30)),
    ("15点30", D(2026, 11, 18), T(15, 30)),
    ("15点半", D(2026, 11, 18), T(15, 30)),
    ("十五点", D(2026, 11, 18), T(15, 0)),
    ("15时", D(2026, 11, 18), T(15, 0)),
    ("昨天下午三点多", D(2026, 11, 17), T(15, 0)),
    ("昨天下午3点左右", D(2026, 11, 17), T(15, 0)),
    ("大概昨天下午3点", D(2026, 11, 17), T(15, 0)),
    ("today at 9", D(2026, 11, 18), T(9, 0)),
    ("yesterday at 4 o'clock", D(2026, 11, 17), T(16, 0)),
    ("3:30 p.m.", D(2026, 11, 18), T(15, 30)),
    ("8 a.m.", D(2026, 11, 18), T(8, 0)),
    ("12pm", D(2026, 11, 18), T(12, 0)),
    ("yesterday 3:30pm", D(2026, 11, 17), T(15, 30)),
    # Weekdays with 周/星期/礼拜 and week prefixes (Monday-based weeks).
    ("礼拜天", D(2026, 11, 15), None),
    ("礼拜日", D(2026, 11, 15), None),
    ("周天", D(2026, 11, 15), None),
    ("星期日", D(2026, 11, 15), None),
    ("周四", D(2026, 11, 12), None),
    ("星期二", D(2026, 11, 17), None),
    ("上礼拜五", D(2026, 11, 13), None),
    ("上礼拜天", D(2026, 11, 15), None),
    ("上周一", D(2026, 11, 9), None),
    ("上个星期二", D(2026, 11, 10), None),
    ("上上周一", D(2026, 11, 2), None),
    ("上上个星期五", D(2026, 11, 6), None),
    ("这周二", D(2026, 11, 17), None),
    ("这个周二", D(2026, 11, 17), None),
    ("本周三", D(2026, 11, 18), None),
    ("本星期一", D(2026, 11, 16), None),
    ("这礼拜一", D(2026, 11, 16), None),
    ("周日下午两点半", D(2026, 11, 15), T(14, 30)),
    ("礼拜天下午两点半", D(2026, 11, 15), T(14, 30)),
    ("星期六上午十点", D(2026, 11, 14), T(10, 0)),
    ("周五下午3点半", D(2026, 11, 13), T(15, 30)),
    ("上周五下午", D(2026, 11, 13), T(15, 0)),
    ("this past monday", D(2026, 11, 16), None),
    ("last fri", D(2026, 11, 13), None),
    ("thurs", D(2026, 11, 12), None),
    ("last friday 3pm", D(2026, 11, 13), T(15, 0)),
    ("last wed 4pm", D(2026, 11, 11), T(16, 0)),
    # Days counted back.
    ("1天前", D(2026, 11, 17), None),
    ("两天以前", D(2026, 11, 16), None),
    ("三天之前", D(2026, 11, 15), None),
    ("十五天前", D(2026, 11, 3), None),
    ("两周前", D(2026, 11, 4), None),
    ("一个礼拜以前", D(2026, 11, 11), None),
    ("两个星期前", D(2026, 11, 4), None),
    # Days of the month, in Chinese numerals up to 三十一.
    ("十一月十号", D(2026, 11, 10), None),
    ("十一月十日", D(2026, 11, 10), None),
    ("十月三十一号", D(2026, 10, 31), None),
    ("九月二十号", D(2026, 9, 20), None),
    ("二十号", D(2026, 10, 20), None),
    ("三十一号", D(2026, 10, 31), None),
    ("十五号", D(2026, 11, 15), None),
    ("一号", D(2026, 11, 1), None),
    ("本月1号", D(2026, 11, 1), None),
    ("这个月10号", D(2026, 11, 10), None),
    ("上个月20号", D(2026, 10, 20), None),
    ("上月31号", D(2026, 10, 31), None),
    ("11 月 10 日", D(2026, 11, 10), None),
    ("the 10th", D(2026, 11, 10), None),
    ("on the 10th", D(2026, 11, 10), None),
    ("10th of november", D(2026, 11, 10), None),
    ("november 10, 2026", D(2026, 11, 10), None),
    ("31st october", D(2026, 10, 31), None),
    # Full-width forms, spaces and punctuation.
    ("１１月１０号", D(2026, 11, 10), None),
    ("２０号", D(2026, 10, 20), None),
    ("２０２６年１１月１０日", D(2026, 11, 10), None),
    ("昨天下午３点", D(2026, 11, 17), T(15, 0)),
    ("昨天。", D(2026, 11, 17), None),
    ("昨天！", D(2026, 11, 17), None),
    ("昨天~", D(2026, 11, 17), None),
    ("昨天…", D(2026, 11, 17), None),
    ("  昨天  ", D(2026, 11, 17), None),
    ("昨天，下午3点", D(2026, 11, 17), T(15, 0)),
    ("昨天 下午 3 点", D(2026, 11, 17), T(15, 0)),
    ("昨　天", D(2026, 11, 17), None),
    ("昨天的下午", D(2026, 11, 17), T(15, 0)),
    ("Yesterday!", D(2026, 11, 17), None),
    ("Today.", D(2026, 11, 18), None),
    # Shortened or doubled words.
    ("周五晚", D(2026, 11, 13), T(19, 0)),
    ("上周四晚", D(2026, 11, 12), T(19, 0)),
    ("周一早", D(2026, 11, 16), T(9, 0)),
    ("周五晚8点", D(2026, 11, 13), T(20, 0)),
    ("上周星期五", D(2026, 11, 13), None),
    ("上个礼拜的礼拜五", D(2026, 11, 13), None),
    ("今天早些时候", D(2026, 11, 18), None),
    ("26年11月10日", D(2026, 11, 10), None),
    ("4.30pm", D(2026, 11, 18), T(16, 30)),
    ("Nov. 10", D(2026, 11, 10), None),
    # A range of time gives its start.
    ("昨天下午3点到4点", D(2026, 11, 17), T(15, 0)),
    ("昨天下午3-5点", D(2026, 11, 17), T(15, 0)),
    ("下午三到四点", D(2026, 11, 18), T(15, 0)),
    ("上周五 14:00~15:30", D(2026, 11, 13), T(14, 0)),
    ("2026-11-10 15:00-16:00", D(2026, 11, 10), T(15, 0)),
    ("yesterday 3pm to 4pm", D(2026, 11, 17), T(15, 0)),
    ("yesterday 3-4pm", D(2026, 11, 17), T(15, 0)),
    ("10:30-11:30am", D(2026, 11, 18), T(10, 30)),
    # Hedges and other everyday English and Chinese.
    ("last night around 8", D(2026, 11, 17), T(20, 0)),
    ("about 3pm yesterday", D(2026, 11, 17), T(15, 0)),
    ("yesterday around 3", D(2026, 11, 17), T(15, 0)),
    ("下午3点整", D(2026, 11, 18), T(15, 0)),
    ("yesterday lunchtime", D(2026, 11, 17), T(12, 0)),
    ("yesterday at lunch", D(2026, 11, 17), T(12, 0)),
    ("2 days back", D(2026, 11, 16), None),
    ("a week back", D(2026, 11, 11), None),
    # A weekday of last or this Monday-based week, said in English.
    ("friday last week", D(2026, 11, 13), None),
    ("Friday of last week", D(2026, 11, 13), None),
    ("last week's friday", D(2026, 11, 13), None),
    ("last week thursday 3pm", D(2026, 11, 12), T(15, 0)),
    ("monday this week", D(2026, 11, 16), None),
    ("sun last week", D(2026, 11, 15), None),
]

TYPED_CASES = NUMERIC_DATE_CASES + DATE_WITH_WEEKDAY_CASES + COLLOQUIAL_CASES


@pytest.mark.parametrize(("phrase", "day", "time"), TYPED_CASES, ids=[c[0] for c in TYPED_CASES])
def test_parse_when_reads_phrases_people_type(phrase, day, time):
    assert parse_when(phrase, NOW) == When(day, time)


def test_typed_phrases_table_is_big_enough():
    assert len(TYPED_CASES) >= 150
    assert len({phrase for phrase, _, _ in TYPED_CASES}) == len(TYPED_CASES)


@pytest.mark.parametrize(("phrase", "day", "time"), WHEN_CASES, ids=[c[0] for c in WHEN_CASES])
def test_parse_when_table(phrase, day, time):
    assert parse_when(phrase, NOW) == When(day, time)


def test_table_is_big_enough():
    assert len(WHEN_CASES) >= 50


@pytest.mark.parametrize("phrase", [
    "11月13日周六", "11月13日（周六）", "周六11月13日", "11-13 周六", "2026年11月13日星期四", "Sat 13 Nov",
    "Saturday, Nov 13", "Fri 14 Nov", "11月14日周日", "14号周五",
])
def test_a_weekday_that_contradicts_the_date_is_refused_not_guessed(phrase):
    # Friday 2026-11-13 and Saturday 2026-11-14, and no other year near enough fits either.
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == "weekday_mismatch"
    assert exc.value.text == phrase


@pytest.mark.parametrize("phrase", [
    # A date with its weekday picks the coming one: Saturday 2026-11-21, not Friday 2025-11-21.
    "11月21日周六", "11月21日（周六）", "11月21号 星期六", "周六11月21日", "Sat 21 Nov", "Saturday, Nov 21",
    "2026-11-21 周六", "11-21 sat",
    # Later today, tomorrow and beyond, in the words people use.
    "今晚", "今晚8点", "傍晚", "今天傍晚", "夜里", "晚上", "this evening", "tonight at 9", "明儿", "明早", "明晚",
    "下礼拜一", "下个星期五", "in 2 days", "wednesday next week", "friday this week", "本月20号", "这个月30号",
    "晚上8点半", "下午6点", "6pm",
    # Weeks, months and years ahead: refused as the future, not as unreadable.
    "3 months later", "三个月后", "3个月以后", "半年后", "两周后", "一年之后", "3 days later", "in 3 weeks",
    "in a month", "a week from now", "下个月", "下周", "next month", "明年",
])
def test_future_phrases_are_read_as_dates_in_the_future(phrase):
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == "future"


@pytest.mark.parametrize("phrase", [
    "11-31", "2-30", "2026-13-01", "3点70分", "11月31日周二", "凌晨", "30小时前", "上午下午", "周八", "下午25点",
])
def test_impossible_or_vague_typed_phrases_are_unparseable(phrase):
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == "unparseable"


@pytest.mark.parametrize(("phrase", "code"), [
    ("9" * 309 + "天前", "unparseable"),
    ("9" * 5000 + "天前", "unparseable"),
    ("999999999天前", "too_old"),
    ("in 999999999 days", "future"),
    ("9" * 20 + "小时前", "unparseable"),
    ("9" * 20 + "年1月1日", "unparseable"),
    ("1月" + "9" * 20 + "日", "unparseable"),
    ("昨天 " + "9" * 309, "unparseable"),
])
def test_absurdly_long_numbers_get_an_answer_not_an_overflow(phrase, code):
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == code


MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=SH)
NEW_YEARS_DAY = dt.datetime(2027, 1, 1, 10, 0, tzinfo=SH)  # a Friday
JUST_AFTER_MIDNIGHT = dt.datetime(2027, 1, 1, 0, 30, tzinfo=SH)
MARCH_END = dt.datetime(2026, 3, 31, 20, 0, tzinfo=SH)  # a Tuesday
MARCH_START = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SH)  # a Sunday; February 2026 has 28 days

OTHER_NOW_CASES = [
    (MONDAY, "周一", D(2026, 11, 16), None),
    (MONDAY, "今早", D(2026, 11, 16), T(9, 0)),  # exactly now
    (MONDAY, "上周一", D(2026, 11, 9), None),
    (MONDAY, "上周日", D(2026, 11, 15), None),
    (MONDAY, "上上周日", D(2026, 11, 8), None),
    (MONDAY, "周日", D(2026, 11, 15), None),
    (MONDAY, "礼拜天下午两点半", D(2026, 11, 15), T(14, 30)),
    (MONDAY, "last monday", D(2026, 11, 9), None),
    (MONDAY, "this monday", D(2026, 11, 16), None),
    (MONDAY, "大前天", D(2026, 11, 13), None),
    (MONDAY, "刚才", D(2026, 11, 16), T(9, 0)),
    (MONDAY, "两小时前", D(2026, 11, 16), T(7, 0)),
    (MONDAY, "11月16日周一", D(2026, 11, 16), None),
    (NEW_YEARS_DAY, "12-31", D(2026, 12, 31), None),
    (NEW_YEARS_DAY, "12/31", D(2026, 12, 31), None),
    (NEW_YEARS_DAY, "12月31日周四", D(2026, 12, 31), None),
    (NEW_YEARS_DAY, "Thu 31 Dec", D(2026, 12, 31), None),
    (NEW_YEARS_DAY, "昨天", D(2026, 12, 31), None),
    (NEW_YEARS_DAY, "上周五", D(2026, 12, 25), None),
    (NEW_YEARS_DAY, "周五", D(2027, 1, 1), None),
    (NEW_YEARS_DAY, "本周一", D(2026, 12, 28), None),
    (NEW_YEARS_DAY, "上个月20号", D(2026, 12, 20), None),
    (NEW_YEARS_DAY, "20号", D(2026, 12, 20), None),
    (NEW_YEARS_DAY, "三十一号", D(2026, 12, 31), None),
    (NEW_YEARS_DAY, "1号", D(2027, 1, 1), None),
    (NEW_YEARS_DAY, "1月1日周五", D(2027, 1, 1), None),
    (NEW_YEARS_DAY, "三小时前", D(2027, 1, 1), T(7, 0)),
    (JUST_AFTER_MIDNIGHT, "一小时前", D(2026, 12, 31), T(23, 30)),
    (JUST_AFTER_MIDNIGHT, "刚刚", D(2027, 1, 1), T(0, 30)),
    (JUST_AFTER_MIDNIGHT, "昨晚", D(2026, 12, 31), T(19, 0)),
    (JUST_AFTER_MIDNIGHT, "昨晚12点", D(2027, 1, 1), T(0, 0)),
    (MARCH_END, "上个月28号", D(2026, 2, 28), None),
    (MARCH_END, "30号", D(2026, 3, 30), None),
    (MARCH_END, "31号", D(2026, 3, 31), None),
    (MARCH_END, "上周日", D(2026, 3, 29), None),
    (MARCH_END, "这周一", D(2026, 3, 30), None),
    (MARCH_END, "3-1", D(2026, 3, 1), None),
    (MARCH_START, "30号", D(2026, 1, 30), None),  # no 30th in February
    (MARCH_START, "二十九号", D(2026, 1, 29), None),
    (MARCH_START, "上个月28号", D(2026, 2, 28), None),
    (MARCH_START, "周日", D(2026, 3, 1), None),
    (MARCH_START, "上周日", D(2026, 2, 22), None),
    (MARCH_START, "这周一", D(2026, 2, 23), None),
    (MARCH_START, "2月28日周六", D(2026, 2, 28), None),
]


@pytest.mark.parametrize(("now", "phrase", "day", "time"), OTHER_NOW_CASES,
                         ids=[f"{c[0]:%Y-%m-%d %H:%M} {c[1]}" for c in OTHER_NOW_CASES])
def test_weeks_and_months_are_counted_right_across_boundaries(now, phrase, day, time):
    assert parse_when(phrase, now) == When(day, time)


def test_a_last_month_day_that_does_not_exist_is_unparseable():
    with pytest.raises(WhenError) as exc:
        parse_when("上个月31号", MARCH_END)  # February
    assert exc.value.code == "unparseable"


@pytest.mark.parametrize(("text", "expected"), [
    ("下午7点", T(19, 0)), ("19点", T(19, 0)), ("晚上七点", T(19, 0)), ("7pm", T(19, 0)), ("17:30", T(17, 30)),
    ("１７：３０", T(17, 30)), ("早上8点半", T(8, 30)), ("晚上12点", T(0, 0)), ("下午四点一刻", T(16, 15)),
    ("7点", T(7, 0)), ("at 4:30pm", T(16, 30)), ("中午", T(12, 0)),
])
def test_parse_time_of_day_reads_a_time_said_alone(text, expected):
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["昨天下午3点", "王小明", "", "25点", "4:75pm", "上午15点", "tomorrow 7pm", "凌晨"])
def test_parse_time_of_day_is_none_for_anything_else(text):
    assert parse_time_of_day(text) is None


@pytest.mark.parametrize(
    "phrase",
    ["tomorrow", "明天", "后天", "明天上午", "3天后", "下周一", "next friday", "this friday",
     "今天晚上11点", "晚上8点", "tonight", "今晚", "今天晚上", "下午5点31", "11pm",
     "2026-11-20", "本周日", "这周五"],
)
def test_future_is_refused(phrase):
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == "future"


@pytest.mark.parametrize("phrase", ["2026-08-01", "11月20号", "11/20", "nov 20", "20 nov", "十一月二十号",
                                    "100 days ago"])
def test_too_old_is_refused(phrase):
    # Year-less 11/20 is the most recent past one: 2025-11-20.
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == "too_old"
    assert exc.value.limit_days == 60


def test_year_less_date_resolves_to_last_year():
    assert parse_when("11月20号", NOW, max_days_back=400) == When(D(2025, 11, 20), None)
    assert parse_when("nov 20", NOW, max_days_back=400) == When(D(2025, 11, 20), None)


def test_max_days_back_boundary():
    assert parse_when("2026-09-19", NOW).day == D(2026, 9, 19)  # exactly 60 days
    with pytest.raises(WhenError) as exc:
        parse_when("2026-09-18", NOW)
    assert exc.value.code == "too_old"
    with pytest.raises(WhenError):
        parse_when("3 days ago", NOW, max_days_back=2)


@pytest.mark.parametrize(
    "phrase",
    ["banana", "asdf", "", "   ", "45", "40分钟", "10min", "3 days", "last week", "上周", "上个月",
     "王小明", "家访", "2/30", "13月5号", "2026-02-30", "25点", "may", "4:75pm"],
)
def test_unparseable(phrase):
    with pytest.raises(WhenError) as exc:
        parse_when(phrase, NOW)
    assert exc.value.code == "unparseable"


@pytest.mark.parametrize("phrase", ["yesterday", "昨天", "上周五", "11月10号", "两天前", "friday", "nov 10",
                                    "2026-11-10"])
def test_date_only_never_invents_a_time(phrase):
    assert parse_when(phrase, NOW).time is None


def test_across_new_year():
    now = dt.datetime(2027, 1, 3, 10, 0, tzinfo=SH)
    assert parse_when("12月30号", now) == When(D(2026, 12, 30), None)
    assert parse_when("12/30", now) == When(D(2026, 12, 30), None)
    assert parse_when("dec 30", now) == When(D(2026, 12, 30), None)
    assert parse_when("1月3号", now) == When(D(2027, 1, 3), None)
    # 2027-01-03 is a Sunday: this Monday-based week started 2026-12-28.
    assert parse_when("周五", now) == When(D(2027, 1, 1), None)
    assert parse_when("上周五", now) == When(D(2026, 12, 25), None)
    assert parse_when("前天", now) == When(D(2027, 1, 1), None)
    with pytest.raises(WhenError) as exc:
        parse_when("1月4号", now)  # 2026-01-04: a year ago
    assert exc.value.code == "too_old"


def test_interprets_in_the_given_zone():
    # 2026-11-18 01:00 in Shanghai is still the 17th in UTC.
    now = dt.datetime(2026, 11, 17, 17, 0, tzinfo=dt.timezone.utc).astimezone(SH)
    assert parse_when("今天", now).day == D(2026, 11, 18)
    assert parse_when("昨天晚上", now) == When(D(2026, 11, 17), T(19, 0))


def test_when_error_is_value_error():
    with pytest.raises(ValueError):
        parse_when("banana", NOW)


DURATION_CASES = [
    ("45", 45),
    ("45m", 45),
    ("45 min", 45),
    ("45 minutes", 45),
    ("45分钟", 45),
    ("45分", 45),
    ("1h", 60),
    ("1.5h", 90),
    ("1h30", 90),
    ("1h 30m", 90),
    ("1h30m", 90),
    ("90min", 90),
    ("1 hour", 60),
    ("2 hours", 120),
    ("2hrs", 120),
    ("an hour", 60),
    ("half an hour", 30),
    ("two hours", 120),
    ("半小时", 30),
    ("半个小时", 30),
    ("一个小时", 60),
    ("一小时", 60),
    ("一个半小时", 90),
    ("1个半小时", 90),
    ("1小时30分", 90),
    ("1小时30分钟", 90),
    ("两小时", 120),
    ("两个小时", 120),
    ("四十五分钟", 45),
    ("十分钟", 10),
    ("1.5小时", 90),
    ("４５分钟", 45),
    ("720", 720),
    ("forty", 40),
    ("forty minutes", 40),
    ("twenty-five minutes", 25),
    ("twenty five min", 25),
    ("fourteen minutes", 14),
    ("an hour and twenty minutes", 80),
    ("四十", 40),
    ("ninety", 90),
]


@pytest.mark.parametrize(("text", "minutes"), DURATION_CASES, ids=[c[0] for c in DURATION_CASES])
def test_parse_duration_table(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(("text", "code"), [
    ("0", "not_positive"),
    ("0min", "not_positive"),
    ("-5", "not_positive"),
    ("-1h", "not_positive"),
    ("13h", "too_long"),
    ("721", "too_long"),
    ("24小时", "too_long"),
    ("banana", "unparseable"),
    ("", "unparseable"),
    ("1h75", "unparseable"),
    ("1.5", "unparseable"),
    ("昨天", "unparseable"),
    ("45 apples", "unparseable"),
    ("two", "unparseable"),  # two minutes or two hours? asked again
    ("三", "unparseable"),
    ("twenty-ten", "unparseable"),
])
def test_parse_duration_refusals(text, code):
    with pytest.raises(DurationError) as exc:
        parse_duration(text)
    assert exc.value.code == code


def test_duration_max_minutes():
    assert parse_duration("3h", max_minutes=180) == 180
    with pytest.raises(DurationError) as exc:
        parse_duration("3h", max_minutes=120)
    assert exc.value.code == "too_long"


@pytest.mark.parametrize(("token", "expected"), [
    ("yesterday", True), ("fri", True), ("nov", True), ("11/20", True), ("4pm", True),
    ("昨天下午3点", True), ("上周五", True), ("两天前", True), ("2026-11-20", True), ("明天", True),
    ("11-20", True), ("刚才", True), ("今早", True), ("昨儿个", True), ("11月21日（周六）", True), ("earlier", True),
    ("王小明", False), ("周一鸣", False), ("Li", False), ("45", False), ("40分钟", False), ("王刚", False),
    ("了解学习情况", False), ("", False),
])
def test_looks_like_when(token, expected):
    assert looks_like_when(token) is expected


@pytest.mark.parametrize(("token", "expected"), [
    ("45", True), ("45m", True), ("1h30", True), ("半小时", True), ("四十五分钟", True),
    ("昨天", False), ("王小明", False), ("1.5", False), ("abc", False),
])
def test_looks_like_duration(token, expected):
    assert looks_like_duration(token) is expected
