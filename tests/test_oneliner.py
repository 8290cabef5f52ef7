"""Tests for bot.logbook.oneliner: one-line /log arguments."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.logbook.dates import When
from bot.logbook.oneliner import Draft, parse_one_liner

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=SH)  # Wednesday
ALIASES = {
    "家访": "home_visit",
    "home visit": "home_visit",
    "visit": "home_visit",
    "call": "phone_call",
    "电话": "phone_call",
    "电话家访": "phone_home_visit",
    "tutoring": "tutoring",
    "辅导": "tutoring",
}
D = dt.date
T = dt.time


def draft(**kw) -> Draft:
    return Draft(**kw)


CASES = [
    (
        "家访 王小明 昨天 40分钟 了解学习情况",
        draft(activity="home_visit", student="王小明", when=When(D(2026, 11, 17), None),
              duration_minutes=40, notes="了解学习情况"),
    ),
    (
        "call Li Lei today 10min",
        draft(activity="phone_call", student="Li Lei", when=When(D(2026, 11, 18), None), duration_minutes=10),
    ),
    ("tutoring 张三 45", draft(activity="tutoring", student="张三", duration_minutes=45)),
    # multi-word alias, multi-token date, notes keep their inner spacing
    (
        "home visit Wang Fang last friday 1h  talked about  homework, all good",
        draft(activity="home_visit", student="Wang Fang", when=When(D(2026, 11, 13), None),
              duration_minutes=60, notes="talked about  homework, all good"),
    ),
    (
        "call Li Lei yesterday 4pm 20min parents were at work",
        draft(activity="phone_call", student="Li Lei", when=When(D(2026, 11, 17), T(16, 0)),
              duration_minutes=20, notes="parents were at work"),
    ),
    (
        "辅导 张三 2 days ago 1h30 数学 作业",
        draft(activity="tutoring", student="张三", when=When(D(2026, 11, 16), None),
              duration_minutes=90, notes="数学 作业"),
    ),
    (
        "家访 王小明 昨天 下午3点 一个半小时",
        draft(activity="home_visit", student="王小明", when=When(D(2026, 11, 17), T(15, 0)),
              duration_minutes=90),
    ),
    (
        "家访 李华 昨天下午三点半 半小时 和奶奶聊了学习",
        draft(activity="home_visit", student="李华", when=When(D(2026, 11, 17), T(15, 30)),
              duration_minutes=30, notes="和奶奶聊了学习"),
    ),
    # alias glued to the name; longest alias wins
    ("家访王小明 上周五", draft(activity="home_visit", student="王小明", when=When(D(2026, 11, 13), None))),
    ("电话家访 小红 今天", draft(activity="phone_home_visit", student="小红", when=When(D(2026, 11, 18), None))),
    # a name that starts with a weekday character is still a name
    ("家访 周一鸣 前天晚上", draft(activity="home_visit", student="周一鸣", when=When(D(2026, 11, 16), T(19, 0)))),
    # a capitalised "Sun" where the name goes is a surname, not Sunday
    ("call Sun Li yesterday", draft(activity="phone_call", student="Sun Li", when=When(D(2026, 11, 17), None))),
    # duration before date
    ("电话 王小明 20分钟 两天前", draft(activity="phone_call", student="王小明", duration_minutes=20,
                                      when=When(D(2026, 11, 16), None))),
    # missing parts stay None
    ("家访 王小明", draft(activity="home_visit", student="王小明")),
    ("家访", draft(activity="home_visit")),
    ("", draft()),
    ("王小明 昨天", draft(student="王小明", when=When(D(2026, 11, 17), None))),
    ("电话 40分钟 昨天", draft(activity="phone_call", duration_minutes=40, when=When(D(2026, 11, 17), None))),
    # a bare number before any name is not a duration
    ("tutoring 45", draft(activity="tutoring", student="45")),
    ("tutoring 张三 45 反馈作业", draft(activity="tutoring", student="张三", duration_minutes=45, notes="反馈作业")),
    ("call Li Lei nov 10 45", draft(activity="phone_call", student="Li Lei", when=When(D(2026, 11, 10), None),
                                    duration_minutes=45)),
    ("家访 王小明 昨天 两小时 - 谈心", draft(activity="home_visit", student="王小明", when=When(D(2026, 11, 17), None),
                                          duration_minutes=120, notes="谈心")),
    # invalid parts: error recorded, field left None, the rest still parsed
    ("visit 李雷 明天 30分钟", draft(activity="home_visit", student="李雷", duration_minutes=30,
                                  errors={"when": "future"})),
    ("visit 李雷 2026-08-01", draft(activity="home_visit", student="李雷", errors={"when": "too_old"})),
    ("call Li Lei 2/30 10min", draft(activity="phone_call", student="Li Lei", duration_minutes=10,
                                     errors={"when": "unparseable"})),
    ("tutoring 张三 今天 0", draft(activity="tutoring", student="张三", when=When(D(2026, 11, 18), None),
                                 errors={"duration_minutes": "not_positive"})),
    ("tutoring 张三 13h", draft(activity="tutoring", student="张三", errors={"duration_minutes": "too_long"})),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_parse_one_liner(text, expected):
    assert parse_one_liner(text, ALIASES, NOW) == expected


def test_case_count():
    assert len(CASES) >= 12


def test_alias_matching_is_case_insensitive():
    d = parse_one_liner("Home Visit Li Lei today", ALIASES, NOW)
    assert (d.activity, d.student) == ("home_visit", "Li Lei")


def test_no_alias_means_no_activity():
    d = parse_one_liner("王小明 昨天 40分钟", ALIASES, NOW)
    assert d.activity is None
    assert (d.student, d.duration_minutes) == ("王小明", 40)


def test_limits_are_passed_through():
    d = parse_one_liner("家访 王小明 2026-08-01 3h", ALIASES, NOW, max_days_back=200, max_minutes=120)
    assert d.when == When(D(2026, 8, 1), None)
    assert d.errors == {"duration_minutes": "too_long"}
