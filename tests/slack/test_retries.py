"""Slack retries an event it thinks went unanswered (X-Slack-Retry-Num): the retry gets no second answer."""

from __future__ import annotations

from tests.support.fake_slack import event_body, signed_headers

LI = "U0LI"


async def test_a_direct_message_slack_delivers_again_is_answered_once(slack):
    await slack.add_member(LI, "Li Lei", language="en")
    body = event_body({"type": "message", "channel_type": "im", "channel": "D" + LI, "user": LI,
                       "text": "/log", "ts": "1700000000.000100"})
    assert (await slack.post(body, "application/json"))[0] == 200
    answered = list(slack.fake.texts_to(LI))
    retry = {**signed_headers(body, content_type="application/json"),
             "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert (await slack.post(body, headers=retry))[0] == 200
    assert slack.fake.texts_to(LI) == answered and len(answered) == 1
    next_message = body.replace("1700000000.000100", "1700000000.000200").replace('"event_id": "Ev', '"event_id": "Ev2')
    await slack.post(next_message, "application/json")
    assert len(slack.fake.texts_to(LI)) == 2, "another event is answered"
