"""One-way marks of people who erased their data, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.statements import insert_if_absent
from storage.tables import TombstoneRow, table_of

_tombstones = table_of(TombstoneRow)


class SqlTombstones:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, mark: str, *, now: datetime) -> None:
        await insert_if_absent(self._conn, TombstoneRow, {"mark": mark, "created_at": now})

    async def contains(self, mark: str) -> bool:
        result = await self._conn.execute(
            select(_tombstones.c.mark).where(_tombstones.c.mark == mark)
        )
        return result.first() is not None

    async def remove(self, mark: str) -> bool:
        result = await self._conn.execute(delete(_tombstones).where(_tombstones.c.mark == mark))
        return result.rowcount > 0
