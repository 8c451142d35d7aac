"""Column types: aware UTC timestamps and byte-ordered string keys on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class NaiveDatetimeError(ValueError):
    """A naive datetime was about to be stored; Ripple stores only aware UTC times."""


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware, in UTC.

    SQLite keeps no zone, so values are stored as naive UTC there; PostgreSQL uses
    ``timestamp with time zone``. Naive values are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(
                f"refusing to store naive datetime {value.isoformat()}; "
                "pass an aware datetime, e.g. datetime.now(UTC)"
            )
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def key_type() -> TypeEngine[str]:
    """A string key that sorts by code point everywhere, as Python does.

    PostgreSQL would otherwise sort by the database's locale, so ``ORDER BY`` on ids
    could disagree with the in-memory store; SQLite compares bytes already.
    """
    return String().with_variant(String(collation="C"), "postgresql")
