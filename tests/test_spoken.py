"""Sentences as teachers say them (and speech recognition writes them), each with the entry it should give.

Dates are days back from the clock fixture's day, Wednesday 18 November 2026 (17:30 in Shanghai).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.logbook.spoken import read_log_line, read_sentence
from bot.quotas.policy import load_preset

ALIASES = load_preset("default").aliases_map()
SEED_000 = load_preset("seed-000").aliases_map()
T = dt.time


class Entry(NamedTuple):
    activity: str | None
    student: str | None
    days_back: int | None
    time: dt.time | None = None
    minutes: int | None = None
    notes: str | None = None


CHINESE = [
    ("昨天下午去王小明家家访了四十分钟，主要了解学习情况", Entry("home_visit", "王小明", 1, T(15), 40, "了解学习情况")),
    ("前天晚上辅导吴小龙作业一个小时", Entry("tutoring", "吴小龙", 2, T(19), 60)),
    ("上周五给李华妈妈打了个电话，聊了二十分钟，孩子最近不爱写作业",
     Entry("phone_call", "李华", 5, None, 20, "孩子最近不爱写作业")),
    ("今天上午到张伟家家访，一个半小时，和奶奶聊了孩子的学习",
     Entry("home_visit", "张伟", 0, T(9), 90, "和奶奶聊了孩子的学习")),
    ("家访王小明昨天四十分钟。", Entry("home_visit", "王小明", 1, None, 40)),
    ("昨天晚上跟小红家长通了电话半个钟头", Entry("phone_call", "小红", 1, T(19), 30)),
    ("昨天去刘洋家走访了两个小时，家里困难需要帮扶", Entry("home_visit", "刘洋", 1, None, 120, "家里困难需要帮扶")),
    ("前天给陈静家长打电话，半小时，说孩子在家不做作业",
     Entry("phone_call", "陈静", 2, None, 30, "说孩子在家不做作业")),
    ("今天下午辅导赵磊数学作业四十五分钟", Entry("tutoring", "赵磊", 0, T(15), 45, "数学作业")),
    ("今天早上给孙丽丽的爸爸打电话十分钟", Entry("phone_call", "孙丽丽", 0, T(9), 10)),
    ("两天前去黄浩家家访，了解到孩子父母在外打工",
     Entry("home_visit", "黄浩", 2, None, None, "了解到孩子父母在外打工")),
    ("11月10号家访杨帆，一个小时", Entry("home_visit", "杨帆", 8, None, 60)),
    ("今天中午和马丽的妈妈通话二十分钟", Entry("phone_call", "马丽", 0, T(12), 20)),
    ("昨天傍晚辅导高明作业", Entry("tutoring", "高明", 1, T(18))),
    ("前天晚上八点去何佳家家访，聊了一个钟头", Entry("home_visit", "何佳", 2, T(20), 60)),
    ("上周五下午三点家访罗杰，两个半小时，孩子很懂事", Entry("home_visit", "罗杰", 5, T(15), 150, "孩子很懂事")),
    ("刚才给郑爽家长打了电话，五分钟", Entry("phone_call", "郑爽", 0, T(17, 30), 5)),
    ("昨天下午辅导了林涛的作业，四十分钟", Entry("tutoring", "林涛", 1, T(15), 40)),
    ("上周四给谢娜打电话，她说孩子生病了", Entry("phone_call", "谢娜", 6, None, None, "她说孩子生病")),
    ("今天家访唐宁一小时，家长很配合", Entry("home_visit", "唐宁", 0, None, 60, "家长很配合")),
    ("昨天晚上和韩梅梅家长通了个电话，十五分钟", Entry("phone_call", "韩梅梅", 1, T(19), 15)),
    ("前天下午到冯雪家走访一个半小时", Entry("home_visit", "冯雪", 2, T(15), 90)),
    ("昨天辅导邓超英语作业三十分钟", Entry("tutoring", "邓超", 1, None, 30, "英语作业")),
    ("今天上午十点去曹阳家家访，半小时", Entry("home_visit", "曹阳", 0, T(10), 30)),
    ("上周一电话联系了彭飞的家长，聊了十分钟", Entry("phone_call", "彭飞", 9, None, 10)),
    ("给曾丽家长打电话", Entry("phone_call", "曾丽", None)),
    ("昨天家访了肖战家，一个小时", Entry("home_visit", "肖战", 1, None, 60)),
    ("今天下午在田甜家家访了三个小时，帮助孩子补习功课",
     Entry("home_visit", "田甜", 0, T(15), 180, "帮助孩子补习功课")),
    ("前天在袁媛家家访了大概四十分钟", Entry("home_visit", "袁媛", 2, None, 40)),
    ("昨天跟潘婷妈妈电话沟通了二十分钟，孩子成绩下滑", Entry("phone_call", "潘婷", 1, None, 20, "孩子成绩下滑")),
    ("大前天去蒋欣家家访", Entry("home_visit", "蒋欣", 3)),
    ("今天下午四点半辅导蔡文作业五十分钟", Entry("tutoring", "蔡文", 0, T(16, 30), 50)),
    ("上上周五家访余洁一小时", Entry("home_visit", "余洁", 12, None, 60)),
    ("昨天上午给杜鹃的奶奶打了电话，二十五分钟", Entry("phone_call", "杜鹃", 1, T(9), 25)),
    ("星期二晚上辅导叶子作业一个半小时", Entry("tutoring", "叶子", 1, T(19), 90)),
    ("前天晚上去魏来家走访，待了一个小时", Entry("home_visit", "魏来", 2, T(19), 60)),
    ("今天和吕薇家长通话，二十分钟，约好下周家访", Entry("phone_call", "吕薇", 0, None, 20, "约好下周家访")),
    ("前天给丁宁打电话问孩子的情况", Entry("phone_call", "丁宁", 2, None, None, "问孩子的情况")),
    ("这周一上午辅导姚明作业四十分钟", Entry("tutoring", "姚明", 2, T(9), 40)),
    # A range of hours says how long it took.
    ("昨天下午三点到四点去卢敏家家访", Entry("home_visit", "卢敏", 1, T(15), 60)),
    ("昨天晚上七点到八点半辅导王芳作业", Entry("tutoring", "王芳", 1, T(19), 90)),
    ("昨天晚上辅导40分钟", Entry("tutoring", None, 1, T(19), 40)),
    ("昨天家访了", Entry("home_visit", None, 1)),
    ("去石磊家家访，孩子奶奶身体不好", Entry("home_visit", "石磊", None, None, None, "孩子奶奶身体不好")),
    ("我昨天去了一趟张三家，家访了一个多小时", Entry("home_visit", "张三", 1, None, 60)),
    ("前天下午去学生赵云家家访一个小时", Entry("home_visit", "赵云", 2, T(15), 60)),
    ("嗯，那个，昨天晚上辅导王芳作业，大概一个小时左右吧", Entry("tutoring", "王芳", 1, T(19), 60)),
    ("刚刚电话家访了刘备家长，十分钟", Entry("phone_call", "刘备", 0, T(17, 30), 10)),
    ("昨天晚上八点半和李雷爸爸电话沟通孩子学习情况二十分钟",
     Entry("phone_call", "李雷", 1, T(20, 30), 20, "孩子学习情况")),
    ("今天给结对的陆鹏打电话，问了孩子的作业", Entry("phone_call", "陆鹏", 0, None, None, "问了孩子的作业")),
    ("家访，邹凯，昨天，四十分钟，了解学习情况", Entry("home_visit", "邹凯", 1, None, 40, "了解学习情况")),
    ("家访，孩子很乖", Entry("home_visit", None, None, None, None, "孩子很乖")),
    ("昨天辅导了三个学生的作业", Entry("tutoring", None, 1, None, None, "三个学生的作业")),
    ("昨天下午1点家访汪洋，一小时二十分钟", Entry("home_visit", "汪洋", 1, T(13), 80)),
]

ENGLISH = [
    ("I visited Li Lei's family yesterday afternoon for forty minutes and we talked about his homework",
     Entry("home_visit", "Li Lei", 1, T(15), 40, "we talked about his homework")),
    ("Called Zhang Wei's mother this morning for half an hour",
     Entry("phone_call", "Zhang Wei", 0, T(9), 30)),
    ("Tutored Wu Xiaolong in maths for an hour and a half last Friday",
     Entry("tutoring", "Wu Xiaolong", 5, None, 90, "in maths")),
    ("Yesterday evening I called Chen Jing's dad, twenty minutes, he says she is not doing homework",
     Entry("phone_call", "Chen Jing", 1, T(19), 20, "he says she is not doing homework")),
    ("Had a phone call with Liu Yang's grandmother on Monday for fifteen minutes",
     Entry("phone_call", "Liu Yang", 2, None, 15)),
    ("Home visit to Zhao Lei last Friday afternoon, two hours, the family needs support",
     Entry("home_visit", "Zhao Lei", 5, T(15), 120, "the family needs support")),
    ("Just now I tutored Gao Ming for 45 minutes", Entry("tutoring", "Gao Ming", 0, T(17, 30), 45)),
    ("Visited Luo Jie's family the day before yesterday for an hour",
     Entry("home_visit", "Luo Jie", 2, None, 60)),
    ("Called Sun Li's mum yesterday, she will come to school on Friday",
     Entry("phone_call", "Sun Li", 1, None, None, "she will come to school on Friday")),
    ("I tutored Tang Ning yesterday evening for an hour", Entry("tutoring", "Tang Ning", 1, T(19), 60)),
    ("Visited Han Mei this morning for thirty minutes, the grandparents look after her",
     Entry("home_visit", "Han Mei", 0, T(9), 30, "the grandparents look after her")),
    ("Called Peng Fei's parents on Tuesday, ten minutes", Entry("phone_call", "Peng Fei", 1, None, 10)),
    ("Tutored Xiao Zhan two days ago for one hour, reading practice",
     Entry("tutoring", "Xiao Zhan", 2, None, 60, "reading practice")),
    ("I did a home visit to Tian Tian's family last Monday, an hour and a half",
     Entry("home_visit", "Tian Tian", 2, None, 90)),
    ("Um, yesterday I phoned Ye Zi's father for twenty-five minutes",
     Entry("phone_call", "Ye Zi", 1, None, 25)),
    ("Called the mother of Yuan Yuan this afternoon for 20 minutes",
     Entry("phone_call", "Yuan Yuan", 0, T(15), 20)),
    ("Visited Cheng Hao", Entry("home_visit", "Cheng Hao", None)),
    ("I made a home visit to Wang Fang's family this afternoon. We talked for about an hour.",
     Entry("home_visit", "Wang Fang", 0, T(15), 60, "We talked")),
    ("Yesterday I called Qin Yu's mother. The call lasted twenty minutes.", Entry("phone_call", "Qin Yu", 1, None, 20)),
    ("Home visit, Wang Xiaoming, yesterday, forty minutes, talked about grades.",
     Entry("home_visit", "Wang Xiaoming", 1, None, 40, "talked about grades")),
    ("Visited Ma Rui yesterday from 3pm to 4:30pm, talked to his mum",
     Entry("home_visit", "Ma Rui", 1, T(15), 90, "talked to his mum")),
    ("Tutoring session with Li Ming today, 1 hour, worked on fractions",
     Entry("tutoring", "Li Ming", 0, None, 60, "worked on fractions")),
    ("Yesterday I went to visit Chen Hao's family, about an hour", Entry("home_visit", "Chen Hao", 1, None, 60)),
    ("We had a call with Ding Ning's mother last night, half an hour",
     Entry("phone_call", "Ding Ning", 1, T(19), 30)),
]


def entry_of(draft, today: dt.date) -> Entry:
    when = draft.when
    return Entry(draft.activity, draft.student, None if when is None else (today - when.day).days,
                 None if when is None else when.time, draft.duration_minutes, draft.notes)


@pytest.mark.parametrize(("sentence", "expected"), CHINESE + ENGLISH, ids=[s for s, _ in CHINESE + ENGLISH])
def test_a_spoken_sentence_gives_its_entry(clock, sentence, expected):
    now = clock.now()
    draft = read_log_line(sentence, ALIASES, now)
    assert draft.errors == {}
    assert entry_of(draft, now.date()) == expected


def test_the_table_has_forty_chinese_and_fifteen_english_sentences():
    assert len(CHINESE) >= 40 and len(ENGLISH) >= 15


@pytest.mark.parametrize(("sentence", "students", "expected"), [
    # A paired or recent student is found in full, or by the given name alone when no other is called so.
    ("昨天去小明家家访了两个小时", ["王小明", "吴小龙"], Entry("home_visit", "王小明", 1, None, 120)),
    # 周一 in 周一鸣 is no Monday when 周一鸣 is one of the member's students.
    ("上周三晚上家访周一鸣，一个小时", ["周一鸣"], Entry("home_visit", "周一鸣", 7, T(19), 60)),
    ("called li lei yesterday for ten minutes", ["Li Lei"], Entry("phone_call", "Li Lei", 1, None, 10)),
    # The words after a known name that only say whose family it is are no notes.
    ("前天晚上辅导吴小龙作业一个小时", ["吴小龙"], Entry("tutoring", "吴小龙", 2, T(19), 60)),
    ("Called li lei's mum this morning", ["Li Lei"], Entry("phone_call", "Li Lei", 0, T(9))),
    # 小明 of a 王小明 said in full is not the member's 李小明.
    ("昨天去王小明家家访", ["李小明"], Entry("home_visit", "王小明", 1)),
    # Two known students called 小明: the given name alone says neither.
    ("昨天去小明家家访", ["王小明", "李小明"], Entry("home_visit", "小明", 1)),
])
def test_the_members_own_students_are_found_first(clock, sentence, students, expected):
    now = clock.now()
    assert entry_of(read_log_line(sentence, ALIASES, now, students=students), now.date()) == expected


@pytest.mark.parametrize(("sentence", "code"), [
    ("昨天晚上和王小明谈心一个小时", "home_talk"),
    ("上周五给李华写信", "letter"),
    ("昨天给刘洋写了一封信", "letter"),  # 写信 split by 了一封
    ("昨天去张伟家大下访", "outreach_visit"),
])
def test_the_activity_is_found_by_the_schools_own_words(clock, sentence, code):
    assert read_sentence(sentence, SEED_000, clock.now()).activity == code


def test_what_cannot_be_used_is_recorded_as_the_one_liner_does(clock):
    draft = read_sentence("明天去王小明家家访十四个小时", ALIASES, clock.now())
    assert (draft.activity, draft.student, draft.when, draft.duration_minutes) == ("home_visit", "王小明", None, None)
    assert draft.errors == {"when": "future", "duration_minutes": "too_long"}


def test_a_line_in_the_one_line_order_is_read_as_before(clock):
    draft = read_log_line("家访 周一鸣 前天晚上", ALIASES, clock.now())
    assert (draft.student, draft.when and draft.when.day) == ("周一鸣", dt.date(2026, 11, 16))
    draft = read_log_line("tutoring 张三 45 反馈作业", ALIASES, clock.now())
    assert (draft.activity, draft.student, draft.duration_minutes, draft.notes) == ("tutoring", "张三", 45, "反馈作业")


def test_a_date_in_the_notes_of_a_one_liner_that_says_none_is_not_taken_for_its_date(clock):
    draft = read_log_line("家访 王小明 40分钟 约好下周五再去", ALIASES, clock.now())
    assert (draft.student, draft.when, draft.errors, draft.notes) == ("王小明", None, {}, "约好下周五再去")


@pytest.mark.parametrize("sentence", ["下周五去王小明家家访", "visit Li Lei next friday"])
def test_a_day_in_the_future_is_refused_not_read_as_the_weekday_inside_it(clock, sentence):
    draft = read_sentence(sentence, ALIASES, clock.now())
    assert (draft.when, draft.errors) == (None, {"when": "future"})


def test_a_few_words_said_in_passing_are_no_date_or_duration(clock):
    draft = read_sentence("家访王小明，孩子十分努力，有一点进步", ALIASES, clock.now())
    assert (draft.when, draft.duration_minutes, draft.notes) == (None, None, "孩子十分努力，有一点进步")


WORDS = ["家访", "电话", "辅导", "作业", "王小明", "家", "昨天", "下午", "三点", "到", "四十分钟", "半个钟头", "了",
         "，", "。", " ", "visited", "called", "Li Lei's", "yesterday", "for", "an hour", "twenty", "minutes",
         "3pm", "to", "下周五"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=3)), max_size=12))
def test_any_words_give_a_draft_whose_student_was_said(clock, words):
    text = "".join(words)
    draft = read_log_line(text, ALIASES, clock.now())
    assert draft.student is None or (draft.student.strip() and draft.student in text)
    assert draft.notes is None or draft.notes.strip()
