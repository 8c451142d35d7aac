"""Ripple's HTTP edges under attack: what a refused request may and may not leave behind.

Each check watches three things around one request: the rows in every table (read by
reflection, so a new table is watched without changing these tests), what reached the
fake platform, and the log records of the whole app, at DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable

from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import func, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

# Examples per fuzz test: 200 by default, more for a deeper run (CI runs 500), e.g.
# RIPPLE_FUZZ_EXAMPLES=2000 pytest tests/security
EXAMPLES = int(os.environ.get("RIPPLE_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SETTLE_SECONDS = 10.0  # work left running after a response; passing tests never wait it out
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows in every table of the database, by name."""
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        counts = {}
        for name in names:
            query = select(func.count()).select_from(table(name))
            counts[name] = (await conn.execute(query)).scalar_one()
    return counts


def alarming(records: Iterable[logging.LogRecord]) -> list[str]:
    """Records at ERROR or above, and any record that carries a traceback."""
    return [
        f"{record.levelname} {record.name}: {record.getMessage()[:300]}"
        for record in records
        if record.levelno >= logging.ERROR or record.exc_info
    ]


def warnings_from(records: Iterable[logging.LogRecord], *namespaces: str) -> list[str]:
    return [
        record.getMessage()
        for record in records
        if record.levelno == logging.WARNING and record.name.startswith(namespaces)
    ]


class Quiet:
    """Waits for the tasks a request started (Bolt's listeners, deliveries) to finish."""

    def __init__(self) -> None:
        self._before = asyncio.all_tasks()

    async def settle(self) -> None:
        deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
        current = asyncio.current_task()
        while True:
            started = [
                task
                for task in asyncio.all_tasks()
                if task not in self._before and task is not current and not task.done()
            ]
            remaining = deadline - asyncio.get_running_loop().time()
            if not started or remaining <= 0:
                return
            await asyncio.wait(started, timeout=min(remaining, 0.5))
