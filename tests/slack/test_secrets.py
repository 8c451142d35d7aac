"""Slack tokens at rest: encrypted under RIPPLE_SECRET_KEY, and gone when a workspace leaves."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.bootstrap import StartupError, build_app
from bot.app.settings import Settings, SettingsError, load_settings
from storage.secrets import TokenCipher, TokenKeyError
from storage.slack_installations import BotOnlyInstallationStore
from tests.slack.fake_slack import make_bot_token
from tests.slack.test_oauth import install
from tests.slack.world import MONDAY_0930, SIGNING_SECRET, SlackWorld, slack_world

KEY = Fernet.generate_key().decode()
# How Slack's tokens begin: bot, rotating and refresh, user.
TOKEN_MARKS = ("xoxb-", "xoxe-", "xoxe.", "xoxp-")


def every_row(connection: Connection) -> list[tuple[str, dict[str, Any]]]:
    metadata = MetaData()
    metadata.reflect(connection)
    return [
        (table.name, dict(row))
        for table in metadata.sorted_tables
        for row in connection.execute(select(table)).mappings()
    ]


async def tokens_in_the_clear(engine: AsyncEngine, *known: str) -> list[str]:
    """Every table.column, in every row of every table, that holds a Slack token as it is."""
    async with engine.connect() as conn:
        rows = await conn.run_sync(every_row)
    return [
        f"{table}.{column}"
        for table, row in rows
        for column, value in row.items()
        if any(mark in str(value) for mark in (*TOKEN_MARKS, *known))
    ]


async def stored_tokens(world: SlackWorld) -> list[str]:
    async with world.store.engine.connect() as conn:
        rows = await conn.execute(text("SELECT bot_token, bot_refresh_token FROM slack_bots"))
        return [value for row in rows for value in row if value is not None]


async def token_rows(world: SlackWorld, team_id: str) -> dict[str, int]:
    counts = {}
    async with world.store.engine.connect() as conn:
        for table in ("slack_bots", "slack_installations"):
            query = text(f"SELECT COUNT(*) FROM {table} WHERE team_id = :team")
            counts[table] = int((await conn.execute(query, {"team": team_id})).scalar_one())
    return counts


def plain_bot(team_id: str, token: str, **fields: Any) -> Bot:
    return Bot(
        app_id="A0RIPPLE01",
        team_id=team_id,
        bot_token=token,
        bot_id="B0BOT",
        bot_user_id="U0BOT",
        installed_at=fields.pop("installed_at", time.time()),
        **fields,
    )


async def test_installed_tokens_are_stored_encrypted_and_still_deliver(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True, secret_key=KEY) as world:
        world.slack.add_workspace("T0001")
        token = world.slack.add_oauth_code(
            "install-1", team_id="T0001", refresh_token="xoxe-1-refresh", expires_in=3 * 3600
        )
        await install(world, code="install-1")
        assert await tokens_in_the_clear(world.store.engine, token) == []
        assert [t[:7] for t in await stored_tokens(world)] == ["fernet:", "fernet:"]

        # Requests are authorised, and check-ins delivered, with the decrypted token.
        await world.add_team(members=6)
        world.clock.set(MONDAY_0930)
        assert (await world.ripple.tick()).opened == 1
        await world.ripple.drain()
        assert len(world.slack.messages()) == 6
        assert {c.token for c in world.slack.calls("chat.postMessage")} == {token}

        # A renewed token and its new refresh token are stored encrypted too.
        async with world.store.engine.begin() as conn:
            await conn.execute(
                text("UPDATE slack_bots SET bot_token_expires_at = :at"),
                {"at": (MONDAY_0930 - timedelta(days=1)).replace(tzinfo=None)},
            )
        renewed = await world.platform.workspaces.bot_token("T0001")
        assert renewed is not None and renewed != token
        assert await tokens_in_the_clear(world.store.engine, token, renewed) == []
        assert await world.platform.workspaces.bot_token("T0001") == renewed


async def test_a_token_stored_before_encryption_is_read_then_encrypted(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True, secret_key=KEY) as world:
        token = make_bot_token()
        world.slack.add_workspace("T0001", bot_token=token)
        earlier = BotOnlyInstallationStore(
            client_id=world.slack.client_id, engine=world.store.engine, cipher=None
        )
        await earlier.async_save_bot(plain_bot("T0001", token))
        assert await tokens_in_the_clear(world.store.engine) == ["slack_bots.bot_token"]

        assert await world.platform.workspaces.bot_token("T0001") == token
        assert await tokens_in_the_clear(world.store.engine, token) == []
        assert await world.platform.workspaces.bot_token("T0001") == token


async def test_encrypted_tokens_without_the_key_are_an_error_not_a_token(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True) as world:  # no RIPPLE_SECRET_KEY
        keyed = BotOnlyInstallationStore(
            client_id=world.slack.client_id,
            engine=world.store.engine,
            cipher=TokenCipher.from_setting(KEY),
        )
        await keyed.async_save_bot(plain_bot("T0001", make_bot_token()))
        with pytest.raises(TokenKeyError, match="RIPPLE_SECRET_KEY is not set"):
            await world.platform.workspaces.bot_token("T0001")


@pytest.mark.parametrize(
    "events",
    [
        ("event_app_uninstalled",),
        ("event_tokens_revoked",),
        ("event_app_uninstalled", "event_tokens_revoked"),
        ("event_tokens_revoked", "event_app_uninstalled"),
    ],
)
async def test_leaving_deletes_every_token_row_of_the_workspace(
    tmp_path: Path, events: tuple[str, ...]
):
    async with slack_world(tmp_path, oauth=True, secret_key=KEY) as world:
        for team_id, code in (("T0001", "install-1"), ("T0002", "install-2"), ("T0001", "again")):
            world.slack.add_workspace(team_id)
            world.slack.add_oauth_code(code, team_id=team_id)
            await install(world, code=code)
        # Rows from before Ripple kept only bot records: an installation record, under an
        # Enterprise Grid org, with a user token.
        earlier = AsyncSQLAlchemyInstallationStore(
            client_id=world.slack.client_id, engine=world.store.engine
        )
        await earlier.async_save(
            Installation(
                app_id="A0RIPPLE01",
                enterprise_id="E0001",
                team_id="T0001",
                user_id="U0INSTALLER",
                user_token="xoxp-legacy-user-token",
                bot_token="xoxb-legacy-bot-token",
                bot_id="B0BOT",
                bot_user_id="U0BOT",
                installed_at=time.time() - 86400,
            )
        )
        assert await token_rows(world, "T0001") == {"slack_bots": 3, "slack_installations": 1}

        for fixture in events:
            response, _ = await world.event(fixture)
            assert response.status_code == 200

        async def gone() -> bool:
            return await token_rows(world, "T0001") == {"slack_bots": 0, "slack_installations": 0}

        await world.until_stored(gone, what="every token row of T0001 to be deleted")
        assert await world.platform.workspaces.bot_token("T0001") is None
        # The other workspace keeps its token, and it still works.
        assert await token_rows(world, "T0002") == {"slack_bots": 1, "slack_installations": 0}
        assert await world.platform.workspaces.bot_token("T0002") is not None


def oauth_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'ripple.db'}",
        slack_signing_secret=SIGNING_SECRET,
        slack_client_id="1111111111.2222222222222",
        slack_client_secret="not-a-real-client-secret",
        **overrides,
    )


def routes_of(settings: Settings) -> set[str]:
    return {getattr(route, "path", "") for route in build_app(settings, tick=False).routes}


def test_production_refuses_oauth_without_a_secret_key(tmp_path: Path):
    with pytest.raises(StartupError) as refused:
        routes_of(oauth_settings(tmp_path))  # production is the default
    message = str(refused.value)
    assert "RIPPLE_SECRET_KEY" in message
    assert "Fernet.generate_key().decode()" in message
    assert "\n" not in message


def test_production_starts_with_a_key_and_one_workspace_needs_none(tmp_path: Path):
    assert "/slack/install" in routes_of(oauth_settings(tmp_path, secret_key=KEY))
    one_workspace = load_settings(
        database_url=f"sqlite:///{tmp_path / 'ripple.db'}",
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=make_bot_token(),
    )
    assert "/slack/events" in routes_of(one_workspace)


def test_development_runs_oauth_without_a_key_and_says_tokens_are_unencrypted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="bot.app.bootstrap")
    assert "/slack/install" in routes_of(oauth_settings(tmp_path, env="development"))
    assert "stored unencrypted" in caplog.text


@pytest.mark.parametrize(
    "value",
    [
        "hunter2-is-no-fernet-key",
        f"{KEY},trailing-old-key-that-is-wrong",
        KEY[:-2] + "!=",
        KEY.rstrip("="),
    ],
)
def test_an_invalid_secret_key_stops_start_up_without_echoing_it(
    value: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("RIPPLE_SECRET_KEY", value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    assert "RIPPLE_SECRET_KEY" in message
    for part in value.split(","):
        assert part not in message
