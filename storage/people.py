"""People and their preferences, in SQL."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Person
from storage.statements import upsert
from storage.tables import PersonRow, table_of

_people = table_of(PersonRow)


class SqlPeople:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, person_id: str) -> Person | None:
        result = await self._conn.execute(select(_people).where(_people.c.person_id == person_id))
        row = result.mappings().first()
        if row is None:
            return None
        return Person(
            person_id=row["person_id"],
            display_name=row["display_name"],
            timezone=row["timezone"],
            locale=row["locale"],
            paused=row["paused"],
        )

    async def save(self, person: Person) -> None:
        values = {
            "person_id": person.person_id,
            "display_name": person.display_name,
            "timezone": person.timezone,
            "locale": person.locale,
            "paused": person.paused,
        }
        await upsert(self._conn, PersonRow, values, key=("person_id",))

    async def delete(self, person_id: str) -> bool:
        result = await self._conn.execute(delete(_people).where(_people.c.person_id == person_id))
        return result.rowcount > 0
