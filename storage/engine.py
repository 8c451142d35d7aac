"""The async engine for a database URL, with SQLite set up for a small concurrent app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.url import normalize_database_url

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` (any form ``normalize_database_url`` accepts)."""
    async_url = normalize_database_url(url)
    if async_url.lower().startswith("sqlite"):
        engine = create_async_engine(async_url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    return create_async_engine(async_url, echo=echo, pool_pre_ping=True)
