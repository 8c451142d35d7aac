"""Ripple's storage: SQLAlchemy repositories, units of work and migrations for the core's ports."""

from storage.columns import NaiveDatetimeError
from storage.migrate import current_revision, downgrade, head_revision, upgrade_to_head
from storage.store import SqlStore
from storage.uow import SqlUnitOfWork
from storage.url import DEFAULT_DATABASE_URL, DatabaseUrlError, normalize_database_url

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DatabaseUrlError",
    "NaiveDatetimeError",
    "SqlStore",
    "SqlUnitOfWork",
    "current_revision",
    "downgrade",
    "head_revision",
    "normalize_database_url",
    "upgrade_to_head",
]
