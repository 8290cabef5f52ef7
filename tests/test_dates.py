"""Tests for bot.dates: date phrases and durations, Chinese and English."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.dates import (
    DurationError,
    When,
    WhenError,
    looks_like_duration,
    looks_like_when,
    parse_duration,
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


@pytest.mark.parametrize(("phrase", "day", "time"), WHEN_CASES, ids=[c[0] for c in WHEN_CASES])
def test_parse_when_table(phrase, day, time):
    assert parse_when(phrase, NOW) == When(day, time)


def test_table_is_big_enough():
    assert len(WHEN_CASES) >= 50


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
    ("王小明", False), ("周一鸣", False), ("Li", False), ("45", False), ("40分钟", False),
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
