"""Replicas that start together may all run `ripple migrate` on the same PostgreSQL database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from storage.engine import create_engine
from storage.migrate import current_revision, head_revision
from tests.cli import COMMAND_TIMEOUT, ripple_command, ripple_env

REPLICAS = 4


async def test_replicas_migrating_an_empty_database_at_once_all_succeed(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    env = ripple_env(database_url=empty_postgres_url)

    async def migrate() -> tuple[int | None, str, str]:
        process = await asyncio.create_subprocess_exec(
            *ripple_command("migrate"),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT)
        return process.returncode, out.decode(), err.decode()

    results = await asyncio.gather(*(migrate() for _ in range(REPLICAS)))

    assert [err for code, _, err in results if code != 0] == []
    assert all("up to date" in out for _, out, _ in results)
    assert await current_revision(empty_postgres_url) == head_revision()
    engine = create_engine(empty_postgres_url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar()
    finally:
        await engine.dispose()
    assert versions == 1
