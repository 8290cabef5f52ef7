"""Progress from stored entries: a scripted November worked out by hand, co-visits, pairings, bounded queries."""

from __future__ import annotations

import datetime as dt

from bot.people.schools import create_school
from bot.people.students import student_key
from bot.quotas import standing as standing_module
from bot.quotas.standing import school_standing, school_standings
from storage.models import Entry, Member, Pairing

TODAY = dt.date(2026, 11, 18)  # a Wednesday; November 2026 has 21 working days, 12 of them before today


async def make_school(db, clock):
    created = await create_school(db, "合川中学", now=clock.now())
    return created.school_id


async def add_member(db, school_id, name, role, joined_on=dt.date(2026, 9, 1)) -> int:
    async with db.transaction() as session:
        member = Member(school_id=school_id, role=role, display_name=name, joined_on=joined_on)
        session.add(member)
        await session.flush()
        return member.id


async def add_entries(db, school_id, rows) -> None:
    async with db.transaction() as session:
        for member_id, activity, day, student, covisitor in rows:
            session.add(Entry(school_id=school_id, member_id=member_id, activity_code=activity, occurred_on=day,
                              student_name=student, student_key=student_key(student) if student else None,
                              covisitor_member_id=covisitor, logged_at=dt.datetime(2026, 11, 18, tzinfo=dt.UTC)))


def progress_of(standing, member_id, rule_id):
    member = next(m for m in standing.members if m.member_id == member_id)
    return next(p for p in member.rules if p.rule_id == rule_id)


async def test_a_scripted_november_matches_the_numbers_worked_out_by_hand(db, clock):
    school = await make_school(db, clock)
    head = await add_member(db, school, "陈老师", "head_teacher")
    teacher = await add_member(db, school, "李老师", "teacher")
    newcomer = await add_member(db, school, "周老师", "teacher", joined_on=dt.date(2026, 11, 16))
    async with db.transaction() as session:
        session.add_all([Pairing(school_id=school, member_id=teacher, student_name=n, student_key=student_key(n))
                         for n in ("王小明", "Li Lei", "赵六")])
    await add_entries(db, school, [
        # head teacher: four visits this term to three families, one of them with the teacher along
        (head, "home_visit", dt.date(2026, 9, 15), "张三", None),
        (head, "home_visit", dt.date(2026, 10, 20), "李四", None),
        (head, "home_visit", dt.date(2026, 11, 3), "张三", None),
        (head, "home_visit", dt.date(2026, 11, 17), "王五", teacher),
        (head, "tutoring", dt.date(2026, 11, 16), "张三", None),
        # teacher: calls to two of three paired students (one twice), one to an unpaired student
        (teacher, "phone_call", dt.date(2026, 11, 2), "王小明", None),
        (teacher, "phone_call", dt.date(2026, 11, 9), "王小明", None),
        (teacher, "phone_call", dt.date(2026, 11, 10), "li  lei", None),
        (teacher, "phone_call", dt.date(2026, 11, 11), "孙七", None),
        (teacher, "phone_call", dt.date(2026, 10, 30), "赵六", None),   # October: not this month
        # newcomer: nothing yet
    ])
    async with db.transaction() as session:  # a removed entry never counts
        session.add(Entry(school_id=school, member_id=teacher, activity_code="tutoring", occurred_on=TODAY,
                          student_name="x", student_key="x", deleted_at=clock.now(), logged_at=clock.now()))

    standing = await school_standing(db, school, TODAY)

    visit = progress_of(standing, head, "everyone-home-visit-monthly")
    assert (visit.done, visit.target, visit.expected_by_now, visit.on_pace) == (2, 1, 0, True)
    families = progress_of(standing, head, "head-teacher-families-term")
    # Term 2026-09-01..2027-01-22; 3 distinct families of 10 → behind pace by now
    assert (families.done, families.target, families.period_start, families.period_end) == \
        (3, 10, dt.date(2026, 9, 1), dt.date(2027, 1, 22))
    assert families.behind_by == families.expected_by_now - 3 > 0
    tutoring = progress_of(standing, head, "teacher-tutoring-weekly")
    # Week of 16 Nov: 5 working days, Monday and Tuesday gone: expected floor(2 × 2/5) = 0
    assert (tutoring.done, tutoring.target, tutoring.expected_by_now, tutoring.days_left) == (1, 2, 0, 3)

    co_visit = progress_of(standing, teacher, "everyone-home-visit-monthly")
    assert co_visit.done == 1  # the visit the teacher came along to counts for the teacher too
    calls = progress_of(standing, teacher, "paired-call-monthly")
    assert (calls.done, calls.target, calls.students_missing) == (2, 3, ("赵六",))
    assert progress_of(standing, teacher, "teacher-tutoring-weekly").done == 0  # the removed entry

    late = progress_of(standing, newcomer, "everyone-home-visit-monthly")
    # Joined Monday 16 Nov: 11 of November's 21 working days left → ceil(1 × 11/21) = 1, and 2 days elapsed
    assert (late.done, late.target, late.expected_by_now, late.on_pace) == (0, 1, 0, True)
    assert progress_of(standing, newcomer, "paired-call-monthly").target == 0  # no paired students


async def test_a_co_visit_counts_for_the_co_visitor_once_in_every_measure(db, clock):
    school = await make_school(db, clock)
    chen = await add_member(db, school, "陈老师", "head_teacher")
    wang = await add_member(db, school, "王老师", "head_teacher")
    async with db.transaction() as session:
        session.add(Pairing(school_id=school, member_id=chen, student_name="赵六", student_key=student_key("赵六")))
    await add_entries(db, school, [
        (chen, "home_visit", dt.date(2026, 11, 3), "张三", None),
        (wang, "home_visit", dt.date(2026, 11, 10), "张三", chen),   # the same family again, Chen along
        (wang, "home_visit", dt.date(2026, 11, 12), "李四", chen),
        (wang, "home_visit", dt.date(2026, 10, 12), "王五", chen),   # October: this term, not this month
        (wang, "phone_call", dt.date(2026, 11, 13), "赵六", chen),   # to Chen's paired student, Chen on the line
    ])

    standing = await school_standing(db, school, TODAY)

    assert progress_of(standing, chen, "everyone-home-visit-monthly").done == 3
    assert progress_of(standing, chen, "head-teacher-families-term").done == 3  # 张三 once, 李四, 王五
    assert progress_of(standing, wang, "head-teacher-families-term").done == 3
    calls = progress_of(standing, chen, "paired-call-monthly")
    assert (calls.done, calls.students_missing) == (1, ())


async def test_the_number_of_queries_does_not_grow_with_the_members(db, clock):
    school = await make_school(db, clock)

    async def count_for(members: int) -> int:
        for i in range(members):
            member = await add_member(db, school, f"T{i}", "teacher" if i % 2 else "head_teacher")
            await add_entries(db, school, [(member, "home_visit", dt.date(2026, 11, 2), f"S{i}", None)])
        with db.recording_statements() as statements:
            standing = await school_standing(db, school, TODAY)
        assert all(m.rules for m in standing.members)
        return len(statements)

    few = await count_for(3)
    many = await count_for(40)
    assert few == many <= 9


async def test_schools_read_together_stand_as_each_read_alone_in_the_statements_of_one(db, clock):
    first, second = await make_school(db, clock), (await create_school(db, "城关中学", now=clock.now())).school_id
    chen = await add_member(db, first, "陈老师", "head_teacher")
    li = await add_member(db, first, "李老师", "teacher")
    wang = await add_member(db, second, "王老师", "head_teacher")
    zhou = await add_member(db, second, "周老师", "teacher", joined_on=dt.date(2026, 11, 16))
    async with db.transaction() as session:
        session.add_all([Pairing(school_id=school, member_id=member, student_name=name, student_key=student_key(name))
                         for school, member, name in ((first, li, "赵六"), (second, zhou, "赵六"))])
    await add_entries(db, first, [(chen, "home_visit", dt.date(2026, 11, 3), "张三", li),
                                  (li, "phone_call", dt.date(2026, 11, 13), "赵六", None),
                                  (chen, "tutoring", dt.date(2026, 11, 16), "张三", None)])
    await add_entries(db, second, [(wang, "home_visit", dt.date(2026, 11, 10), "张三", zhou),
                                   (wang, "home_visit", dt.date(2026, 10, 12), "李四", None),
                                   (zhou, "phone_call", dt.date(2026, 11, 17), "孙七", wang)])

    alone = {school: await school_standing(db, school, TODAY) for school in (first, second)}
    with db.recording_statements() as statements:
        together = await school_standings(db, [first, second], TODAY)

    assert together == alone
    assert progress_of(together[second], zhou, "everyone-home-visit-monthly").done == 1  # the co-visit
    assert progress_of(together[first], li, "paired-call-monthly").students_missing == ()
    assert progress_of(together[second], zhou, "paired-call-monthly").students_missing == ("赵六",)
    assert len(statements) <= 9


async def test_schools_read_and_computed_in_parts_stand_as_read_together(db, clock, monkeypatch):
    """A county's schools are read in parts, the next part read while the one before is computed: every member
    stands as when all are read at once, co-visits, pairings and newcomers included."""
    schools = [await make_school(db, clock)] + [
        (await create_school(db, name, now=clock.now())).school_id for name in ("城关中学", "东山小学")]
    for number, school in enumerate(schools):
        head = await add_member(db, school, f"陈老师{number}", "head_teacher")
        teacher = await add_member(db, school, f"李老师{number}", "teacher")
        newcomer = await add_member(db, school, f"周老师{number}", "teacher", joined_on=dt.date(2026, 11, 16))
        async with db.transaction() as session:
            session.add_all([Pairing(school_id=school, member_id=member, student_name=name,
                                     student_key=student_key(name))
                             for member, name in ((teacher, "赵六"), (teacher, "王小明"), (newcomer, "孙七"))])
        await add_entries(db, school, [(head, "home_visit", dt.date(2026, 11, 3), "张三", teacher),
                                       (teacher, "phone_call", dt.date(2026, 11, 13 - number), "赵六", None),
                                       (newcomer, "phone_call", dt.date(2026, 11, 17), "孙七", head),
                                       (head, "tutoring", dt.date(2026, 11, 16), "张三", None)][number:])
    with db.recording_statements() as together_statements:
        together = await school_standings(db, schools, TODAY)

    monkeypatch.setattr(standing_module, "MEMBERS_A_PART", {"postgresql": 1, "sqlite": 1})
    monkeypatch.setattr(standing_module, "MEMBERS_A_TURN", 1)
    with db.recording_statements() as parts_statements:
        in_parts = await school_standings(db, schools, TODAY)

    assert in_parts == together
    assert len(parts_statements) > len(together_statements)  # each part was read on its own
    assert [m.display_name for m in in_parts[schools[2]].members] == ["陈老师2", "李老师2", "周老师2"]
