"""Database URLs: accept the usual sync forms and map them to Ripple's async drivers."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ripple.db"

ACCEPTED_FORMS = (
    "sqlite:///path/to/ripple.db",
    "sqlite+aiosqlite:///path/to/ripple.db",
    "postgresql://user:password@host:5432/dbname",
    "postgres://user:password@host:5432/dbname",
    "postgresql+asyncpg://user:password@host:5432/dbname",
)

_ASYNC_SCHEMES = {"sqlite+aiosqlite", "postgresql+asyncpg"}
_SYNC_TO_ASYNC = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_PASSWORD = re.compile(r"^([^:/?#]+://[^:/@?#]*:)(.*)@")
_SSLMODE = re.compile(r"([?&])sslmode=")


class DatabaseUrlError(ValueError):
    """A database URL Ripple cannot use; the message names it and lists the accepted forms."""

    def __init__(self, raw: str, reason: str) -> None:
        self.url = mask_password(raw)
        forms = ", ".join(ACCEPTED_FORMS)
        super().__init__(f"cannot use database URL {self.url!r}: {reason}. Accepted forms: {forms}")


def mask_password(raw: str) -> str:
    """The URL with any password replaced by ``***``, safe to log or show."""
    return _PASSWORD.sub(r"\1***@", raw)


def normalize_database_url(raw: str) -> str:
    """The async SQLAlchemy URL for ``raw``, or ``DatabaseUrlError`` when it is unusable."""
    text = raw.strip()
    scheme, separator, rest = text.partition("://")
    if not separator or not scheme:
        raise DatabaseUrlError(raw, "it is not a URL")
    try:
        make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUrlError(raw, "it cannot be parsed") from exc
    scheme = scheme.lower()
    if scheme in _ASYNC_SCHEMES:
        return text
    if scheme in _SYNC_TO_ASYNC:
        if scheme != "sqlite":
            # asyncpg names libpq's sslmode parameter "ssl" and takes the same values.
            rest = _SSLMODE.sub(r"\1ssl=", rest)
        return f"{_SYNC_TO_ASYNC[scheme]}://{rest}"
    backend, plus, driver = scheme.partition("+")
    if plus and backend in _SYNC_TO_ASYNC:
        raise DatabaseUrlError(
            raw, f"the {driver!r} driver is not supported; Ripple needs an asyncio driver"
        )
    raise DatabaseUrlError(raw, f"the database type {scheme!r} is not supported")
