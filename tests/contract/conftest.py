"""The ``store`` fixture: every contract test runs on memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.memory import MemoryStore
from bot.ports import Store
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from storage.tables import Base

STORE_KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def empty_postgres_store(url: str) -> SqlStore:
    """A store on the session's PostgreSQL database with every table emptied."""
    store = SqlStore.from_url(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with store.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return store


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def database_url(
    store_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str | None:
    if store_kind == "memory":
        return None
    if store_kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'ripple.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def store(store_kind: str, database_url: str | None) -> AsyncIterator[Store]:
    if database_url is None:
        yield MemoryStore()
        return
    if store_kind == "sqlite":
        await upgrade_to_head(database_url)
        sql = SqlStore.from_url(database_url)
    else:
        sql = await empty_postgres_store(database_url)
    try:
        yield sql
    finally:
        await sql.close()


@pytest.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[SqlStore]:
    store = await empty_postgres_store(postgres_url)
    try:
        yield store
    finally:
        await store.close()
