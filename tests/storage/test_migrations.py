"""Migrations: the only way the schema is made, reversible, and what ``is_ready`` checks."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import date, time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.model import Cadence, ChannelConfig
from storage.config_json import config_from_json, config_to_json
from storage.migrate import current_revision, downgrade, head_revision, upgrade_to_head
from storage.store import SqlStore
from storage.tables import Base
from tests.storage.test_slack_tables import slack_metadata

TABLES = {
    "channels",
    "channel_members",
    "people",
    "rounds",
    "checkins",
    "outbox",
    "processed_events",
    "addresses",
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
}


async def is_ready(url: str) -> bool:
    store = SqlStore.from_url(url)
    try:
        return await store.is_ready()
    finally:
        await store.close()


async def table_names(store: SqlStore) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


def test_the_head_is_the_newest_revision() -> None:
    assert head_revision() == "0007"


async def test_upgrade_to_head_makes_a_fresh_database_ready(sqlite_url: str) -> None:
    assert await current_revision(sqlite_url) is None
    await upgrade_to_head(sqlite_url)
    assert await current_revision(sqlite_url) == head_revision()
    assert await is_ready(sqlite_url)


async def test_a_database_without_migrations_is_not_ready(sqlite_url: str) -> None:
    assert not await is_ready(sqlite_url)


async def test_upgrading_twice_changes_nothing(sqlite_url: str) -> None:
    await upgrade_to_head(sqlite_url)
    await upgrade_to_head(sqlite_url)
    assert await current_revision(sqlite_url) == head_revision()


async def test_downgrade_to_base_then_upgrade_again(sqlite_url: str) -> None:
    await upgrade_to_head(sqlite_url)
    await downgrade(sqlite_url, revision="base")
    assert await current_revision(sqlite_url) is None
    assert not await is_ready(sqlite_url)
    store = SqlStore.from_url(sqlite_url)
    try:
        assert await table_names(store) <= {"alembic_version"}
    finally:
        await store.close()
    await upgrade_to_head(sqlite_url)
    assert await is_ready(sqlite_url)


async def test_migrations_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    await upgrade_to_head("sqlite:///relative.db")
    assert (tmp_path / "relative.db").exists()
    assert await is_ready("sqlite:///relative.db")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://ripple@127.0.0.1:1/ripple",
        "sqlite:////nonexistent-directory/for/ripple.db",
    ],
)
async def test_an_unreachable_database_is_not_ready(url: str) -> None:
    assert not await is_ready(url)
    await worker_threads_stopped()


async def worker_threads_stopped() -> None:
    """Wait for aiosqlite's worker threads to end before the test's event loop closes.

    After a failed connect aiosqlite stops its thread without awaiting it; if the loop
    closes first, the thread's late reply raises "Event loop is closed".
    """
    for _ in range(200):
        if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
            return
        await asyncio.sleep(0.01)


def schema_differences(connection: Connection) -> list[object]:
    """What autogenerate would change: Ripple's models, plus slack_sdk's OAuth tables."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # Alembic accepts a sequence of MetaData here, as it does for ``target_metadata``.
    expected = [Base.metadata, slack_metadata()]
    return list(compare_metadata(context, expected))  # type: ignore[arg-type]


async def test_migrations_build_exactly_the_models_schema(sql_store: SqlStore) -> None:
    assert await table_names(sql_store) >= TABLES
    async with sql_store.engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []


@pytest.mark.postgres
async def test_postgres_downgrade_to_base_then_upgrade_again(postgres_url: str) -> None:
    try:
        await downgrade(postgres_url, revision="base")
        assert await current_revision(postgres_url) is None
        assert not await is_ready(postgres_url)
    finally:
        await upgrade_to_head(postgres_url)
    assert await is_ready(postgres_url)


def test_channel_config_json_is_plain_and_round_trips() -> None:
    config = ChannelConfig(
        cadence=Cadence(weekday=4, local_time=time(16, 45), every_weeks=3),
        managers=frozenset({"b", "a"}),
        quiet_dates=frozenset({date(2026, 12, 31), date(2026, 12, 24)}),
    )
    data = json.loads(json.dumps(config_to_json(config)))
    assert data["managers"] == ["a", "b"]
    assert data["quiet_dates"] == ["2026-12-24", "2026-12-31"]
    assert data["cadence"]["local_time"] == "16:45:00"
    assert config_from_json(data) == config


def test_channel_config_stored_by_other_versions_still_loads() -> None:
    assert config_from_json({}) == ChannelConfig()
    older = {"k": 6, "cadence": {"weekday": 2}, "retired_setting": True}
    assert config_from_json(older) == ChannelConfig(k=6, cadence=Cadence(weekday=2))
