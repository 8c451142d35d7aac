"""Rounds: opened once per channel and period, asked in each person's own zone, closed on time."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.model import Cadence, CheckInState, RoundStatus
from bot.ripple import Ripple
from bot.schedule import local_moment, period_of
from tests.engine.conftest import CHANNEL, TEAM, set_up_team


async def rounds_of(ripple: Ripple):
    async with ripple.store.unit_of_work() as uow:
        return await uow.rounds.list_open() + await uow.rounds.recent_closed(CHANNEL, limit=50)


async def checkins_of(ripple: Ripple):
    async with ripple.store.unit_of_work() as uow:
        rounds = await uow.rounds.list_open()
        return {c.person_id: c for c in await uow.checkins.list_for_round(rounds[0].round_id)}


async def test_a_round_opens_once_however_often_the_clock_ticks(ripple: Ripple, clock: ManualClock):
    await set_up_team(ripple)
    clock.set(datetime(2026, 11, 2, 9, 29, tzinfo=UTC))
    assert (await ripple.tick()).opened == 0
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    reports = await asyncio.gather(*(ripple.tick() for _ in range(3)))
    assert sum(r.opened for r in reports) == 1
    assert (await ripple.tick()).opened == 0
    rounds = await rounds_of(ripple)
    assert [r.period for r in rounds] == ["2026-W45"]
    assert len(await checkins_of(ripple)) == len(TEAM)


async def test_each_person_is_asked_at_the_local_time_in_their_own_zone(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    zones = {TEAM[0]: "Asia/Tokyo", TEAM[1]: "America/Los_Angeles"}
    await set_up_team(ripple, zones=zones, timezone="Europe/London")
    clock.set(datetime(2026, 11, 2, 0, 30, tzinfo=UTC))  # 09:30 in Tokyo
    report = await ripple.tick()
    assert report.opened == 1
    assert report.asked == 1
    checkins = await checkins_of(ripple)
    assert checkins[TEAM[0]].due_at == datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    assert checkins[TEAM[1]].due_at == datetime(2026, 11, 2, 17, 30, tzinfo=UTC)
    assert checkins[TEAM[2]].due_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    assert (await ripple.tick()).asked == len(TEAM) - 2
    clock.set(datetime(2026, 11, 2, 17, 30, tzinfo=UTC))
    assert (await ripple.tick()).asked == 1


def test_local_time_stays_put_across_daylight_saving_changes():
    before = local_moment(date(2026, 10, 19), time(9, 30), "Europe/Berlin")
    after = local_moment(date(2026, 10, 26), time(9, 30), "Europe/Berlin")
    assert before == datetime(2026, 10, 19, 7, 30, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)
    # 02:30 does not exist on the spring-forward night; it is asked once, an hour on.
    skipped = local_moment(date(2026, 3, 29), time(2, 30), "Europe/Berlin")
    assert skipped == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice on the fall-back night; the first one is used.
    twice = local_moment(date(2026, 10, 25), time(2, 30), "Europe/Berlin")
    assert twice == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


async def test_weekly_rounds_across_a_dst_change_neither_skip_nor_double(
    ripple: Ripple, clock: ManualClock
):
    await set_up_team(ripple, timezone="Europe/Berlin")
    clock.set(datetime(2026, 10, 12, 0, 0, tzinfo=UTC))
    end = datetime(2026, 11, 10, tzinfo=UTC)
    while clock.now() < end:
        await ripple.tick()
        clock.advance(timedelta(hours=1))
    periods = sorted(r.period for r in await rounds_of(ripple))
    assert periods == ["2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46"]
    opened = sorted(r.opens_at for r in await rounds_of(ripple))
    assert [o.hour for o in opened] == [7, 7, 8, 8, 8]


async def test_every_other_week_and_quiet_dates(ripple: Ripple, clock: ManualClock):
    await set_up_team(
        ripple,
        cadence=Cadence(weekday=0, local_time=time(9, 30), every_weeks=2, anchor=date(2026, 10, 5)),
        quiet_dates=frozenset({date(2026, 11, 2)}),
    )
    clock.set(datetime(2026, 10, 5, 0, 0, tzinfo=UTC))
    while clock.now() < datetime(2026, 11, 24, tzinfo=UTC):
        await ripple.tick()
        clock.advance(timedelta(hours=3))
    periods = sorted(r.period for r in await rounds_of(ripple))
    assert periods == [
        period_of(date(2026, 10, 5)),
        period_of(date(2026, 10, 19)),
        period_of(date(2026, 11, 16)),
    ]


async def test_rounds_close_after_the_window_and_unfinished_check_ins_expire(
    team: Ripple, clock: ManualClock
):
    clock.advance(timedelta(hours=71))
    assert (await team.tick()).closed == 0
    clock.advance(timedelta(hours=1))
    report = await team.tick()
    assert report.closed == 1
    assert report.digests == 1  # to the one manager
    rounds = await rounds_of(team)
    assert rounds[0].status is RoundStatus.CLOSED
    async with team.store.unit_of_work() as uow:
        states = {c.state for c in await uow.checkins.list_for_round(rounds[0].round_id)}
    assert states == {CheckInState.EXPIRED}
    assert (await team.tick()).digests == 0


async def test_paused_people_are_not_asked_and_resume_next_round(
    ripple: Ripple, clock: ManualClock
):
    from bot.events import EventKind
    from tests.scripted import Conversation

    await set_up_team(ripple)
    chat = Conversation(ripple, person_id=TEAM[0])
    await chat.send(EventKind.PAUSE)
    assert "Paused" in chat.last_text
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    await ripple.tick()
    assert TEAM[0] not in await checkins_of(ripple)
    await chat.send(EventKind.RESUME)
    assert "Welcome back" in chat.last_text
    clock.set(datetime(2026, 11, 9, 9, 30, tzinfo=UTC))
    await ripple.tick()
    assert TEAM[0] in await checkins_of(ripple)


async def test_people_who_left_before_being_asked_are_not_asked(ripple: Ripple, clock: ManualClock):
    await set_up_team(ripple, zones={TEAM[0]: "America/Los_Angeles"})
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    await ripple.tick()
    await ripple.sync_members(channel_id=CHANNEL, people=[])
    clock.set(datetime(2026, 11, 2, 17, 30, tzinfo=UTC))
    assert (await ripple.tick()).asked == 0
    assert (await checkins_of(ripple))[TEAM[0]].state is CheckInState.EXPIRED
