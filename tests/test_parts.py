"""Schools split into parts of about so many members, never a school split."""

from __future__ import annotations

from bot.parts import in_parts


def test_parts_hold_at_most_so_many_members_in_order():
    schools = [("a", 40), ("b", 30), ("c", 30), ("d", 60), ("e", 10)]
    parts = in_parts(schools, lambda school: school[1], 70)
    assert [[name for name, _ in part] for part in parts] == [["a", "b"], ["c"], ["d", "e"]]


def test_a_school_bigger_than_a_part_is_a_part_of_its_own():
    parts = in_parts([("big", 500), ("small", 5)], lambda school: school[1], 100)
    assert [[name for name, _ in part] for part in parts] == [["big"], ["small"]]


def test_without_a_size_everything_is_one_part_and_nothing_is_one_empty_part():
    assert in_parts([1, 2, 3], lambda n: n * 1000, None) == [[1, 2, 3]]
    assert in_parts([], lambda n: n, 10) == [[]]
