"""Database URL normalisation: the accepted sync forms map to async drivers, the rest is refused."""

from __future__ import annotations

import pytest

from storage.url import DEFAULT_DATABASE_URL, DatabaseUrlError, normalize_database_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///ripple.db", "sqlite+aiosqlite:///ripple.db"),
        ("sqlite:////var/lib/ripple/ripple.db", "sqlite+aiosqlite:////var/lib/ripple/ripple.db"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+aiosqlite:///data/r.db", "sqlite+aiosqlite:///data/r.db"),
        (
            "postgresql://ripple:s3cret@db:5432/ripple",
            "postgresql+asyncpg://ripple:s3cret@db:5432/ripple",
        ),
        ("postgres://ripple@db/ripple", "postgresql+asyncpg://ripple@db/ripple"),
        (
            "postgres://u:p%40ss@db.example.com:6432/r?sslmode=require",
            "postgresql+asyncpg://u:p%40ss@db.example.com:6432/r?ssl=require",
        ),
        (
            "postgresql+asyncpg://u:p@db/r?ssl=require",
            "postgresql+asyncpg://u:p@db/r?ssl=require",
        ),
        ("  postgresql://db/r\n", "postgresql+asyncpg://db/r"),
        ("PostgreSQL://db/r", "postgresql+asyncpg://db/r"),
    ],
)
def test_accepted_urls_map_to_async_drivers(raw: str, expected: str) -> None:
    assert normalize_database_url(raw) == expected


def test_the_default_url_is_a_local_sqlite_file() -> None:
    assert DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///ripple.db"
    assert normalize_database_url(DEFAULT_DATABASE_URL) == DEFAULT_DATABASE_URL


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "not a URL"),
        ("ripple.db", "not a URL"),
        ("://nothing", "not a URL"),
        ("postgresql+psycopg2://u:pw@db/r", "'psycopg2' driver is not supported"),
        ("sqlite+pysqlite:///r.db", "'pysqlite' driver is not supported"),
        ("mysql://u:pw@db/r", "'mysql' is not supported"),
        ("mysql+aiomysql://u:pw@db/r", "'mysql+aiomysql' is not supported"),
        ("redis://localhost:6379/0", "'redis' is not supported"),
        ("postgresql://u:pw@db:notaport/r", "cannot be parsed"),
    ],
)
def test_unusable_urls_are_refused_with_the_accepted_forms(raw: str, reason: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        normalize_database_url(raw)
    message = str(caught.value)
    assert reason in message
    assert "sqlite:///path/to/ripple.db" in message
    assert "postgresql://user:password@host:5432/dbname" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "raw",
    [
        "mysql://ripple:hunter2@db/r",
        "postgresql+psycopg2://ripple:hunter2@db/r",
        "postgresql://ripple:hunter2@db:port/r",
    ],
)
def test_the_error_names_the_url_without_its_password(raw: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        normalize_database_url(raw)
    message = str(caught.value)
    assert "hunter2" not in message
    assert "ripple:***@db" in message
    assert caught.value.url == raw.replace("hunter2", "***")
