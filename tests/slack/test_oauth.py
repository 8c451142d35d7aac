"""Installing Ripple in many workspaces: OAuth, the installation store, and token rotation."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from sqlalchemy import text

from tests.slack.world import CHANNEL, MONDAY_0930, SlackWorld, slack_world


async def install(world: SlackWorld, *, code: str) -> None:
    page = await world.http.get("/slack/install")
    assert page.status_code == 200
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert link is not None, page.text
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == [world.slack.client_id]
    assert set(query["scope"][0].split(",")) == {
        "channels:read",
        "chat:write",
        "commands",
        "files:write",
        "groups:read",
        "im:history",
        "users:read",
    }
    state = query["state"][0]
    # Bolt marks the state cookie Secure, as Slack apps run on https: send it as a browser would.
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    assert cookie.startswith("slack-app-oauth-state=")
    done = await world.http.get(
        "/slack/oauth_redirect", params={"code": code, "state": state}, headers={"Cookie": cookie}
    )
    assert done.status_code == 200, done.text


async def stored_bots(world: SlackWorld) -> list[tuple[str, str]]:
    async with world.store.engine.connect() as conn:
        rows = await conn.execute(text("SELECT team_id, bot_token FROM slack_bots ORDER BY id"))
        return [(row[0], row[1]) for row in rows]


async def test_installing_stores_the_workspace_and_its_events_work(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True) as world:
        world.slack.add_workspace("T0001")
        token = world.slack.add_oauth_code("install-1", team_id="T0001")
        await install(world, code="install-1")
        assert await stored_bots(world) == [("T0001", token)]

        # The installed workspace's requests are authorised from the store.
        await world.add_team(members=6)
        world.clock.set(MONDAY_0930)
        assert (await world.ripple.tick()).opened == 1
        await world.ripple.drain()
        assert len(world.slack.messages()) == 6
        assert {c.token for c in world.slack.calls("chat.postMessage")} == {token}


async def test_an_install_with_a_reused_code_or_forged_state_stores_nothing(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True) as world:
        world.slack.add_workspace("T0001")
        world.slack.add_oauth_code("install-1", team_id="T0001")
        assert (await world.http.get("/slack/install")).status_code == 200
        forged = await world.http.get(
            "/slack/oauth_redirect",
            params={"code": "install-1", "state": "not-a-state-ripple-issued"},
        )
        assert forged.status_code >= 400
        assert await stored_bots(world) == []


async def test_rotating_tokens_are_renewed_before_they_expire(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True) as world:
        world.slack.add_workspace("T0001")
        first = world.slack.add_oauth_code(
            "install-1", team_id="T0001", refresh_token="xoxe-1-refresh", expires_in=3 * 3600
        )
        await install(world, code="install-1")
        assert await world.platform.workspaces.bot_token("T0001") == first
        # slack_sdk saves the expiry in local time; two more hours puts it inside the window.
        async with world.store.engine.begin() as conn:
            await conn.execute(
                text("UPDATE slack_bots SET bot_token_expires_at = :at"),
                {"at": (MONDAY_0930 - timedelta(days=1)).replace(tzinfo=None)},
            )
        renewed = await world.platform.workspaces.bot_token("T0001")
        assert renewed is not None and renewed != first
        assert (await stored_bots(world))[-1] == ("T0001", renewed)
        assert world.slack.calls("oauth.v2.access")[-1].params.get("grant_type") == "refresh_token"


async def test_reinstalling_after_an_uninstall_resumes_the_channels(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True) as world:
        world.slack.add_workspace("T0001")
        world.slack.add_oauth_code("install-1", team_id="T0001")
        await install(world, code="install-1")
        await world.add_team(members=6)
        response, _ = await world.event("event_app_uninstalled")
        assert response.status_code == 200

        async def active() -> bool | None:
            async with world.store.unit_of_work() as uow:
                channel = await uow.channels.get(f"slack:T0001:{CHANNEL}")
            return None if channel is None else channel.active

        await world.until_stored(lambda: _is(active, False), what="the channel to stop")
        assert await stored_bots(world) == []
        world.slack.add_oauth_code("install-2", team_id="T0001")
        await install(world, code="install-2")
        assert await active() is True


async def _is(check, expected) -> bool:  # type: ignore[no-untyped-def]
    return bool(await check() is expected)
