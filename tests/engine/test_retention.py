"""Retention through the scheduler: old answers, notes and delivery records go; figures stay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.events import EventKind
from bot.memory import MemoryStore
from bot.model import Actor
from bot.outgoing import SummaryMessage
from bot.ports import Address, OutboxStatus, Store
from bot.retention import PurgeReport
from bot.rhythm import TickReport
from bot.ripple import Ripple
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from storage.tables import ProcessedEventRow, table_of
from tests.contract.conftest import empty_postgres_store
from tests.engine.conftest import CHANNEL, MANAGER, TEAM, set_up_team
from tests.engine.test_digests import HEAVY
from tests.scripted import Conversation, text_of

RETENTION = timedelta(days=30)
WEEK1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # a Monday; the round is open for 72 hours
ROUND1 = f"{CHANNEL}/2026-W45"
CLOSED = WEEK1 + timedelta(days=3)
# Both are Sundays, when no round is open, so a tick there only publishes and purges.
WITHIN_RETENTION = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # 27 days after week 1 began
PAST_RETENTION = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # 31 days after the round closed
NOTES = (
    "Release week.",
    "Too many meetings.",
    "Good sprint, calm days.",
    "Covering the on-call rota.",
    "Tired but fine.",
    "Looking forward to the break.",
)
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ripple.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def store(database_url: str | None) -> AsyncIterator[Store]:
    """The same scenario over the memory twin, SQLite and (when configured) PostgreSQL."""
    if database_url is None:
        yield MemoryStore()
        return
    if database_url.startswith("sqlite"):
        await upgrade_to_head(database_url)
        sql = SqlStore.from_url(database_url)
    else:
        sql = await empty_postgres_store(database_url)
    try:
        yield sql
    finally:
        await sql.close()


@pytest.fixture
def ripple(
    store: Store, catalog: YamlPromptCatalog, clock: ManualClock, sender: ConsoleSender
) -> Ripple:
    return Ripple(
        store=store,
        catalog=catalog,
        clock=clock,
        senders={"console": sender},
        retention=RETENTION,
    )


def event_id(start: datetime, person_id: str) -> str:
    """The platform's delivery id of ``person_id``'s check-in command in the week of ``start``."""
    return f"evt-{start:%Y%m%d}-{person_id}"


async def run_week_with_shared_notes(
    ripple: Ripple, clock: ManualClock, *, start: datetime, notes: tuple[str, ...] = NOTES
) -> None:
    """Everyone answers and shares a note; the round closes and its summary is delivered."""
    clock.set(start)
    await ripple.tick()
    for pid, note in zip(TEAM, notes, strict=True):
        chat = Conversation(ripple, person_id=pid)
        await chat.send(EventKind.CHECKIN, event_id=event_id(start, pid))
        await chat.press("now")
        for value in HEAVY:
            await chat.press(value)
        await chat.note(note, shared=True)
    await ripple.drain()
    clock.set(start + timedelta(days=3, minutes=1))
    await ripple.tick()
    await ripple.drain()


@pytest.fixture
async def week_one(ripple: Ripple, clock: ManualClock) -> Ripple:
    """Six people answer week 1 and share notes, enough for the manager's summary to keep them."""
    await set_up_team(ripple, k=5, comment_threshold=5)
    await run_week_with_shared_notes(ripple, clock, start=WEEK1)
    return ripple


async def remembered_event_ids(store: Store) -> int:
    """How many platform event ids are kept (the port itself has no way to count them)."""
    if isinstance(store, MemoryStore):
        return len(store.state.events)
    assert isinstance(store, SqlStore)
    async with store.engine.connect() as conn:
        query = select(func.count()).select_from(table_of(ProcessedEventRow))
        return int((await conn.execute(query)).scalar_one())


async def outbox_counts(store: Store) -> dict[OutboxStatus, int]:
    async with store.unit_of_work() as uow:
        return await uow.outbox.count_by_status()


async def checkins_of_week_one(store: Store) -> int:
    async with store.unit_of_work() as uow:
        return len(await uow.checkins.list_for_round(ROUND1))


async def shared_notes_of_week_one(store: Store) -> tuple[str, ...]:
    async with store.unit_of_work() as uow:
        published = await uow.summaries.get(ROUND1)
    assert published is not None and published.counts is not None
    return published.counts.shared_notes


async def summary_for_manager(ripple: Ripple) -> SummaryMessage:
    (reply,) = await Conversation(ripple, person_id=MANAGER).send(EventKind.SUMMARY)
    assert isinstance(reply, SummaryMessage)
    return reply


async def history_of(ripple: Ripple, person_id: str) -> str:
    (reply,) = await Conversation(ripple, person_id=person_id).send(EventKind.HISTORY)
    return text_of(reply)


async def test_a_tick_within_the_retention_period_deletes_nothing(
    week_one: Ripple, store: Store, clock: ManualClock
) -> None:
    delivered = await outbox_counts(store)
    assert delivered[OutboxStatus.SENT] > 0

    clock.set(WITHIN_RETENTION)
    report = await week_one.tick()

    assert report.purged == 0
    assert await checkins_of_week_one(store) == len(TEAM)
    assert await outbox_counts(store) == delivered
    assert await remembered_event_ids(store) == len(TEAM)
    assert await shared_notes_of_week_one(store) == tuple(sorted(NOTES))
    redelivered = Conversation(week_one, person_id=TEAM[0])
    assert await redelivered.send(EventKind.CHECKIN, event_id=event_id(WEEK1, TEAM[0])) == []
    assert "2026-W45 in #design: checked in" in await history_of(week_one, TEAM[0])


async def test_a_tick_past_the_retention_period_deletes_answers_deliveries_and_event_ids(
    week_one: Ripple, store: Store, clock: ManualClock
) -> None:
    delivered = sum((await outbox_counts(store)).values())

    clock.set(PAST_RETENTION)
    report = await week_one.tick()

    assert report.purged == len(TEAM) + delivered + len(TEAM) + 1  # the 1: week 1's notes
    assert await checkins_of_week_one(store) == 0
    assert await outbox_counts(store) == dict.fromkeys(OutboxStatus, 0)
    assert await remembered_event_ids(store) == 0
    assert await week_one.tick() == TickReport(), "the next tick finds nothing more to do"


async def test_the_published_figures_stay_without_their_shared_notes(
    week_one: Ripple, store: Store, clock: ManualClock, sender: ConsoleSender
) -> None:
    (digest,) = [m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage)]
    notes_heading = week_one.context.catalog.message("digest.notes_heading", locale="en")
    assert [s.heading for s in digest.sections][-1] == notes_heading
    assert all(note in digest.text for note in NOTES)

    clock.set(PAST_RETENTION)
    await week_one.tick()

    async with store.unit_of_work() as uow:
        published = await uow.summaries.get(ROUND1)
    assert published is not None and published.counts is not None
    assert published.counts.respondents == len(TEAM)
    assert published.counts.shared_notes == ()
    summary = await summary_for_manager(week_one)
    assert not summary.suppressed
    assert summary.title == digest.title
    assert summary.sections == digest.sections[:-1], "the same figures, only the notes are gone"
    assert not any(note in summary.text for note in NOTES)
    home = await week_one.home(actor=Actor(person_id=MANAGER, place="console"))
    (shown,) = [s for s in home.sections if s.heading == digest.title]
    assert notes_heading not in shown.lines
    assert any("heavy: most or all" in line for line in shown.lines)


async def test_a_persons_history_no_longer_lists_a_purged_week(
    week_one: Ripple, clock: ManualClock
) -> None:
    assert "2026-W45 in #design: checked in" in await history_of(week_one, TEAM[0])

    clock.set(PAST_RETENTION)
    await week_one.tick()

    assert await history_of(week_one, TEAM[0]) == "You don't have any check-ins yet."
    home = await week_one.home(actor=Actor(person_id=TEAM[0], place="console"))
    assert home.sections[0].lines[1:] == ("You don't have any check-ins yet.",)


async def test_a_later_week_is_kept_while_week_one_goes(
    week_one: Ripple, store: Store, clock: ManualClock
) -> None:
    week5 = WEEK1 + timedelta(weeks=4)
    await run_week_with_shared_notes(week_one, clock, start=week5)

    clock.set(PAST_RETENTION)
    await week_one.tick()

    assert await checkins_of_week_one(store) == 0
    async with store.unit_of_work() as uow:
        later = await uow.checkins.list_for_round(f"{CHANNEL}/2026-W49")
        published = await uow.summaries.get(f"{CHANNEL}/2026-W49")
    assert len(later) == len(TEAM)
    assert published is not None and published.counts is not None
    assert published.counts.shared_notes == tuple(sorted(NOTES))
    assert await remembered_event_ids(store) == len(TEAM)  # week 5's only
    history = await history_of(week_one, TEAM[0])
    assert "2026-W49 in #design: checked in" in history
    assert "2026-W45" not in history


async def test_addresses_ripple_can_no_longer_use_go_and_working_ones_stay(
    week_one: Ripple, store: Store, clock: ManualClock
) -> None:
    # As the Teams adapter records them: one person still reachable, one who blocked Ripple.
    async with store.unit_of_work() as uow:
        for pid in TEAM[:2]:
            await uow.addresses.save(Address(owner_id=pid, data="{}", updated_at=WEEK1))
        await uow.addresses.mark_unreachable(TEAM[1], now=WEEK1)
        await uow.commit()

    clock.set(PAST_RETENTION)
    report = await week_one.purge()

    assert report.addresses == 1
    async with store.unit_of_work() as uow:
        assert await uow.addresses.get(TEAM[0]) is not None
        assert await uow.addresses.get(TEAM[1]) is None


async def test_a_dry_run_counts_what_a_purge_deletes_and_deletes_nothing(
    week_one: Ripple, store: Store, clock: ManualClock
) -> None:
    delivered = await outbox_counts(store)
    clock.set(PAST_RETENTION)

    dry = await week_one.purge(dry_run=True)

    assert dry == PurgeReport(
        checkins=len(TEAM), outbox=sum(delivered.values()), events=len(TEAM), notes=1
    )
    assert await checkins_of_week_one(store) == len(TEAM)
    assert await outbox_counts(store) == delivered
    assert await remembered_event_ids(store) == len(TEAM)
    assert await shared_notes_of_week_one(store) == tuple(sorted(NOTES))

    assert await week_one.purge() == dry
    assert await checkins_of_week_one(store) == 0
    assert await week_one.purge(dry_run=True) == PurgeReport()
