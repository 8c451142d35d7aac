"""A unit of work over one database connection and transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.actions import SqlActions
from storage.addresses import SqlAddresses
from storage.channels import SqlChannels
from storage.checkins import SqlCheckIns
from storage.events import SqlEvents
from storage.outbox import SqlOutbox
from storage.people import SqlPeople
from storage.rounds import SqlRounds
from storage.summaries import SqlSummaries
from storage.tombstones import SqlTombstones


class SqlUnitOfWork:
    """Everything inside one transaction: ``commit()`` keeps it, leaving without it rolls back.

    After ``commit()`` the unit of work stays usable and starts a new transaction.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._bind(engine.connect())

    def _bind(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.channels = SqlChannels(conn)
        self.people = SqlPeople(conn)
        self.rounds = SqlRounds(conn)
        self.checkins = SqlCheckIns(conn)
        self.outbox = SqlOutbox(conn)
        self.events = SqlEvents(conn)
        self.addresses = SqlAddresses(conn)
        self.summaries = SqlSummaries(conn)
        self.tombstones = SqlTombstones(conn)
        self.actions = SqlActions(conn)

    async def __aenter__(self) -> Self:
        self._bind(self._engine.connect())
        await self._conn.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()

    async def commit(self) -> None:
        await self._conn.commit()
