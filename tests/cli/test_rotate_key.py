"""`ripple rotate-key`: every stored Slack token moves to the newest key, or nothing moves."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.app.bootstrap import build_ripple, load_catalog, senders_of, slack_platform
from bot.app.settings import load_settings
from bot.ripple import Ripple
from storage.secrets import TokenCipher, TokenKeyError
from storage.slack_installations import BotOnlyInstallationStore
from tests.cli import ripple_env, run_ripple, sqlite_url
from tests.slack.fake_slack import make_bot_token
from tests.slack.test_oauth import install
from tests.slack.test_secrets import plain_bot
from tests.slack.world import MONDAY_0930, SlackWorld, slack_world

OLD, NEW, UNRELATED = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The in-process Ripple takes its settings from the test alone, as the command does."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("RIPPLE_", "SLACK_"))]:
        monkeypatch.delenv(name)


def rotate_key(tmp_path: Path, keys: str | None) -> subprocess.CompletedProcess[str]:
    settings = {"database_url": sqlite_url(tmp_path / "ripple.db")}
    if keys is not None:
        settings["secret_key"] = keys
    return run_ripple("rotate-key", cwd=tmp_path, env=ripple_env(**settings))


async def stored_tokens(world: SlackWorld) -> list[tuple[int, str | None, str | None]]:
    async with world.store.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT id, bot_token, bot_refresh_token FROM slack_bots ORDER BY id")
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def save_before_encryption(world: SlackWorld, *, team_id: str) -> None:
    """A bot record as Ripple stored it before tokens were encrypted."""
    earlier = BotOnlyInstallationStore(
        client_id=world.slack.client_id, engine=world.store.engine, cipher=None
    )
    await earlier.async_save_bot(plain_bot(team_id, make_bot_token()))


@asynccontextmanager
async def ripple_with_key(world: SlackWorld, key: str) -> AsyncIterator[Ripple]:
    """Ripple on the same database and fake Slack, started with RIPPLE_SECRET_KEY=key."""
    settings = load_settings(database_url=str(world.store.engine.url))
    platform = slack_platform(
        world.platform.config,
        store=world.store,
        catalog=load_catalog(settings),
        cipher=TokenCipher.from_setting(key),
    )
    try:
        yield build_ripple(
            settings, store=world.store, clock=world.clock, senders=senders_of([platform])
        )
    finally:
        await platform.stop()


async def test_rotate_key_moves_every_token_to_the_newest_key(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True, secret_key=OLD) as world:
        await save_before_encryption(world, team_id="T0009")
        world.slack.add_workspace("T0001")
        token = world.slack.add_oauth_code(
            "install-1", team_id="T0001", refresh_token="xoxe-1-refresh", expires_in=12 * 3600
        )
        await install(world, code="install-1")
        await world.add_team(members=6)
        before = await stored_tokens(world)

        done = await asyncio.to_thread(rotate_key, tmp_path, f"{NEW},{OLD}")
        assert done.returncode == 0, done.stderr
        # The installed bot token and its refresh token, and the token stored in the clear.
        assert "Re-encrypted 3 stored Slack token(s)" in done.stdout
        after = await stored_tokens(world)
        assert [row[0] for row in after] == [row[0] for row in before]
        values = [value for row in after for value in row[1:] if value is not None]
        assert len(values) == 3 and all(value.startswith("fernet:") for value in values)
        assert not set(values) & {value for row in before for value in row[1:]}

        # With only the old key, Ripple can't read the tokens, so nothing is sent.
        with pytest.raises(TokenKeyError):
            await world.platform.workspaces.bot_token("T0001")
        world.clock.set(MONDAY_0930)
        assert (await world.ripple.tick()).opened == 1
        await world.ripple.drain()
        assert world.slack.messages() == []

        # With only the new key, it sends with the same token as before.
        world.clock.advance(timedelta(minutes=10))
        async with ripple_with_key(world, NEW) as ripple:
            await ripple.drain()
        assert len(world.slack.messages()) == 6
        assert {c.token for c in world.slack.calls("chat.postMessage")} == {token}


async def test_rotate_key_with_keys_that_cannot_decrypt_changes_nothing(tmp_path: Path):
    async with slack_world(tmp_path, oauth=True, secret_key=OLD) as world:
        # Listed first, a token in the clear that the command could encrypt, but must not.
        await save_before_encryption(world, team_id="T0009")
        world.slack.add_workspace("T0001")
        token = world.slack.add_oauth_code("install-1", team_id="T0001")
        await install(world, code="install-1")
        before = await stored_tokens(world)

        refused = await asyncio.to_thread(rotate_key, tmp_path, f"{NEW},{UNRELATED}")
        assert refused.returncode == 1
        assert "slack_bots row 2" in refused.stderr
        assert "RIPPLE_SECRET_KEY" in refused.stderr
        assert "Nothing was changed." in refused.stderr
        assert NEW not in refused.stderr + refused.stdout
        assert UNRELATED not in refused.stderr + refused.stdout
        assert await stored_tokens(world) == before
        assert await world.platform.workspaces.bot_token("T0001") == token


def test_rotate_key_without_a_key_says_how_to_give_one(tmp_path: Path):
    refused = rotate_key(tmp_path, None)
    assert refused.returncode == 2
    assert "RIPPLE_SECRET_KEY=new,old" in refused.stderr


def test_an_invalid_key_is_refused_by_name_and_not_echoed(tmp_path: Path):
    refused = rotate_key(tmp_path, f"{NEW},my-old-password")
    assert refused.returncode == 2
    assert "RIPPLE_SECRET_KEY: key 2 is not a Fernet key" in refused.stderr
    assert "Fernet.generate_key()" in refused.stderr
    assert "my-old-password" not in refused.stderr
    assert NEW not in refused.stderr
