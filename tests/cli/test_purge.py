"""`ripple purge`: what is older than RIPPLE_RETENTION_DAYS goes; a dry run only counts it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.model import Round
from bot.ports import Address
from bot.ripple import Ripple
from bot.schedule import period_of
from storage.store import SqlStore
from storage.tables import ProcessedEventRow, table_of
from tests.cli import ripple_env, run_ripple, sqlite_url
from tests.engine.conftest import CHANNEL, TEAM, set_up_team
from tests.engine.test_retention import NOTES, run_week_with_shared_notes

KEEP_EVERYTHING = timedelta(days=3650)  # so that seeding the database purges nothing itself


def monday_weeks_ago(weeks: int) -> datetime:
    """09:30 UTC on the Monday ``weeks`` weeks before this one: when the team's round opens."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday(), weeks=weeks)
    return datetime.combine(monday, time(9, 30), tzinfo=UTC)


OLD = monday_weeks_ago(40)  # closed some 270 days ago: past the default 180
RECENT = monday_weeks_ago(4)  # closed 25 to 31 days ago
OLD_ROUND = Round.make_id(CHANNEL, period_of(OLD.date()))
RECENT_ROUND = Round.make_id(CHANNEL, period_of(RECENT.date()))


@dataclass(frozen=True, kw_only=True)
class Stored:
    """What the database holds of each kind of record the purge looks at."""

    old_checkins: int
    recent_checkins: int
    outbox: int
    events: int
    old_notes: int
    recent_notes: int
    addresses: frozenset[str]


async def _seed(url: str) -> int:
    """Two weeks of check-ins with shared notes, 40 and 2 weeks ago, and two addresses.

    Returns how many outbox rows the old week left.
    """
    store = SqlStore.from_url(url)
    clock = ManualClock(OLD)
    ripple = Ripple(
        store=store,
        catalog=YamlPromptCatalog.load(),
        clock=clock,
        senders={"console": ConsoleSender()},
        retention=KEEP_EVERYTHING,
    )
    try:
        await set_up_team(ripple, k=5, comment_threshold=5)
        await run_week_with_shared_notes(ripple, clock, start=OLD)
        async with store.unit_of_work() as uow:
            old_outbox = sum((await uow.outbox.count_by_status()).values())
            # As the Teams adapter records them: one still reachable, one that blocked Ripple.
            for pid in TEAM[:2]:
                await uow.addresses.save(Address(owner_id=pid, data="{}", updated_at=OLD))
            await uow.addresses.mark_unreachable(TEAM[1], now=OLD)
            await uow.commit()
        await run_week_with_shared_notes(ripple, clock, start=RECENT)
    finally:
        await store.close()
    return old_outbox


async def _stored(url: str) -> Stored:
    store = SqlStore.from_url(url)
    try:
        async with store.engine.connect() as conn:
            query = select(func.count()).select_from(table_of(ProcessedEventRow))
            events = int((await conn.execute(query)).scalar_one())
        async with store.unit_of_work() as uow:
            old = await uow.summaries.get(OLD_ROUND)
            recent = await uow.summaries.get(RECENT_ROUND)
            assert old is not None and old.counts is not None, "the old week's figures stay"
            assert recent is not None and recent.counts is not None
            return Stored(
                old_checkins=len(await uow.checkins.list_for_round(OLD_ROUND)),
                recent_checkins=len(await uow.checkins.list_for_round(RECENT_ROUND)),
                outbox=sum((await uow.outbox.count_by_status()).values()),
                events=events,
                old_notes=len(old.counts.shared_notes),
                recent_notes=len(recent.counts.shared_notes),
                addresses=frozenset(a.owner_id for a in await uow.addresses.list_with_prefix("")),
            )
    finally:
        await store.close()


def stored(url: str) -> Stored:
    return asyncio.run(_stored(url))


@dataclass(frozen=True, kw_only=True)
class Seeded:
    env: dict[str, str]
    url: str
    old_outbox: int  # the old week's delivered messages


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    """A migrated SQLite database holding an old week and a recent one."""
    url = sqlite_url(tmp_path / "r.db")
    env = ripple_env(database_url=url)
    assert run_ripple("migrate", cwd=tmp_path, env=env).returncode == 0
    return Seeded(env=env, url=url, old_outbox=asyncio.run(_seed(url)))


def printed(heading: str, **counts: int) -> list[str]:
    return [heading, *(f"  {kind}: {count}" for kind, count in counts.items())]


def test_a_dry_run_counts_the_old_week_and_purge_then_deletes_it(
    seeded: Seeded, tmp_path: Path
) -> None:
    before = stored(seeded.url)
    assert before == Stored(
        old_checkins=len(TEAM),
        recent_checkins=len(TEAM),
        outbox=before.outbox,
        events=2 * len(TEAM),
        old_notes=len(NOTES),
        recent_notes=len(NOTES),
        addresses=frozenset(TEAM[:2]),
    )
    assert before.outbox > seeded.old_outbox > 0
    old_week = {
        "checkins": len(TEAM),
        "outbox": seeded.old_outbox,
        "events": len(TEAM),
        "notes": 1,
        "addresses": 1,
    }

    dry = run_ripple("purge", "--dry-run", cwd=tmp_path, env=seeded.env)

    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == printed("Would delete, as older than 180 days:", **old_week)
    assert stored(seeded.url) == before

    real = run_ripple("purge", cwd=tmp_path, env=seeded.env)

    assert real.returncode == 0, real.stderr
    assert real.stdout.splitlines() == printed("Deleted, as older than 180 days:", **old_week)
    assert stored(seeded.url) == Stored(
        old_checkins=0,
        recent_checkins=len(TEAM),
        outbox=before.outbox - seeded.old_outbox,
        events=len(TEAM),
        old_notes=0,
        recent_notes=len(NOTES),
        addresses=frozenset({TEAM[0]}),
    )


def test_a_shorter_retention_setting_takes_the_recent_week_too(
    seeded: Seeded, tmp_path: Path
) -> None:
    before = stored(seeded.url)
    env = {**seeded.env, "RIPPLE_RETENTION_DAYS": "21"}

    result = run_ripple("purge", cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == printed(
        "Deleted, as older than 21 days:",
        checkins=2 * len(TEAM),
        outbox=before.outbox,
        events=2 * len(TEAM),
        notes=2,
        addresses=1,
    )
    after = stored(seeded.url)
    assert (after.old_checkins, after.recent_checkins, after.outbox, after.events) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("20", "greater than or equal to 21"),
        ("3651", "less than or equal to 3650"),
        ("half a year", "valid integer"),
    ],
)
def test_an_unusable_retention_is_refused_and_named(
    tmp_path: Path, value: str, reason: str
) -> None:
    db = tmp_path / "r.db"
    env = ripple_env(database_url=sqlite_url(db), retention_days=value)

    result = run_ripple("purge", cwd=tmp_path, env=env)

    assert result.returncode == 2
    (line,) = [line for line in result.stderr.splitlines() if "RIPPLE_RETENTION_DAYS" in line]
    assert reason in line
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not db.exists(), "nothing is touched when the settings are wrong"


def test_purge_on_an_unmigrated_database_says_to_migrate_first(tmp_path: Path) -> None:
    env = ripple_env(database_url=sqlite_url(tmp_path / "r.db"))

    result = run_ripple("purge", "--dry-run", cwd=tmp_path, env=env)

    assert result.returncode == 1
    assert "run `ripple migrate`" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
