"""Run Alembic migrations programmatically against a database URL."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from storage.engine import create_engine
from storage.url import mask_password

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

T = TypeVar("T")

# Any number of replicas may run ``ripple migrate`` at once on PostgreSQL: each waits for this
# lock, held until its transaction ends, and then finds the schema as the last one left it.
MIGRATION_LOCK = 0x52_69_70_70_6C_65  # "Ripple"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


# Alembic says which database dialect and DDL mode it found, at INFO, each time it looks at a
# database. Fine once for `ripple migrate`; for a readiness probe every few seconds, noise.
_reading_revision: ContextVar[bool] = ContextVar("reading_revision", default=False)


class _QuietRevisionReads(logging.Filter):
    """Drops Alembic's INFO lines while a revision is only being read (unless at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or not _reading_revision.get():
            return True
        return logging.getLogger().isEnabledFor(logging.DEBUG)


_alembic_logger = logging.getLogger("alembic.runtime.migration")
if not any(isinstance(f, _QuietRevisionReads) for f in _alembic_logger.filters):
    _alembic_logger.addFilter(_QuietRevisionReads())


def revision_of(connection: Connection) -> str | None:
    """The revision a database is at, or None when it was never migrated."""
    token = _reading_revision.set(True)
    try:
        return MigrationContext.configure(connection).get_current_revision()
    finally:
        _reading_revision.reset(token)


class DatabaseUnavailableError(ConnectionError):
    """The database could not be opened or reached; the message says which and why."""


async def _run(url: str, work: Callable[[Connection], T]) -> T:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(work)
    except (DBAPIError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseUnavailableError(
            f"cannot open the database at {mask_password(url)}: {reason}"
        ) from exc
    finally:
        await engine.dispose()


def _command(action: Callable[[Config], None]) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    return run


async def upgrade_to_head(url: str) -> None:
    """Bring the database at ``url`` up to the newest schema; safe to run repeatedly."""
    logger.info("migrating %s to revision %s", mask_password(url), head_revision())
    await _run(url, _command(lambda config: command.upgrade(config, "head")))


async def downgrade(url: str, *, revision: str = "base") -> None:
    """Take the database at ``url`` back to ``revision`` (``base`` drops Ripple's tables)."""
    logger.info("downgrading %s to revision %s", mask_password(url), revision)
    await _run(url, _command(lambda config: command.downgrade(config, revision)))


async def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it was never migrated."""
    return await _run(url, revision_of)
