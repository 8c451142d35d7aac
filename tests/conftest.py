"""Shared test set-up: a throwaway PostgreSQL database when RIPPLE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.migrate import upgrade_to_head
from storage.url import normalize_database_url

POSTGRES_ENV = "RIPPLE_TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = "PostgreSQL suite skipped: set RIPPLE_TEST_POSTGRES_URL"


@asynccontextmanager
async def throwaway_postgres(*, migrated: bool) -> AsyncIterator[str]:
    """A freshly created database on the configured server (migrated if asked), then dropped."""
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        pytest.skip(POSTGRES_SKIP_REASON)
    server = normalize_database_url(raw)
    name = f"ripple_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        try:
            if migrated:
                await upgrade_to_head(url)
            yield url
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A freshly created, migrated database, shared by the session's tests."""
    async with throwaway_postgres(migrated=True) as url:
        yield url


@pytest_asyncio.fixture
async def empty_postgres_url() -> AsyncIterator[str]:
    """A freshly created database that was never migrated, for this test alone."""
    async with throwaway_postgres(migrated=False) as url:
        yield url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if os.environ.get(POSTGRES_ENV):
        return
    skipped = terminalreporter.stats.get("skipped", [])
    if any(POSTGRES_SKIP_REASON in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(
            "PostgreSQL suite was skipped (RIPPLE_TEST_POSTGRES_URL is not set)"
        )
