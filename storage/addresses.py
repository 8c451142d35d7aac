"""Where each person and channel can be reached on its platform, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports import Address
from storage.statements import prefix_upper_bound, upsert
from storage.tables import AddressRow, table_of

_addresses = table_of(AddressRow)


def _address(row: RowMapping) -> Address:
    return Address(
        owner_id=row["owner_id"],
        data=row["data"],
        updated_at=row["updated_at"],
        reachable=row["reachable"],
    )


class SqlAddresses:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, owner_id: str) -> Address | None:
        result = await self._conn.execute(
            select(_addresses).where(_addresses.c.owner_id == owner_id)
        )
        row = result.mappings().first()
        return None if row is None else _address(row)

    async def save(self, address: Address) -> None:
        values = {
            "owner_id": address.owner_id,
            "data": address.data,
            "reachable": address.reachable,
            "updated_at": address.updated_at,
        }
        await upsert(self._conn, AddressRow, values, key=("owner_id",))

    async def mark_unreachable(self, owner_id: str, *, now: datetime) -> bool:
        result = await self._conn.execute(
            update(_addresses)
            .where(_addresses.c.owner_id == owner_id)
            .values(reachable=False, updated_at=now)
        )
        return result.rowcount > 0

    async def list_with_prefix(self, prefix: str) -> list[Address]:
        # A range rather than LIKE: no wildcards to escape, and SQLite's LIKE ignores case.
        query = select(_addresses).where(_addresses.c.owner_id >= prefix)
        bound = prefix_upper_bound(prefix)
        if bound is not None:
            query = query.where(_addresses.c.owner_id < bound)
        result = await self._conn.execute(query.order_by(_addresses.c.owner_id))
        return [_address(row) for row in result.mappings()]

    async def delete(self, owner_id: str) -> bool:
        result = await self._conn.execute(
            delete(_addresses).where(_addresses.c.owner_id == owner_id)
        )
        return result.rowcount > 0

    async def purge_unreachable_before(self, cutoff: datetime) -> int:
        result = await self._conn.execute(
            delete(_addresses).where(
                _addresses.c.reachable.is_(False), _addresses.c.updated_at < cutoff
            )
        )
        return result.rowcount
