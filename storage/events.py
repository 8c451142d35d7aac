"""Platform event ids already handled, so redelivered events change nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.statements import insert_if_absent
from storage.tables import ProcessedEventRow, table_of

_events = table_of(ProcessedEventRow)


class SqlEvents:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, event_id: str, *, now: datetime) -> bool:
        values = {"event_id": event_id, "recorded_at": now}
        return await insert_if_absent(self._conn, ProcessedEventRow, values)

    async def purge_before(self, cutoff: datetime) -> int:
        result = await self._conn.execute(delete(_events).where(_events.c.recorded_at < cutoff))
        return result.rowcount
