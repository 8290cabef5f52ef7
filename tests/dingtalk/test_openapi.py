"""The OpenAPI client: one cached token, batches of 20, zipped CSVs, and DingTalk's errors as delivery exceptions."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest

from bot.notifications.messenger import PermanentFailure, QuotaExhausted, RetryLater, TransientFailure
from bot.settings import DingTalkConfig
from handlers.dingtalk.openapi import CredentialsRefused, DingTalkOpenAPI, MonthlyQuotaExhausted
from tests.support.fake_dingtalk import (
    PATH_BATCH,
    PATH_GROUP,
    PATH_TOKEN,
    PATH_UPLOAD,
    PATH_WEBHOOK,
    param_of,
)

MARKDOWN = {"title": "提醒", "text": "本周还差 2 次家访"}


async def test_the_access_token_is_fetched_once_and_again_before_it_expires(fake, api, ticking):
    await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    await api.send_to_group("cid1", "sampleMarkdown", MARKDOWN)
    assert len(fake.of(PATH_TOKEN)) == 1
    ticking.now += fake.token_lifetime - 200  # within the last five minutes of its life
    await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    assert len(fake.of(PATH_TOKEN)) == 2
    assert [r.token for r in fake.of(PATH_BATCH)] == [fake.tokens[0], fake.tokens[1]]


async def test_a_refused_token_is_fetched_anew_and_the_message_goes_once(fake, api):
    await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    fake.tokens.clear()  # DingTalk no longer knows the cached token
    await api.send_to_users(["u2"], "sampleMarkdown", MARKDOWN)
    assert [r.body["userIds"] for r in fake.of(PATH_BATCH)] == [["u1"], ["u2"], ["u2"]]
    assert len(fake.tokens) == 1


async def test_forty_five_people_are_reached_in_three_calls_of_at_most_twenty(fake, api):
    people = [f"staff{i}" for i in range(45)]
    await api.send_to_users(people, "sampleMarkdown", MARKDOWN)
    calls = fake.of(PATH_BATCH)
    assert [len(c.body["userIds"]) for c in calls] == [20, 20, 5]
    assert sum((c.body["userIds"] for c in calls), []) == people
    assert {c.body["robotCode"] for c in calls} == {fake.client_id}
    assert param_of(calls[0]) == MARKDOWN


async def test_a_group_message_names_the_conversation_and_the_robot(fake, api):
    await api.send_to_group("cidGroup7", "sampleMarkdown", MARKDOWN)
    (call,) = fake.of(PATH_GROUP)
    assert call.body["openConversationId"] == "cidGroup7"
    assert param_of(call) == MARKDOWN


async def test_a_csv_is_uploaded_inside_a_zip_and_a_workbook_as_it_is(fake, api):
    csv_id, csv_name = await api.upload("entries.csv", b"date,activity\n2026-11-18,home_visit\n")
    xlsx_id, _ = await api.upload("entries.xlsx", b"PK workbook")
    chart_id, _ = await api.upload("report.png", b"\x89PNG", "image")
    assert csv_name == "entries.zip"
    kind, name, data = fake.uploads[csv_id]
    assert (kind, name) == ("file", "entries.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("entries.csv").startswith(b"date,activity")
    assert fake.uploads[xlsx_id][:2] == ("file", "entries.xlsx")
    assert fake.uploads[chart_id][:2] == ("image", "report.png")


async def test_an_answer_on_the_session_webhook_goes_to_that_webhook(fake, api):
    url = fake.chatbot_message("hi")["sessionWebhook"]
    await api.reply_by_webhook(url, {"msgtype": "markdown", "markdown": MARKDOWN})
    (call,) = fake.of(PATH_WEBHOOK)
    assert call.body == {"msgtype": "markdown", "markdown": MARKDOWN}
    assert not fake.of(PATH_TOKEN)


@pytest.mark.parametrize("inject", [
    lambda fake: fake.throttle(PATH_BATCH),
    lambda fake: fake.throttle_code(PATH_BATCH),
    lambda fake: fake.throttle_code(PATH_BATCH, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
    lambda fake: fake.legacy_error(PATH_BATCH, 90002),
    lambda fake: fake.legacy_error(PATH_BATCH, 90018),
    lambda fake: fake.legacy_error(PATH_BATCH, 90019),
], ids=["http-429", "qps-limit-for-api", "qps-limit-for-appkey-and-api", "90002", "90018", "90019"])
async def test_throttling_asks_to_retry_later_waiting_longer_each_time(fake, api, inject):
    inject(fake)
    inject(fake)
    with pytest.raises(RetryLater) as first:
        await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    with pytest.raises(RetryLater) as second:
        await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    assert 0 < first.value.seconds < second.value.seconds
    await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    assert api.backoff.strikes == 0


async def test_a_legacy_throttling_code_on_upload_asks_to_retry_later(fake, api):
    await api.access_token()
    fake.legacy_error(PATH_UPLOAD, 90018)
    with pytest.raises(RetryLater):
        await api.upload("chart.png", b"png", "image")


async def test_a_server_error_is_transient(fake, api):
    fake.server_error(PATH_GROUP, 502)
    with pytest.raises(TransientFailure):
        await api.send_to_group("cid1", "sampleMarkdown", MARKDOWN)


async def test_the_monthly_quota_is_a_quota_failure_of_its_own_on_both_hosts(fake, api, caplog):
    fake.quota_exhausted(PATH_BATCH, times=2)
    fake.legacy_error(PATH_UPLOAD, 90020)
    with caplog.at_level(logging.ERROR, logger="handlers.dingtalk.openapi"):
        for _ in range(2):
            with pytest.raises(MonthlyQuotaExhausted) as raised:
                await api.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
        with pytest.raises(MonthlyQuotaExhausted):
            await api.upload("chart.png", b"png", "image")
    assert isinstance(raised.value, QuotaExhausted) and not isinstance(raised.value, PermanentFailure)
    assert caplog.records == []  # the outbox logs it, once for its hold (tests/dingtalk/test_batched_delivery.py)


async def test_a_bad_request_is_a_permanent_failure(fake, api):
    with pytest.raises(PermanentFailure):
        await api.send_to_group("cid1", "sampleMarkdown", {"title": "x", "text": "字" * 6000})


async def test_refused_credentials_are_one_line_naming_the_settings(fake):
    config = DingTalkConfig(fake.client_id, "wrong", fake.client_id, fake.base_url, fake.base_url)
    async with DingTalkOpenAPI(config) as client:
        with pytest.raises(CredentialsRefused) as raised:
            await client.send_to_users(["u1"], "sampleMarkdown", MARKDOWN)
    message = str(raised.value)
    assert "\n" not in message and "DINGTALK_CLIENT_SECRET" in message
    assert not fake.of(PATH_BATCH)


def test_the_robot_code_defaults_to_the_client_id_and_missing_credentials_are_one_line():
    from bot.settings import ConfigError, Settings

    config = Settings(DINGTALK_CLIENT_ID="ding1", DINGTALK_CLIENT_SECRET="s", _env_file=None).require_dingtalk()
    assert (config.robot_code, config.api_url, config.oapi_url) == (
        "ding1", "https://api.dingtalk.com", "https://oapi.dingtalk.com")
    with pytest.raises(ConfigError) as raised:
        Settings(DINGTALK_CLIENT_ID="ding1", _env_file=None).require_dingtalk()
    assert "DINGTALK_CLIENT_SECRET" in str(raised.value) and "\n" not in str(raised.value)
