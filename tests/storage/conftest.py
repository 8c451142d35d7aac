"""Fixtures for storage tests: database URLs and migrated SQL stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from storage.tables import Base


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'ripple.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A URL of a database at the newest schema (its migration happens in ``sql_store``)."""
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def sql_store(migrated_url: str) -> AsyncIterator[SqlStore]:
    """An empty, migrated SQL store on SQLite and (when configured) PostgreSQL."""
    await upgrade_to_head(migrated_url)
    store = SqlStore.from_url(migrated_url)
    if store.engine.dialect.name == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with store.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    try:
        yield store
    finally:
        await store.close()
