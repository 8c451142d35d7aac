"""Member lists read from the platform: daily, retried after a failure, never losing anyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console.sender import ConsoleSender
from adapters.scheduler import RippleClock
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import Channel, CheckInState, Person
from bot.ports import RosterReadError
from bot.ripple import Ripple
from bot.roster import LONGEST_RETRY, READ_EVERY, retry_after
from tests.engine.conftest import CHANNEL, MONDAY, PLACE, team_config

CATALOG = YamlPromptCatalog.load()


@dataclass
class PlatformRoster:
    """A platform's member list as a test scripts it: who is in, and reads that fail."""

    people: list[str] = field(default_factory=list)
    failures: int = 0
    reads: int = 0
    platform: str = "console"

    async def members(self, channel_id: str) -> list[Person]:
        self.reads += 1
        if self.failures:
            self.failures -= 1
            raise RosterReadError("the platform answered 503")
        return [Person(person_id=p, display_name=p.split(":")[1]) for p in self.people]


def people(n: int) -> list[str]:
    return [f"console:u{i:04d}" for i in range(n)]


def ripple_with(roster: PlatformRoster, clock: ManualClock) -> Ripple:
    return Ripple(
        store=MemoryStore(),
        catalog=CATALOG,
        clock=clock,
        senders={"console": ConsoleSender()},
        rosters={"console": roster},
    )


async def channel(ripple: Ripple) -> Channel:
    async with ripple.store.unit_of_work() as uow:
        found = await uow.channels.get(CHANNEL)
    assert found is not None
    return found


async def members(ripple: Ripple) -> frozenset[str]:
    async with ripple.store.unit_of_work() as uow:
        return await uow.channels.members(CHANNEL)


async def register(ripple: Ripple) -> None:
    await ripple.register_channel(
        channel_id=CHANNEL, name="#design", scope=PLACE, config=team_config()
    )


async def test_a_big_channel_invited_mid_week_gets_everyone_their_check_in() -> None:
    """The round may open before the members are read; everyone read later is asked."""
    clock = ManualClock(MONDAY + timedelta(days=2))  # Wednesday; the round opened Monday
    roster = PlatformRoster(people=people(1000))
    ripple = ripple_with(roster, clock)
    await register(ripple)
    opened = await ripple.tick()  # the tick runs between registration and the first read
    assert opened.opened == 1 and opened.asked == 0

    read = await ripple.read_members(CHANNEL)
    clock.advance(timedelta(minutes=1))
    asked = await ripple.tick()

    assert (read.read, read.joined) == (1, 1000)
    assert asked.asked == 1000
    async with ripple.store.unit_of_work() as uow:
        checkins = [await uow.checkins.list_for_person(p) for p in roster.people]
    assert all(len(mine) == 1 and mine[0].state is CheckInState.ASKED for mine in checkins)


async def test_a_failed_first_read_is_tried_again_backing_off_until_it_works() -> None:
    clock = ManualClock(MONDAY)
    roster = PlatformRoster(people=people(5), failures=3)
    ripple = ripple_with(roster, clock)
    scheduler = RippleClock(ripple=ripple, interval=60)
    await register(ripple)

    assert (await ripple.read_members(CHANNEL)).failed == 1  # as the adapter registers it
    waits = []
    for _ in range(3):
        tried_at, due = clock.now(), (await channel(ripple)).members_due_at
        assert due is not None
        waits.append(due - tried_at)
        clock.set(due - timedelta(seconds=1))
        await scheduler.read_members()
        assert await members(ripple) == frozenset()
        reads = roster.reads
        clock.set(due)
        await scheduler.read_members()
        assert roster.reads == reads + 1

    assert waits == [retry_after(1), retry_after(2), retry_after(3)]
    assert waits[1] == 2 * waits[0] and waits[2] == 2 * waits[1]
    assert await members(ripple) == frozenset(roster.people)
    after = await channel(ripple)
    assert after.members_failures == 0
    assert after.members_due_at == clock.now() + READ_EVERY


async def test_members_are_read_again_daily_and_newcomers_join_the_open_round() -> None:
    clock = ManualClock(MONDAY.replace(minute=30))
    roster = PlatformRoster(people=people(6))
    ripple = ripple_with(roster, clock)
    scheduler = RippleClock(ripple=ripple, interval=60)
    await register(ripple)
    await scheduler.read_members()
    await ripple.tick()  # Monday 09:30: the round opens for the six
    assert await members(ripple) == frozenset(people(6))

    # No event told Ripple: one left, two joined.
    roster.people = [*people(6)[1:], "console:new1", "console:new2"]
    clock.advance(READ_EVERY - timedelta(minutes=1))
    await scheduler.read_members()
    assert await members(ripple) == frozenset(people(6))  # not due yet
    clock.advance(timedelta(minutes=1))
    await scheduler.read_members()
    await ripple.tick()

    assert await members(ripple) == frozenset(roster.people)
    async with ripple.store.unit_of_work() as uow:
        newcomer = await uow.checkins.list_for_person("console:new1")
    assert [c.state for c in newcomer] == [CheckInState.ASKED]


async def test_channels_without_a_roster_or_inactive_are_left_alone() -> None:
    clock = ManualClock(MONDAY)
    roster = PlatformRoster(people=people(3), platform="other")
    ripple = Ripple(store=MemoryStore(), catalog=CATALOG, clock=clock, rosters={"other": roster})
    await register(ripple)
    assert (await ripple.read_due_members()).read == 0
    assert roster.reads == 0


async def test_the_channels_waiting_longest_are_read_first_up_to_the_limit() -> None:
    clock = ManualClock(MONDAY)
    roster = PlatformRoster(people=people(2))
    ripple = ripple_with(roster, clock)
    for n in range(5):
        await ripple.register_channel(channel_id=f"console:c{n}", name=f"#c{n}", scope=PLACE)
    first = await ripple.read_due_members(limit=3)
    second = await ripple.read_due_members(limit=3)
    third = await ripple.read_due_members(limit=3)
    assert (first.read, second.read, third.read) == (3, 2, 0)


@settings(max_examples=200, deadline=None)
@given(failures=st.integers(min_value=1, max_value=10_000))
def test_retries_back_off_doubling_up_to_a_cap(failures: int) -> None:
    wait = retry_after(failures)
    assert timedelta(0) < wait <= LONGEST_RETRY
    assert retry_after(failures + 1) in (2 * wait, LONGEST_RETRY)


@settings(max_examples=60, deadline=None)
@given(outcomes=st.lists(st.booleans(), min_size=1, max_size=12))
async def test_any_run_of_reads_leaves_the_schedule_the_rules_say(outcomes: list[bool]) -> None:
    clock = ManualClock(MONDAY)
    roster = PlatformRoster(people=people(2))
    ripple = ripple_with(roster, clock)
    await register(ripple)
    streak = 0
    for works in outcomes:
        roster.failures = 0 if works else 1
        await ripple.read_members(CHANNEL)
        streak = 0 if works else streak + 1
        state = await channel(ripple)
        wait = READ_EVERY if works else retry_after(streak)
        assert (state.members_failures, state.members_due_at) == (streak, clock.now() + wait)
        clock.advance(wait)
