"""Dialect-aware statement helpers: insert-if-absent, upsert and key-prefix ranges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import Base, table_of

_SURROGATES = range(0xD800, 0xE000)


async def insert_if_absent(
    conn: AsyncConnection, model: type[Base], values: Mapping[str, Any]
) -> bool:
    """Insert one row unless it would break a key or unique constraint; True if inserted.

    ``ON CONFLICT DO NOTHING`` lets concurrent writers race without raising.
    """
    key = next(iter(table_of(model).primary_key.columns))
    if conn.dialect.name == "postgresql":
        pg_stmt = postgresql.insert(model).values(dict(values)).on_conflict_do_nothing()
        result = await conn.execute(pg_stmt.returning(key))
    else:
        lite_stmt = sqlite.insert(model).values(dict(values)).on_conflict_do_nothing()
        result = await conn.execute(lite_stmt.returning(key))
    return result.first() is not None


async def upsert(
    conn: AsyncConnection, model: type[Base], values: Mapping[str, Any], *, key: Sequence[str]
) -> None:
    """Insert a row, or replace every non-key column of the row with the same ``key``."""
    changing = [name for name in values if name not in key]
    if conn.dialect.name == "postgresql":
        pg_stmt = postgresql.insert(model).values(dict(values))
        await conn.execute(
            pg_stmt.on_conflict_do_update(
                index_elements=list(key), set_={n: pg_stmt.excluded[n] for n in changing}
            )
        )
    else:
        lite_stmt = sqlite.insert(model).values(dict(values))
        await conn.execute(
            lite_stmt.on_conflict_do_update(
                index_elements=list(key), set_={n: lite_stmt.excluded[n] for n in changing}
            )
        )


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix``; None if unbounded.

    Owner ids are keys compared by code point on every database, so ``prefix <= id <
    bound`` selects exactly the ids with that prefix and can use the primary key index.
    """
    stem = prefix
    while stem:
        point = ord(stem[-1]) + 1
        if point in _SURROGATES:  # surrogates cannot be encoded, so skip past them
            point = _SURROGATES.stop
        if point <= 0x10FFFF:
            return stem[:-1] + chr(point)
        stem = stem[:-1]
    return None
