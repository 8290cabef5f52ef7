"""A written record sent to the robot as a file or a picture on DingTalk: kept by its download code, and fetched
through `messageFiles/download` when a leader's /export zips the records, as on Telegram."""

from __future__ import annotations

import io
import zipfile

from bot.people.schools import create_invite, create_school
from tests.support.dingtalk_chat import DingTalkChat, shown_text
from tests.support.fake_dingtalk import PATH_DOWNLOAD

PDF = "%PDF-1.4 家访记录".encode()
PHOTO = b"\xff\xd8\xff\xe0 jpeg"


async def school_with(dingtalk: DingTalkChat, **people: str) -> None:
    school = await create_school(dingtalk.db, "华容一中", language="zh", policy="seed-000", now=dingtalk.clock.now())
    for staff_id, role in people.items():
        invite = await create_invite(dingtalk.db, school.school_id, role, now=dingtalk.clock.now())
        await dingtalk.say(staff_id, f"加入 {invite.code}")


async def send_record(dingtalk: DingTalkChat, staff_id: str, message: dict) -> str:
    await dingtalk.say(staff_id, "/record")
    await dingtalk.tap(staff_id, "家访记录")
    before = len(dingtalk.sent())
    return " ".join(shown_text(r) for r in await dingtalk.deliver(message, before))


async def test_a_record_sent_as_a_file_and_one_as_a_picture_come_back_in_the_leaders_export(dingtalk, fake):
    await school_with(dingtalk, staff1="teacher", boss="leader")
    assert "已保存" in await send_record(dingtalk, "staff1", fake.file_message("王小明家访.pdf", PDF))
    assert "已保存" in await send_record(dingtalk, "staff1", fake.file_message("", PHOTO, picture=True))
    assert fake.of(PATH_DOWNLOAD) == []  # kept by download code: nothing fetched until it is needed
    await dingtalk.say("boss", "/export")
    (records,) = [data for _, name, data in fake.uploads.values() if name.endswith("-records.zip")]
    archive = zipfile.ZipFile(io.BytesIO(records))
    contents = sorted(archive.read(name) for name in archive.namelist())
    assert contents == sorted([PDF, PHOTO]) and "missing.txt" not in archive.namelist()
    assert {call.body["robotCode"] for call in fake.of(PATH_DOWNLOAD)} == {fake.client_id}


async def test_a_file_dingtalk_no_longer_has_is_listed_missing_and_the_rest_still_export(dingtalk, fake):
    await school_with(dingtalk, staff1="teacher", boss="leader")
    await send_record(dingtalk, "staff1", fake.file_message("王小明家访.pdf", PDF))
    await send_record(dingtalk, "staff1", fake.file_message("李华家访.pdf", b"%PDF-1.4 gone"))
    gone = next(code for code, (name, _) in fake.sent_files.items() if name == "李华家访.pdf")
    del fake.sent_files[gone]
    await dingtalk.say("boss", "/export")
    (records,) = [data for _, name, data in fake.uploads.values() if name.endswith("-records.zip")]
    archive = zipfile.ZipFile(io.BytesIO(records))
    assert PDF in [archive.read(name) for name in archive.namelist()]
    assert "下载码无效" in archive.read("missing.txt").decode()
