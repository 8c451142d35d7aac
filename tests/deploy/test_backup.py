"""Backup and restore as docs/operations.md describes it: pg_dump, pg_restore into an empty
database, `ripple migrate`, and Ripple finds everything where it was."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.model import Channel, ChannelConfig, Person
from storage.store import SqlStore
from tests.cli import ripple_env, run_ripple
from tests.conftest import throwaway_postgres

pytestmark = pytest.mark.postgres


def plain(url: str) -> str:
    """The libpq form of a SQLAlchemy URL, for pg_dump and pg_restore."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_a_dump_restores_into_an_empty_database_and_ripple_finds_it_ready(
    tmp_path: Path,
) -> None:
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} is needed to test backups (Debian: postgresql-client)"
    async with (
        throwaway_postgres(migrated=True) as live,
        throwaway_postgres(migrated=False) as spare,
    ):
        store = SqlStore.from_url(live)
        try:
            async with store.unit_of_work() as uow:
                await uow.channels.save(
                    Channel(channel_id="slack:T1:C1", name="#design", config=ChannelConfig())
                )
                await uow.people.save(Person(person_id="slack:T1:U1", display_name="Sam"))
                await uow.channels.add_member("slack:T1:C1", "slack:T1:U1")
                await uow.commit()
        finally:
            await store.close()

        dump = tmp_path / f"ripple-{datetime.now(UTC):%F}.dump"
        dumped = await asyncio.to_thread(
            subprocess.run,
            ["pg_dump", "--format=custom", f"--file={dump}", plain(live)],
            check=False,
        )
        assert dumped.returncode == 0
        restored = await asyncio.to_thread(
            subprocess.run,
            ["pg_restore", "--no-owner", f"--dbname={plain(spare)}", str(dump)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr

        env = ripple_env(database_url=spare)
        migrated = run_ripple("migrate", cwd=tmp_path, env=env)
        assert migrated.returncode == 0, migrated.stderr
        assert re.search(r"is up to date", migrated.stdout)
        purge = run_ripple("purge", "--dry-run", cwd=tmp_path, env=env)
        assert purge.returncode == 0, purge.stderr

        copy = SqlStore.from_url(spare)
        try:
            assert await copy.is_ready()
            async with copy.unit_of_work() as uow:
                channel = await uow.channels.get("slack:T1:C1")
                assert channel is not None and channel.name == "#design"
                assert await uow.channels.members("slack:T1:C1") == {"slack:T1:U1"}
                person = await uow.people.get("slack:T1:U1")
                assert person is not None and person.display_name == "Sam"
        finally:
            await copy.close()
