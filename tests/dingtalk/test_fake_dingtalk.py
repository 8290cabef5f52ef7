"""The fake DingTalk keeps DingTalk's rules, so the adapter's tests against it mean something."""

from __future__ import annotations

import aiohttp

from tests.support.fake_dingtalk import (
    CLIENT_ID,
    CLIENT_SECRET,
    PATH_BATCH,
    PATH_GROUP,
    PATH_TOKEN,
    PATH_UPLOAD,
)


async def token(session: aiohttp.ClientSession, base: str) -> str:
    async with session.post(base + PATH_TOKEN, json={"appKey": CLIENT_ID, "appSecret": CLIENT_SECRET}) as response:
        return str((await response.json())["accessToken"])


async def upload(session: aiohttp.ClientSession, base: str, access_token: str, kind: str, name: str) -> dict:
    form = aiohttp.FormData()
    form.add_field("type", kind)
    form.add_field("media", b"bytes", filename=name)
    async with session.post(f"{base}{PATH_UPLOAD}?access_token={access_token}", data=form) as response:
        return dict(await response.json())


async def test_a_file_upload_takes_only_office_archive_and_pdf_extensions(fake):
    async with aiohttp.ClientSession() as session:
        access_token = await token(session, fake.base_url)
        assert (await upload(session, fake.base_url, access_token, "file", "entries.xlsx"))["errcode"] == 0
        assert (await upload(session, fake.base_url, access_token, "file", "entries.zip"))["errcode"] == 0
        assert (await upload(session, fake.base_url, access_token, "file", "entries.csv"))["errcode"] == 40005
        assert (await upload(session, fake.base_url, access_token, "image", "chart.png"))["errcode"] == 0


async def test_batch_send_refuses_more_than_twenty_users_and_a_group_message_over_15000_bytes(fake):
    async with aiohttp.ClientSession() as session:
        headers = {"x-acs-dingtalk-access-token": await token(session, fake.base_url)}
        body = {"robotCode": CLIENT_ID, "msgKey": "sampleText", "msgParam": '{"content": "hi"}'}
        async with session.post(fake.base_url + PATH_BATCH, headers=headers,
                                json={**body, "userIds": [f"u{i}" for i in range(21)]}) as response:
            assert response.status == 400
        async with session.post(fake.base_url + PATH_BATCH, headers=headers,
                                json={**body, "userIds": [f"u{i}" for i in range(20)]}) as response:
            assert response.status == 200
        too_long = '{"content": "' + "字" * 5000 + '"}'
        async with session.post(fake.base_url + PATH_GROUP, headers=headers,
                                json={**body, "msgParam": too_long, "openConversationId": "cid1"}) as response:
            assert response.status == 400


async def test_injected_failures_answer_once_then_the_path_works_again(fake):
    fake.throttle(PATH_TOKEN)
    async with aiohttp.ClientSession() as session:
        async with session.post(fake.base_url + PATH_TOKEN,
                                json={"appKey": CLIENT_ID, "appSecret": CLIENT_SECRET}) as response:
            assert response.status == 429
        assert await token(session, fake.base_url) in fake.tokens
