"""The fake Slack Web API, driven by slack_sdk's real AsyncWebClient over HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack, make_bot_token
from tests.slack.signing import command_body, event_body, form_body, sign

TOKEN_SHAPE = re.compile(r"xoxb-\d+-\d+-[A-Za-z0-9]{24}")
SECRET = "dummy-signing-secret"
# slack_sdk builds oauth.v2.access's basic auth with aiohttp.BasicAuth, deprecated in 3.14.
SDK_BASIC_AUTH = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


class FixedClock(Clock):
    def now(self) -> float:
        return 1_700_000_030.0


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_workspace(team_id="T0001", team_name="Ripple Test")
        fake.add_user("T0001", "U0001", real_name="Ada Lovelace", display_name="ada")
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(base_url=slack.api_url, token=slack.workspace().bot_token)


async def api_error(call: Awaitable[Any]) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value


async def test_tokens_look_like_slack_tokens(slack: FakeSlack, client: AsyncWebClient) -> None:
    assert TOKEN_SHAPE.fullmatch(make_bot_token())
    assert TOKEN_SHAPE.fullmatch(slack.workspace().bot_token)
    answer = await client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "U0BOT", "B0BOT")
    assert slack.api_url.startswith("http://127.0.0.1:") and slack.api_url.endswith("/api/")


async def test_posting_to_a_user_lands_in_one_stable_dm(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="U0001", text="Hi")
    second = await client.chat_postMessage(channel="U0001", text="Again")
    opened = await client.conversations_open(users="U0001")

    assert first["channel"] == second["channel"] == opened["channel"]["id"] == "D0001"
    assert opened["already_open"] is True
    assert float(first["ts"]) < float(second["ts"])
    assert first["ts"] == "1700000000.000100"
    assert first["message"]["text"] == "Hi" and first["message"]["bot_id"] == "B0BOT"
    assert [m.text for m in slack.messages("U0001")] == ["Hi", "Again"]
    assert slack.messages("D0001") == slack.messages("U0001")


async def test_update_replaces_the_message_in_place(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Capacity?"}}]
    posted = await client.chat_postMessage(channel="U0001", text="Capacity?", blocks=blocks)
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Thanks")

    (message,) = slack.messages("U0001")
    assert (message.text, message.blocks, message.updated) == ("Thanks", blocks, 1)
    missing = await api_error(client.chat_update(channel="D0001", ts="1.000001", text="x"))
    assert missing.response["error"] == "message_not_found"
    by_user = await api_error(client.chat_update(channel="U0001", ts=posted["ts"], text="x"))
    assert by_user.response["error"] == "channel_not_found"


async def test_member_pages_add_up_to_the_whole_channel(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    members = [f"U{n:05d}" for n in range(260)]
    slack.add_channel("T0001", "C0001", name="team", members=members)

    seen = []
    async for page in await client.conversations_members(channel="C0001"):
        seen.extend(page["members"])

    assert seen == members
    assert len(slack.calls("conversations.members")) == 3
    info = await client.conversations_info(channel="C0001", include_num_members=True)
    assert (info["channel"]["name"], info["channel"]["num_members"]) == ("team", 260)


async def test_users_info_carries_zone_locale_and_flags(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.add_user("T0001", "U0002", tz="America/New_York", locale="en-US", is_admin=True)
    slack.add_user("T0001", "U0003", deleted=True)

    user = (await client.users_info(user="U0002", include_locale=True))["user"]
    assert (user["tz"], user["locale"], user["is_admin"], user["is_bot"]) == (
        "America/New_York",
        "en-US",
        True,
        False,
    )
    assert user["tz_offset"] in (-18000, -14400)
    ada = (await client.users_info(user="U0001"))["user"]
    assert "locale" not in ada
    assert (ada["profile"]["real_name"], ada["profile"]["display_name"]) == ("Ada Lovelace", "ada")
    assert (await client.users_info(user="U0003"))["user"]["deleted"] is True
    assert (await client.users_info(user="U0BOT"))["user"]["is_bot"] is True
    unknown = await api_error(client.users_info(user="U9999"))
    assert unknown.response["error"] == "user_not_found"


async def test_a_429_carries_retry_after_and_delivers_nothing(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.fail_next("chat.postMessage", retry_after=7)

    limited = await api_error(client.chat_postMessage(channel="U0001", text="Hi"))

    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "7"
    assert limited.response["error"] == "ratelimited"
    assert slack.messages() == []
    assert len(slack.messages("U0001")) == 0


async def test_a_429_holds_until_retry_after_has_passed(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    now = [1000.0]
    slack.now = lambda: now[0]
    slack.fail_next("chat.postMessage", retry_after=7)

    statuses = []
    for seconds in (0.0, 1.0, 5.5, 0.5, 0.1):  # at 0, 1, 6.5, 7 and 7.1 seconds
        now[0] += seconds
        try:
            await client.chat_postMessage(channel="U0001", text="Hi")
            statuses.append(200)
        except SlackApiError as error:
            statuses.append((error.response.status_code, error.response.headers["Retry-After"]))

    assert statuses == [(429, "7"), (429, "6"), (429, "1"), 200, 200]
    assert len(slack.messages("U0001")) == 2


async def test_the_sdk_retry_handler_lands_exactly_one_message(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", retry_after=0)
    retrying = AsyncWebClient(
        base_url=slack.api_url,
        token=slack.workspace().bot_token,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )

    await retrying.chat_postMessage(channel="U0001", text="Hi")

    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200]
    assert len(slack.messages("U0001")) == 1


async def test_rate_limit_answers_bursts_of_429(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.rate_limit("chat.postMessage", every=3, burst=2, bursts=2, retry_after=0)

    statuses = []
    for _ in range(12):
        try:
            await client.chat_postMessage(channel="U0001", text="Hi")
            statuses.append(200)
        except SlackApiError as error:
            statuses.append(error.response.status_code)

    assert statuses == [200, 200, 200, 429, 429, 200, 200, 200, 429, 429, 200, 200]
    assert len(slack.messages("U0001")) == statuses.count(200)


async def test_injected_errors_and_server_failures(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    slack.fail_next("chat.postMessage", status=503)

    refused = await api_error(client.chat_postMessage(channel="U0001", text="Hi"))
    down = await api_error(client.chat_postMessage(channel="U0001", text="Hi"))

    assert (refused.response.status_code, refused.response["error"]) == (200, "channel_not_found")
    assert down.response.status_code == 503
    assert slack.messages() == []


async def test_fail_for_hits_one_recipient_by_user_or_dm(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.add_user("T0001", "U0002")
    slack.fail_for("chat.postMessage", channel="U0002", error="user_not_found")

    by_user = await api_error(client.chat_postMessage(channel="U0002", text="Hi"))
    by_dm = await api_error(client.chat_postMessage(channel="D0002", text="Hi"))
    await client.chat_postMessage(channel="U0001", text="Hi")

    assert by_user.response["error"] == by_dm.response["error"] == "user_not_found"
    assert [m.im_user for m in slack.messages()] == ["U0001"]


async def test_bots_and_archived_channels_refuse_posts(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.add_user("T0001", "U0HELPER", is_bot=True)
    slack.add_channel("T0001", "C0OLD", members=["U0001"], is_archived=True)

    bot = await api_error(client.chat_postMessage(channel="U0HELPER", text="Hi"))
    archived = await api_error(client.chat_postMessage(channel="C0OLD", text="Hi"))

    assert (bot.response["error"], archived.response["error"]) == ("cannot_dm_bot", "is_archived")


async def test_bad_tokens_are_refused(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.revoke(slack.workspace().bot_token)
    revoked = await api_error(client.auth_test())
    unknown = await api_error(
        AsyncWebClient(base_url=slack.api_url, token="xoxb-1-2-x").auth_test()
    )
    missing = await api_error(AsyncWebClient(base_url=slack.api_url).auth_test())

    assert revoked.response["error"] == "token_revoked"
    assert unknown.response["error"] == "invalid_auth"
    assert missing.response["error"] == "not_authed"


async def test_unknown_methods_are_refused(client: AsyncWebClient) -> None:
    error = await api_error(client.api_call("chat.postTelegram"))
    assert error.response["error"] == "unknown_method"


@SDK_BASIC_AUTH
async def test_oauth_exchanges_a_code_once(slack: FakeSlack) -> None:
    token = slack.add_oauth_code("code-1", team_id="T0002", team_name="Other", authed_user_id="U9")
    anonymous = AsyncWebClient(base_url=slack.api_url)
    credentials = {"client_id": slack.client_id, "client_secret": slack.client_secret}

    answer = await anonymous.oauth_v2_access(code="code-1", **credentials)

    assert answer["access_token"] == token and answer["token_type"] == "bot"
    assert answer["team"] == {"id": "T0002", "name": "Other"}
    assert answer["authed_user"] == {"id": "U9"}
    assert (answer["enterprise"], answer["is_enterprise_install"]) == (None, False)
    assert answer["app_id"] and answer["bot_user_id"] == "U0BOT" and "refresh_token" not in answer
    installed = AsyncWebClient(base_url=slack.api_url, token=token)
    assert (await installed.auth_test())["team_id"] == "T0002"
    reused = await api_error(anonymous.oauth_v2_access(code="code-1", **credentials))
    assert reused.response["error"] == "invalid_code"
    bad_secret = {**credentials, "client_secret": "wrong"}
    wrong = await api_error(anonymous.oauth_v2_access(code="code-2", **bad_secret))
    assert wrong.response["error"] == "bad_client_secret"


@SDK_BASIC_AUTH
async def test_oauth_rotates_tokens(slack: FakeSlack) -> None:
    slack.add_oauth_code("code-1", team_id="T0002", refresh_token="xoxe-1-first", expires_in=600)
    anonymous = AsyncWebClient(base_url=slack.api_url)
    credentials = {"client_id": slack.client_id, "client_secret": slack.client_secret}
    installed = await anonymous.oauth_v2_access(code="code-1", **credentials)
    assert (installed["refresh_token"], installed["expires_in"]) == ("xoxe-1-first", 600)

    rotated = await anonymous.oauth_v2_access(
        grant_type="refresh_token", refresh_token="xoxe-1-first", **credentials
    )

    assert rotated["access_token"] != installed["access_token"]
    assert rotated["refresh_token"] != "xoxe-1-first" and rotated["token_type"] == "bot"
    fresh = AsyncWebClient(base_url=slack.api_url, token=rotated["access_token"])
    assert (await fresh.auth_test())["team_id"] == "T0002"
    stale = await api_error(
        anonymous.oauth_v2_access(
            grant_type="refresh_token", refresh_token="xoxe-1-first", **credentials
        )
    )
    assert stale.response["error"] == "invalid_refresh_token"


async def test_views_open_update_and_publish(slack: FakeSlack, client: AsyncWebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "checkin",
        "title": {"type": "plain_text", "text": "x"},
    }
    no_trigger = await api_error(client.views_open(view=modal))
    opened = await client.views_open(trigger_id="1.2.abc", view=modal)
    view_id, view_hash = opened["view"]["id"], opened["view"]["hash"]
    await client.views_update(view_id=view_id, hash=view_hash, view={**modal, "callback_id": "v2"})
    stale = await api_error(client.views_update(view_id=view_id, hash=view_hash, view=modal))
    await client.views_publish(user_id="U0001", view={"type": "home", "blocks": []})

    assert no_trigger.response["error"] == "invalid_arguments"
    assert stale.response["error"] == "hash_conflict"
    (shown,) = slack.modals()
    assert (shown.payload["callback_id"], shown.updated) == ("v2", 1)
    assert slack.home_view("U0001") == {"type": "home", "blocks": []}


async def test_a_trigger_opens_one_modal_within_three_seconds(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    modal = {"type": "modal", "callback_id": "c", "title": {"type": "plain_text", "text": "x"}}
    fresh, late = slack.trigger_id(age=2.9), slack.trigger_id(age=3.1)

    await client.views_open(trigger_id=fresh, view=modal)
    again = await api_error(client.views_open(trigger_id=fresh, view=modal))
    expired = await api_error(client.views_open(trigger_id=late, view=modal))

    assert again.response["error"] == "exchanged_trigger_id"
    assert expired.response["error"] == "expired_trigger_id"
    assert len(slack.modals()) == 1


async def test_ephemeral_messages_are_kept_apart(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.add_channel("T0001", "C0001", members=["U0001"])

    answer = await client.chat_postEphemeral(channel="C0001", user="U0001", text="Only you")
    outsider = await api_error(client.chat_postEphemeral(channel="C0001", user="U0BOT", text="x"))

    assert answer["message_ts"]
    assert outsider.response["error"] == "user_not_in_channel"
    assert [m.text for m in slack.ephemeral_messages("U0001")] == ["Only you"]
    assert slack.messages() == []


async def test_response_urls_post_back_to_the_fake(slack: FakeSlack) -> None:
    url = slack.response_url()
    response = await AsyncWebhookClient(url).send(text="Saved", replace_original=True)

    assert response.status_code == 200
    assert slack.responses(url) == [{"text": "Saved", "replace_original": True}]


def test_signatures_verify_with_slack_sdk() -> None:
    body = event_body(payloads.load("url_verification"))
    headers = sign(body, secret=SECRET, timestamp=1_700_000_000)
    verifier = SignatureVerifier(SECRET, clock=FixedClock())

    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not SignatureVerifier("another-secret", clock=FixedClock()).is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert SignatureVerifier(SECRET).is_valid_request(body.encode(), sign(body, secret=SECRET))


def test_bodies_encode_as_slack_sends_them() -> None:
    action = payloads.load("block_actions")
    command = payloads.load("slash_command", text="help")

    assert json.loads(parse_qs(form_body(action))["payload"][0]) == action
    fields = {key: values[0] for key, values in parse_qs(command_body(**command)).items()}
    assert fields["command"] == "/ripple" and fields["text"] == "help"


@pytest.mark.parametrize("name", payloads.names())
def test_every_fixture_fills_completely(name: str) -> None:
    filled = json.dumps(payloads.load(name))
    assert "{{" not in filled and "_defaults" not in filled


def test_load_fills_placeholders_whole_and_inline() -> None:
    state = {"values": {"energy": {"energy_choice": {"type": "static_select"}}}}
    submission = payloads.load("view_submission", user_id="U0042", state=state)
    event = payloads.load("event_member_joined_channel", event_id="Ev0001", channel_id="C0009")
    press = payloads.load("block_actions", user_id="U0042", action_value="later")

    assert submission["user"]["id"] == "U0042" and submission["view"]["state"] == state
    assert (event["event_id"], event["event"]["channel"]) == ("Ev0001", "C0009")
    assert isinstance(event["event_time"], int) and event["type"] == "event_callback"
    assert press["container"]["channel_id"] == "D0042"
    assert press["actions"][0]["value"] == "later"
    assert payloads.load("event_app_home_opened")["event_id"] != event["event_id"]
    with pytest.raises(KeyError):
        payloads.fill("{{nothing_here}}", {})


async def test_a_per_minute_limit_answers_429_until_the_minute_has_room(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    now = [0.0]
    slack.now = lambda: now[0]
    slack.limit_per_minute("chat.postMessage", 3)

    statuses = []
    for at in (0, 10, 20, 30, 59, 60, 61, 70):
        now[0] = at
        try:
            await client.chat_postMessage(channel="U0001", text="Hi")
            statuses.append(200)
        except SlackApiError as error:
            statuses.append((error.response.status_code, error.response.headers["Retry-After"]))

    assert statuses == [200, 200, 200, (429, "30"), (429, "1"), 200, (429, "9"), 200]
