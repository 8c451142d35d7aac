"""Shared test set-up: a throwaway PostgreSQL database when RIPPLE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.migrate import upgrade_to_head
from storage.url import normalize_database_url

POSTGRES_ENV = "RIPPLE_TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = "PostgreSQL suite skipped: set RIPPLE_TEST_POSTGRES_URL"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A freshly created, migrated database on the configured server, dropped at the end."""
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
            await upgrade_to_head(url)
            yield url
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if os.environ.get(POSTGRES_ENV):
        return
    skipped = terminalreporter.stats.get("skipped", [])
    if any(POSTGRES_SKIP_REASON in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(
            "PostgreSQL suite was skipped (RIPPLE_TEST_POSTGRES_URL is not set)"
        )
