"""The SQL store: hands out units of work and reports whether the database is ready."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import head_revision, revision_of
from storage.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from bot.ports import Store

logger = logging.getLogger(__name__)


class SqlStore:
    """Ripple's storage on SQLite or PostgreSQL, through one async engine."""

    def __init__(self, engine: AsyncEngine, *, ready_timeout: float = 5.0) -> None:
        self.engine = engine
        self._ready_timeout = ready_timeout

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False, ready_timeout: float = 5.0) -> SqlStore:
        """A store for ``url``; raises ``DatabaseUrlError`` for a URL Ripple cannot use."""
        return cls(create_engine(url, echo=echo), ready_timeout=ready_timeout)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    async def is_ready(self) -> bool:
        """True when the database answers and its schema is at the newest migration."""
        try:
            async with asyncio.timeout(self._ready_timeout), self.engine.connect() as conn:
                current = await conn.run_sync(revision_of)
        except Exception as exc:  # a readiness probe reports failure, it never raises
            logger.warning("database is not reachable: %s: %s", type(exc).__name__, exc)
            return False
        head = head_revision()
        if current != head:
            logger.warning(
                "database schema is at revision %s, expected %s; run `ripple migrate`",
                current,
                head,
            )
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()


if TYPE_CHECKING:
    _implements_the_port: type[Store] = SqlStore
