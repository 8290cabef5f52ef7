"""The DingTalk directory, read from the local DingTalk, and `teachlog members sync --platform dingtalk`."""

from __future__ import annotations

import pytest

from bot.people.staff_directory import DirectoryPerson
from handlers.dingtalk.directory import staff
from tests.support.cli import invoke
from tests.support.fake_dingtalk import PATH_USERS, FakeDingTalk, serve_in_thread


def school_directory(fake: FakeDingTalk) -> FakeDingTalk:
    fake.department(10, "校领导")
    fake.department(20, "教师")
    fake.department(21, "初一年级组", parent_id=20)
    fake.staff("boss", "张校长", 10)
    fake.staff("t1", "李老师", 21)
    fake.staff("t2", "王老师", 21, 10)
    fake.staff("root1", "陈会计")
    return fake


async def test_every_department_is_read_down_the_tree_with_its_people(fake, api):
    school_directory(fake)
    assert await staff(api) == [
        DirectoryPerson("", "root1", "陈会计"),
        DirectoryPerson("校领导", "boss", "张校长"),
        DirectoryPerson("校领导", "t2", "王老师"),
        DirectoryPerson("初一年级组", "t1", "李老师"),
        DirectoryPerson("初一年级组", "t2", "王老师"),
    ]


async def test_a_large_department_is_read_page_by_page(fake, api):
    fake.department(30, "全体教师")
    for number in range(230):
        fake.staff(f"u{number}", f"老师{number:03d}", 30)
    people = await staff(api)
    assert [p.user_id for p in people] == [f"u{number}" for number in range(230)]
    assert [r.body["cursor"] for r in fake.of(PATH_USERS) if r.body["dept_id"] == 30] == [0, 100, 200]


@pytest.fixture
def directory(cli_database, monkeypatch):
    fake = school_directory(FakeDingTalk())
    with serve_in_thread(fake) as url:
        for name, value in (("DINGTALK_CLIENT_ID", fake.client_id), ("DINGTALK_CLIENT_SECRET", fake.client_secret),
                            ("DINGTALK_API_URL", url), ("DINGTALK_OAPI_URL", url)):
            monkeypatch.setenv(name, value)
        result = invoke("school", "create", "合川中学", "--language", "zh")
        assert result.exit_code == 0, result.output
        yield fake


def test_members_sync_adds_everyone_once_and_says_so(directory):
    result = invoke("members", "sync", "--platform", "dingtalk", "--school", "1", "--role", "校领导=leader")
    assert result.exit_code == 0, result.output
    assert "added: 张校长 (leader)" in result.output and "added: 王老师 (leader)" in result.output
    assert "added: 李老师 (teacher)" in result.output
    assert result.output.strip().endswith("dingtalk directory: 4 added, 0 linked, 0 updated, 0 unchanged")
    again = invoke("members", "sync", "--platform", "dingtalk", "--school", "1", "--role", "校领导=leader")
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "dingtalk directory: 0 added, 0 linked, 0 updated, 4 unchanged"


@pytest.mark.parametrize(("args", "message"), [
    (["--platform", "dingtalk", "--school", "1", "--role", "教务处=teacher"], "no department '教务处'"),
    (["--platform", "dingtalk", "--school", "1", "--role", "校领导"], "write it as DEPARTMENT=ROLE"),
    (["--platform", "wechat", "--school", "1"], "no staff directory for platform 'wechat'"),
    (["--platform", "dingtalk", "--school", "7"], "no school with id 7"),
])
def test_members_sync_refuses_bad_options_in_one_line(directory, args, message):
    result = invoke("members", "sync", *args)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_members_sync_with_refused_credentials_is_one_line(directory, monkeypatch):
    monkeypatch.setenv("DINGTALK_CLIENT_SECRET", "wrong")
    result = invoke("members", "sync", "--platform", "dingtalk", "--school", "1")
    assert result.exit_code == 1
    assert "DINGTALK_CLIENT_SECRET" in result.output and len(result.output.strip().splitlines()) == 1
