"""Slack Socket Mode over a real websocket to the fake Slack, and `ripple serve --socket-mode`."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import blocks_text
from adapters.slack.platform import SlackConfig, SlackConfigError, SlackPlatform
from bot.app.catalog import YamlPromptCatalog
from tests.cli import ripple_env, run_ripple, sqlite_url
from tests.http.test_app import free_port
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack, make_app_token, make_bot_token
from tests.slack.world import CHANNEL, SIGNING_SECRET, TEAM, SlackWorld, slack_world

SAM = "U0001"
SAM_ID = f"slack:{TEAM}:{SAM}"
APP_TOKEN_SHAPE = re.compile(r"xapp-1-A0RIPPLE01-\d{13}-[0-9a-f]{64}")


async def connected(world: SlackWorld) -> None:
    await world.eventually(
        lambda: world.slack.socket_connections == 1, what="Ripple's Socket Mode connection"
    )


async def is_paused(world: SlackWorld, person_id: str) -> bool:
    async with world.store.unit_of_work() as uow:
        person = await uow.people.get(person_id)
    return person is not None and person.paused


# The fake's side of Socket Mode, driven by a plain websocket client.


def test_app_tokens_look_like_slack_app_tokens() -> None:
    assert APP_TOKEN_SHAPE.fullmatch(make_app_token())


async def test_only_an_app_token_opens_a_socket_url() -> None:
    async with FakeSlack() as slack:
        bot_token = slack.add_workspace(TEAM).bot_token
        app_token = slack.add_app_token()
        client = AsyncWebClient(base_url=slack.api_url)

        opened = await client.apps_connections_open(app_token=app_token)
        assert opened["url"].startswith(f"ws://127.0.0.1:{slack.port}/socket-mode?ticket=")
        errors = {}
        for name, token in (("bot", bot_token), ("unknown", make_app_token())):
            with pytest.raises(SlackApiError) as raised:
                await client.apps_connections_open(app_token=token)
            errors[name] = raised.value.response["error"]
        assert errors == {"bot": "not_allowed_token_type", "unknown": "invalid_auth"}
        assert slack.socket_connections == 0


async def test_the_socket_says_hello_carries_envelopes_and_records_acks() -> None:
    async with aiohttp.ClientSession() as session:
        async with FakeSlack() as slack:
            token = slack.add_app_token()
            client = AsyncWebClient(base_url=slack.api_url)
            url = (await client.apps_connections_open(app_token=token))["url"]
            socket = await session.ws_connect(url)
            assert (await socket.receive_json())["type"] == "hello"
            assert slack.socket_connections == 1

            envelope_id = await slack.socket_send("interactive", {"type": "block_actions"})
            assert await socket.receive_json() == {
                "envelope_id": envelope_id,
                "type": "interactive",
                "payload": {"type": "block_actions"},
                "accepts_response_payload": False,
            }
            await socket.send_json({"envelope_id": envelope_id})
            assert await slack.socket_ack(envelope_id) == {"envelope_id": envelope_id}

            with pytest.raises(aiohttp.WSServerHandshakeError):  # a ticket opens one socket
                await session.ws_connect(url)
        # The fake closed the socket on its way out, as Slack's servers do.
        closing = await socket.receive()
        assert closing.type is aiohttp.WSMsgType.CLOSE
        assert closing.data == aiohttp.WSCloseCode.GOING_AWAY
        assert [c.closed_by for c in slack.sockets.connections] == ["fake"]
        assert slack.socket_connections == 0


# Ripple in Socket Mode.


async def test_ripple_opens_one_socket_with_its_app_token_on_start(tmp_path: Path) -> None:
    async with slack_world(tmp_path, socket_mode=True) as world:
        await connected(world)
        (app_token,) = world.slack.sockets.app_tokens
        opens = world.slack.calls("apps.connections.open")
        # Once to check the token before starting, once by the socket client to connect.
        assert [(call.token, call.status, call.error) for call in opens] == [
            (app_token, 200, None)
        ] * 2
        (connection,) = world.slack.sockets.connections
        assert connection.app_token == app_token
        assert connection.is_open


async def test_a_slash_command_over_the_socket_is_acked_at_once_answered_and_pauses(
    tmp_path: Path,
) -> None:
    async with slack_world(tmp_path, socket_mode=True) as world:
        world.slack.add_user(TEAM, SAM, locale="en-US")
        await connected(world)
        url = world.slack.response_url(kind="commands")
        command = payloads.load(
            "slash_command", user_id=SAM, channel_id=CHANNEL, text="pause", response_url=url
        )

        envelope_id = await world.slack.socket_send(
            "slash_commands", command, accepts_response_payload=True
        )

        ack = await world.slack.socket_ack(envelope_id)
        assert ack == {"envelope_id": envelope_id}  # before Ripple looks anything up
        await world.until_stored(lambda: is_paused(world, SAM_ID), what="Sam to be paused")
        (dm,) = await world.messages_settle(SAM, count=1)
        assert dm.channel == world.slack.dm_channel_id(SAM)
        assert dm.text.startswith("Paused.")
        assert world.slack.calls("chat.postMessage")
        assert world.slack.sockets.acks(envelope_id) == [ack]  # acked once
        await world.eventually(lambda: bool(world.slack.responses(url)), what="the answer")
        assert world.slack.responses(url) == [
            {"text": "I've sent you a direct message.", "response_type": "ephemeral"}
        ]


async def test_a_direct_message_event_over_the_socket_is_acked_and_answered(
    tmp_path: Path,
) -> None:
    async with slack_world(tmp_path, socket_mode=True) as world:
        world.slack.add_user(TEAM, SAM, locale="en-US")
        await connected(world)
        event = payloads.load("event_message_im", user_id=SAM, text="history")

        envelope_id = await world.slack.socket_send("events_api", event)

        assert await world.slack.socket_ack(envelope_id) == {"envelope_id": envelope_id}
        (dm,) = await world.messages_settle(SAM, count=1)
        assert dm.channel == world.slack.dm_channel_id(SAM)
        assert "You don't have any check-ins yet." in f"{dm.text}\n{blocks_text(dm.blocks)}"


async def test_the_socket_closes_when_the_app_shuts_down(tmp_path: Path) -> None:
    async with slack_world(tmp_path, socket_mode=True) as world:
        slack = world.slack
        await connected(world)

    (connection,) = slack.sockets.connections
    assert connection.closed_by == "client"  # Ripple closed it, before the fake shut down
    assert connection.close_code == aiohttp.WSCloseCode.OK
    assert slack.socket_connections == 0
    # The start-up check and the one connection: no reconnecting on the way out.
    assert len(slack.calls("apps.connections.open")) == 2


# `ripple serve --socket-mode` in a subprocess.


def test_serve_in_socket_mode_without_an_app_token_names_the_setting(tmp_path: Path) -> None:
    env = ripple_env(
        database_url=sqlite_url(tmp_path / "r.db"),
        slack_bot_token=make_bot_token(),
        slack_signing_secret=SIGNING_SECRET,
    )
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0

    port = str(free_port())
    result = run_ripple("serve", "--socket-mode", "--port", port, cwd=tmp_path, env=env)

    assert result.returncode == 2, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ripple: ")
    assert "RIPPLE_SLACK_APP_TOKEN" in last_line
    assert "Traceback" not in result.stderr


async def test_a_refused_app_token_stops_start_up_with_a_clear_error(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        revoked = slack.add_app_token()
        slack.revoke(revoked)
        config = SlackConfig(
            signing_secret=SIGNING_SECRET,
            bot_token=make_bot_token(),
            app_token=revoked,
            api_url=slack.api_url,
            socket_mode=True,
        )
        platform = SlackPlatform(config=config, catalog=YamlPromptCatalog.load())
        with pytest.raises(
            SlackConfigError, match=r"refused RIPPLE_SLACK_APP_TOKEN.*token_revoked"
        ):
            await platform.start()
        await platform.stop()
        assert slack.socket_connections == 0
        bot_token = SlackConfig(
            signing_secret=SIGNING_SECRET,
            bot_token=make_bot_token(),
            app_token=make_bot_token(),
            api_url=slack.api_url,
            socket_mode=True,
        )
        with pytest.raises(SlackConfigError, match="app-level token"):
            bot_token.check()
