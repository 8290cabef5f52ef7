"""Who a spoken sentence is about: a student's or family's name inside running speech.

Speech recognition writes no spaces between Chinese words, so a name is told from the words around it:

* 「王小明家」: the name before 家 (家长, 家里), after 去/到/在…;
* a common Chinese surname followed by one or two characters of a given name, stopping at the
  words that follow a name (「吴小龙作业」, 「李华和奶奶」, 「张三妈妈」);
* a piece of two or three characters that is all name (「给小明打了个电话」);
* in English, the first run of capitalised words ("Zhang Wei's mother", "the family of Li Lei").

The member's own paired and recent students are matched before any of these (see :mod:`bot.logbook.spoken`).
Pure functions over plain strings.
"""

from __future__ import annotations

import re

__all__ = ["SURNAMES", "english_name", "is_cjk", "is_only_lead_in", "name_before_home", "name_at_start",
           "strip_relation", "whole_name"]

# The most common Chinese surnames (a name starting with one of them is read as surname + given name).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱覃武戴莫孔汤康施"
    "牛樊葛邢易乔伍庞颜倪庄聂章鲁岳翟殷詹欧耿兰焦俞左柳甘阮柯梅童凌季裴霍涂苗盛翁冉骆蓝靳柴蒙鲍喻祁蒲滕"
    "屈饶牟艾阳穆卓吉缪芦麦褚娄窦戚岑卜晏席宗瞿臧闵苟邬姬仇栾刁"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟", "长孙")
# Words said before a name: 去王小明家, 给吴小龙辅导, 和李华的妈妈.
_BEFORE_NAME = re.compile(
    r"^(?:去了|去|到了|到|在|给|跟|和|与|对|向|帮|为|替|陪|找|联系了|联系|了(?!解)|一趟|趟|一下|来|上|学生|同学|的)+")
# Words said right after a name: family members, 家, 作业 (辅导吴小龙作业), 同学.
_RELATION = re.compile(
    r"^(?:的)?(?:家长|妈妈|母亲|爸爸|父亲|奶奶|爷爷|外婆|外公|姥姥|姥爷|家里人|家里|家人|家(?!访)|同学|作业|功课)+"
)
# Verbs of calling left beside a name once 电话 is read as the activity: 给小明打了个(电话).
_AFTER_NAME = re.compile(r"(?:打了一个|打了个|打了|打个|打|通了个|通了|通|的|了)+$")
# Words that may follow a name without a break: school subjects (辅导赵磊数学作业).
_SUBJECTS = re.compile(r"^(?:数学|语文|英语|物理|化学|生物|历史|地理|政治|科学|学习|成绩)")
# Characters that end a given name (they start the words that follow one).
_NAME_STOPS = set("了的家妈爸奶爷外姥作同们聊说在和跟与去到给是把被也都还就打通做写讲谈问看这那个次")
# Two-character words that stand where a name would but are none.
_NOT_NAMES = {
    "孩子", "学生", "他们", "她们", "我们", "你们", "大家", "人家", "国家", "专家", "自己", "老家", "全家", "亲戚",
    "邻居", "老师", "同学", "家长", "班上", "班里", "学校", "马上", "高兴", "方法", "方面", "白天", "于是", "任务",
    "周末", "石头", "金钱", "江边", "何时", "许多", "曾经", "林子", "龙头",
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _surname_length(text: str) -> int:
    if text[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if text[:1] in SURNAMES else 0


def _is_name(text: str) -> bool:
    return 2 <= len(text) <= 4 and bool(re.fullmatch(r"[\u3400-\u9fff]+", text)) and text not in _NOT_NAMES \
        and not any(c in "的了" for c in text)


def is_only_lead_in(text: str) -> bool:
    """Whether `text` holds nothing but the words said before a name (去, 到, 给, 学生…)."""
    return not text or bool(_BEFORE_NAME.fullmatch(text))


def strip_relation(text: str) -> str:
    """The words after a name that say whose family it is (家长, 妈妈, 家, 作业…), removed."""
    return _RELATION.sub("", text)


def name_at_start(text: str) -> tuple[int, int] | None:
    """Where a surname-led Chinese name at the start of `text` is (after 给/和/去…): (start, end), or None.

    「吴小龙作业」 → 吴小龙; 「李华和奶奶聊了学习」 → 李华; 「和张三妈妈」 → 张三.
    """
    lead = _BEFORE_NAME.match(text)
    start = lead.end() if lead else 0
    surname = _surname_length(text[start:])
    if not surname:
        return None
    end = start + surname
    while end < len(text) and end - start < surname + 2 and _CJK.match(text[end]) and text[end] not in _NAME_STOPS \
            and not _RELATION.match(text[end:]) and not _SUBJECTS.match(text[end:]):
        end += 1
    if end - start == surname or text[start:start + 2] in _NOT_NAMES:
        return None
    return start, end


def whole_name(text: str) -> str | None:
    """`text` when, without the words around a name (给…打了个, …家长), it is all name: 「给小明打了个」 → 小明.

    Two or three characters, none of those that end a name or say something (很, 不, 没…): 「孩子很乖」 is none.
    """
    core = strip_relation(_AFTER_NAME.sub("", _BEFORE_NAME.sub("", text.strip())))
    return core if len(core) <= 3 and _is_name(core) and not any(c in _NAME_STOPS or c in "很不没有" for c in core) \
        else None


def name_before_home(text: str, *, strict: bool) -> tuple[int, int] | None:
    """The name that ends `text`, the words said before 家 (「去王小明」 in 「去王小明家」): (start, end), or None.

    `strict` takes only a surname-led name of two or three characters at the end; otherwise `text` may also be
    a name as a whole (「去小明」).
    """
    for size in (3, 2):
        start = len(text) - size
        if start >= 0 and text[start] in SURNAMES and _is_name(text[start:]):
            return start, len(text)
    if strict:
        return None
    lead = _BEFORE_NAME.match(text)
    start = lead.end() if lead else 0
    return (start, len(text)) if _is_name(text[start:]) else None


_CAPITALISED = re.compile(r"[A-Z][A-Za-z'’\-]*(?:\s+[A-Z][A-Za-z'’\-]*){0,2}")
# Capitalised words that are not names: pronouns, titles, days and months, words that open a sentence.
_NOT_NAME_WORDS = {
    "i", "i'm", "i've", "we", "he", "she", "they", "it", "the", "a", "an", "my", "his", "her", "their", "our",
    "mr", "mrs", "ms", "miss", "dr", "today", "yesterday", "this", "last", "then", "and", "also", "so", "spent",
    "had", "did", "went", "talked", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "april", "june", "july", "august", "september", "october", "november", "december",
    "after", "before", "in", "on", "at", "for", "with", "about", "just", "um", "uh", "well", "ok", "okay",
}
_POSSESSIVE = re.compile(r"['’]s$")


def english_name(text: str) -> tuple[int, int] | None:
    """Where the first run of one to three capitalised words in `text` that are not pronouns, titles or days is
    ("Li Lei" in "with Li Lei's mother"): (start, end), or None."""
    for match in _CAPITALISED.finditer(text):
        keep: list[re.Match[str]] = []
        for word in re.finditer(r"\S+", match.group()):
            bare = _POSSESSIVE.sub("", word.group())
            if bare.lower() in _NOT_NAME_WORDS:
                if keep:
                    break
                continue
            keep.append(word)
            if bare != word.group():  # "Li Lei's": the name ends there
                break
        if keep:
            last = keep[-1]
            end = match.start() + last.start() + len(_POSSESSIVE.sub("", last.group()))
            return match.start() + keep[0].start(), end
    return None
