"""Channels, their configuration and their members, in SQL."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Channel
from storage.config_json import config_from_json, config_to_json
from storage.statements import insert_if_absent, upsert
from storage.tables import ChannelRow, MembershipRow, table_of

_channels = table_of(ChannelRow)
_members = table_of(MembershipRow)


def _channel(row: RowMapping) -> Channel:
    return Channel(
        channel_id=row["channel_id"],
        name=row["name"],
        config=config_from_json(row["config"]),
        active=row["active"],
        scope=row["scope"],
        members_due_at=row["members_due_at"],
        members_failures=row["members_failures"],
    )


class SqlChannels:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, channel_id: str) -> Channel | None:
        result = await self._conn.execute(
            select(_channels).where(_channels.c.channel_id == channel_id)
        )
        row = result.mappings().first()
        return None if row is None else _channel(row)

    async def save(self, channel: Channel) -> None:
        values = {
            "channel_id": channel.channel_id,
            "name": channel.name,
            "config": config_to_json(channel.config),
            "active": channel.active,
            "scope": channel.scope,
            "members_due_at": channel.members_due_at,
            "members_failures": channel.members_failures,
        }
        await upsert(self._conn, ChannelRow, values, key=("channel_id",))

    async def list_active(self) -> list[Channel]:
        result = await self._conn.execute(
            select(_channels).where(_channels.c.active.is_(True)).order_by(_channels.c.channel_id)
        )
        return [_channel(row) for row in result.mappings()]

    async def list_all(self) -> list[Channel]:
        result = await self._conn.execute(select(_channels).order_by(_channels.c.channel_id))
        return [_channel(row) for row in result.mappings()]

    async def members(self, channel_id: str) -> frozenset[str]:
        result = await self._conn.execute(
            select(_members.c.person_id).where(_members.c.channel_id == channel_id)
        )
        return frozenset(result.scalars())

    async def add_member(self, channel_id: str, person_id: str) -> bool:
        values = {"channel_id": channel_id, "person_id": person_id}
        return await insert_if_absent(self._conn, MembershipRow, values)

    async def remove_member(self, channel_id: str, person_id: str) -> bool:
        result = await self._conn.execute(
            delete(_members).where(
                _members.c.channel_id == channel_id, _members.c.person_id == person_id
            )
        )
        return result.rowcount > 0

    async def channels_of(self, person_id: str) -> list[str]:
        result = await self._conn.execute(
            select(_members.c.channel_id)
            .where(_members.c.person_id == person_id)
            .order_by(_members.c.channel_id)
        )
        return list(result.scalars())
