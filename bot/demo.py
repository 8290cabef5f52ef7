"""The demo school `teachlog chat --demo` opens: plan seed-000, colleagues with a month of entries, paired
students and a linked staff group, so /mine, /report and a reminder have something to show at once.

Everything is made in one go, quickly (the entries in bulk); a second run finds the demo school and reuses it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from bot.people.schools import create_school
from bot.people.students import student_key
from storage import entry_imports
from storage import repository as repo
from storage.db import Database
from storage.models import GroupLink, Member, Pairing

DEMO_SCHOOL = "示范中学（演示）"
DEMO_POLICY = "seed-000"
#: The head teacher (班主任) the demo chats as, and the student she is paired with.
HEAD_TEACHER, HEAD_TEACHERS_STUDENT = "王芳", "王小明"
#: (name, role, paired student); the first is the demo's own person.
STAFF = (
    (HEAD_TEACHER, "head_teacher", HEAD_TEACHERS_STUDENT),
    ("李磊", "teacher", "刘小红"),
    ("张伟", "head_teacher", "陈小刚"),
    ("刘洋", "teacher", "赵小丽"),
    ("赵敏", "staff", "孙小军"),
    ("陈静", "leader", "周小燕"),
)
OTHER_STUDENTS = ("吴小龙", "郑小雨", "冯小宇", "何小梅")
PAST_DAYS = 30
#: The staff group the leader linked (a made-up chat id, one per demo school).
GROUP_CHAT_BASE = -1_009_000_000_000
NOTES = ("了解孩子在家的学习情况", "和家长沟通了作息安排", "孩子最近进步明显", "家长希望多关注数学")


@dataclass(frozen=True)
class Demo:
    school_id: int
    school_name: str
    head_teacher: Member
    created: bool


async def open_demo(db: Database, now: dt.datetime) -> Demo:
    """The demo school, made now unless an earlier run made it; the head teacher to chat as."""
    async with db.transaction() as session:
        school = await repo.school_named(session, DEMO_SCHOOL, DEMO_POLICY)
        if school is not None:
            found = [m for m in await repo.school_members(session, school.id)
                     if m.display_name == HEAD_TEACHER and m.role == "head_teacher"]
            if found:
                return Demo(school.id, school.name, found[0], created=False)
    return await _make_demo(db, now)


async def _make_demo(db: Database, now: dt.datetime) -> Demo:
    created = await create_school(db, DEMO_SCHOOL, language="zh", policy=DEMO_POLICY, now=now)
    async with db.transaction() as session:
        school = await repo.require_school(session, created.school_id)
        today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
        joined = today - dt.timedelta(days=PAST_DAYS + 5)
        members = [await repo.add(session, Member(school_id=school.id, role=role, display_name=name, joined_on=joined))
                   for name, role, _ in STAFF]
        for member, (_, _, student) in zip(members, STAFF, strict=True):
            session.add(Pairing(school_id=school.id, member_id=member.id, student_name=student,
                                student_key=student_key(student), created_at=now))
        leader = next(m for m in members if m.role == "leader")
        session.add(GroupLink(platform="telegram", chat_id=str(GROUP_CHAT_BASE - school.id), school_id=school.id,
                              linked_by_member_id=leader.id, active=True, linked_at=now))
        rows = [row for index, member in enumerate(members)
                for row in _month_of_entries(school.id, member, STAFF[index][2], index, today, now)]
        await entry_imports.insert_new_entries(session, rows)
        return Demo(school.id, school.name, members[0], created=True)


def _month_of_entries(school_id: int, member: Member, paired: str, index: int, today: dt.date,
                      now: dt.datetime) -> list[dict[str, Any]]:
    """A plausible month for one person: home visits weekly, calls to the paired student, tutoring for
    teachers, home talks for head teachers. The demo's own head teacher did a little less: she is behind."""
    rows: list[dict[str, Any]] = []
    keen = index != 0
    for back in range(PAST_DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        turn = back + index
        students = (paired, *OTHER_STUDENTS)
        if turn % (7 if keen else 12) == 0:
            rows.append(_entry(school_id, member, "home_visit", day, students[turn % len(students)], 45, now))
        if turn % 10 == 3:
            rows.append(_entry(school_id, member, "phone_call", day, paired, 15, now))
        if member.role in ("teacher", "head_teacher") and day.weekday() < 5 and turn % (2 if keen else 4) == 0:
            rows.append(_entry(school_id, member, "tutoring", day, students[back % len(students)], 40, now))
        if member.role == "head_teacher" and turn % (9 if keen else 15) == 1:
            rows.append(_entry(school_id, member, "home_talk", day, students[back % len(students)], 30, now))
        if member.role == "leader" and back == 12:
            rows.append(_entry(school_id, member, "demo_lesson", day, None, 45, now))
    return rows


def _entry(school_id: int, member: Member, activity: str, day: dt.date, student: str | None, minutes: int,
           now: dt.datetime) -> dict[str, Any]:
    # Logged that evening, and never within /undo's last 24 hours: the demo's own entries come from the chat.
    logged = min(dt.datetime.combine(day, dt.time(12), dt.timezone.utc), now - dt.timedelta(hours=25))
    return {"school_id": school_id, "member_id": member.id, "activity_code": activity, "occurred_on": day,
            "student_name": student, "student_key": student_key(student) if student else None,
            "duration_minutes": minutes, "notes": NOTES[(day.toordinal() + member.id) % len(NOTES)],
            "source": "demo", "logged_at": logged,
            "client_token": f"demo:{school_id}:{member.id}:{activity}:{day.isoformat()}"}
