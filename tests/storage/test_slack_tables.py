"""slack_sdk's async OAuth stores work on the tables Ripple's migrations create."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import (
    AsyncSQLAlchemyOAuthStateStore,
    SQLAlchemyOAuthStateStore,
)
from sqlalchemy import MetaData, Table, delete, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import upgrade_to_head
from storage.secrets import TokenCipher
from storage.slack_installations import BotOnlyInstallationStore

CLIENT_ID = "111.222"


def slack_metadata() -> MetaData:
    """slack_sdk's OAuth tables under its default names, as Ripple's store defines them.

    That is slack_sdk's own definitions, with Text token columns to hold encrypted tokens.
    """
    metadata = MetaData()
    installations = BotOnlyInstallationStore
    installations.build_installations_table(
        metadata, installations.default_installations_table_name
    )
    installations.build_bots_table(metadata, installations.default_bots_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(
        metadata, SQLAlchemyOAuthStateStore.default_table_name
    )
    return metadata


def slack_tables() -> list[Table]:
    return list(slack_metadata().tables.values())


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    """Ripple's own engine on a migrated database, with the Slack tables emptied."""
    await upgrade_to_head(migrated_url)
    engine = create_engine(migrated_url)
    async with engine.begin() as conn:
        for table in slack_tables():
            await conn.execute(delete(table))
    try:
        yield engine
    finally:
        await engine.dispose()


def installation(**changes: Any) -> Installation:
    values: dict[str, Any] = {
        "app_id": "A0123",
        "enterprise_id": None,
        "team_id": "T0123",
        "team_name": "Acme",
        "user_id": "U0123",
        "bot_token": "xoxb-test-token",
        "bot_id": "B0123",
        "bot_user_id": "U0BOT",
        "bot_scopes": ["chat:write", "im:write", "users:read"],
        "user_token": "xoxp-test-token",
        "user_scopes": ["identify"],
        "bot_refresh_token": "xoxe-test-refresh",
        "bot_token_expires_at": 1_900_000_000,
        "token_type": "bot",
    }
    values.update(changes)
    return Installation(**values)


async def test_installations_and_bots_round_trip_and_delete(engine: AsyncEngine) -> None:
    store = AsyncSQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    await store.async_save(installation())
    await store.async_save(installation(team_id="T0999", bot_token="xoxb-other"))

    bot = await store.async_find_bot(enterprise_id=None, team_id="T0123")
    assert bot is not None
    assert (bot.bot_token, bot.bot_id, bot.bot_user_id) == ("xoxb-test-token", "B0123", "U0BOT")
    assert bot.bot_scopes == ["chat:write", "im:write", "users:read"]
    assert bot.bot_token_expires_at == 1_900_000_000
    assert bot.is_enterprise_install is False

    found = await store.async_find_installation(enterprise_id=None, team_id="T0123")
    assert found is not None
    assert (found.app_id, found.team_name, found.user_id) == ("A0123", "Acme", "U0123")
    assert (found.user_token, found.token_type) == ("xoxp-test-token", "bot")
    assert found.bot_refresh_token == "xoxe-test-refresh"
    mine = await store.async_find_installation(enterprise_id=None, team_id="T0123", user_id="U0123")
    assert mine is not None
    assert mine.user_token == "xoxp-test-token"
    other_client = AsyncSQLAlchemyInstallationStore(client_id="999.999", engine=engine)
    assert await other_client.async_find_bot(enterprise_id=None, team_id="T0123") is None

    await store.async_delete_all(enterprise_id=None, team_id="T0123")
    assert await store.async_find_bot(enterprise_id=None, team_id="T0123") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T0123") is None
    assert await store.async_find_bot(enterprise_id=None, team_id="T0999") is not None


async def test_oauth_states_are_issued_and_consumed_once(engine: AsyncEngine) -> None:
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    state = await states.async_issue()
    assert await states.async_consume(state)
    assert not await states.async_consume(state)
    assert not await states.async_consume("never-issued")


async def test_expired_oauth_states_are_refused(engine: AsyncEngine) -> None:
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=-1, engine=engine)
    assert not await states.async_consume(await states.async_issue())


def reflected_schema(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    return {table.name: describe(inspector, table.name) for table in slack_tables()}


def describe(inspector: Any, table_name: str) -> dict[str, Any]:
    columns = {
        column["name"]: (
            column["type"].python_type,
            getattr(column["type"], "length", None),
            getattr(column["type"], "timezone", False),
            column["nullable"],
        )
        for column in inspector.get_columns(table_name)
    }
    indexes = {
        index["name"]: tuple(index["column_names"]) for index in inspector.get_indexes(table_name)
    }
    primary_key = tuple(inspector.get_pk_constraint(table_name)["constrained_columns"])
    return {"columns": columns, "indexes": indexes, "primary_key": primary_key}


def defined_schema(table: Table) -> dict[str, Any]:
    columns = {
        column.name: (
            column.type.python_type,
            getattr(column.type, "length", None),
            getattr(column.type, "timezone", False),
            column.nullable,
        )
        for column in table.columns
    }
    indexes = {
        index.name: tuple(column.name for column in index.columns) for index in table.indexes
    }
    primary_key = tuple(column.name for column in table.primary_key.columns)
    return {"columns": columns, "indexes": indexes, "primary_key": primary_key}


async def test_migrated_tables_match_slack_sdks_definitions(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        reflected = await conn.run_sync(reflected_schema)
    expected = {table.name: defined_schema(table) for table in slack_tables()}
    assert reflected == expected
    assert {name: list(schema["columns"]) for name, schema in reflected.items()} == {
        name: list(schema["columns"]) for name, schema in expected.items()
    }


# Rotating tokens (xoxe.xoxb-1-…) run to some 190 characters: encrypted, past String(200).
ROTATING_TOKEN = "xoxe.xoxb-1-" + "MS0yLTIyMTAwNjQwNDU3NjQt" * 8
REFRESH_TOKEN = "xoxe-1-" + "My0xLTIyMTAwNjQwNDU3NjQt" * 6


async def test_encrypted_rotating_tokens_fit_the_token_columns(engine: AsyncEngine) -> None:
    cipher = TokenCipher.from_setting(Fernet.generate_key().decode())
    store = BotOnlyInstallationStore(client_id=CLIENT_ID, engine=engine, cipher=cipher)
    await store.async_save(installation(bot_token=ROTATING_TOKEN, bot_refresh_token=REFRESH_TOKEN))
    try:
        bot = await store.async_find_bot(enterprise_id=None, team_id="T0123")
        assert bot is not None
        assert (bot.bot_token, bot.bot_refresh_token) == (ROTATING_TOKEN, REFRESH_TOKEN)
        async with engine.connect() as conn:
            query = text("SELECT bot_token, bot_refresh_token FROM slack_bots")
            stored = (await conn.execute(query)).one()
        assert all(value.startswith("fernet:") and len(value) > 250 for value in stored)
    finally:
        await store.async_delete_workspace(team_id="T0123")
