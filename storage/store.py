"""The SQL store: hands out units of work and reports whether the database is ready."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import head_revision, revision_of
from storage.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from bot.ports import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Readiness:
    """What a look at the database found: unreachable, not migrated, or ready."""

    reachable: bool
    current: str | None = None
    head: str | None = None
    detail: str = ""

    @property
    def problem(self) -> str | None:
        """Why the database isn't ready, in one sentence; None when it is."""
        if not self.reachable:
            return f"the database is unreachable ({self.detail})"
        if self.current is None:
            return "the database has no schema yet; run `ripple migrate`"
        if self.current != self.head:
            return (
                f"the database schema is at revision {self.current}, expected {self.head}; "
                "run `ripple migrate`"
            )
        return None


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
        readiness = await self.readiness()
        if readiness.problem is not None:
            logger.warning("%s", readiness.problem)
        return readiness.problem is None

    async def readiness(self) -> Readiness:
        """Whether the database answers, and if so which migration its schema is at."""
        try:
            async with asyncio.timeout(self._ready_timeout), self.engine.connect() as conn:
                current = await conn.run_sync(revision_of)
        except Exception as exc:  # a readiness probe reports failure, it never raises
            return Readiness(reachable=False, detail=f"{type(exc).__name__}: {exc}")
        return Readiness(reachable=True, current=current, head=head_revision())

    async def close(self) -> None:
        await self.engine.dispose()


if TYPE_CHECKING:
    _implements_the_port: type[Store] = SqlStore
