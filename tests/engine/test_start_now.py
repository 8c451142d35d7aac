"""Start now: an admin opens this week's check-in at once, re-timed and never duplicated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.model import Actor, Role
from bot.outgoing import QuestionMessage, TextMessage
from bot.ripple import Ripple
from bot.startnow import Started
from tests.engine.conftest import ADMIN, CHANNEL, MANAGER, PLACE, TEAM, set_up_team

ADA = Actor(person_id=ADMIN, place=PLACE)
WEDNESDAY = datetime(2026, 11, 4, 14, 0, tzinfo=UTC)


def gates(sender: ConsoleSender, pid: str) -> list[QuestionMessage]:
    return [m for m in sender.to(pid) if isinstance(m, QuestionMessage) and m.action == "capacity"]


async def rounds_of(ripple: Ripple) -> list[str]:
    async with ripple.store.unit_of_work() as uow:
        return [r.round_id for r in await uow.rounds.list_open()]


async def test_mid_week_a_new_channel_is_asked_within_minutes(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    await set_up_team(ripple)
    clock.set(WEDNESDAY)
    result = await ripple.start_now(actor=ADA, channel_id=CHANNEL, confirm=True)
    assert result.outcome is Started.OPENED
    await ripple.drain()
    for pid in TEAM:
        assert len(gates(sender, pid)) == 1
    texts = [m.text for m in sender.to(ADMIN) if isinstance(m, TextMessage)]
    assert texts == [
        "This week's check-in for #design has started: everyone will be asked in the next few minutes."
    ]

    again = await ripple.start_now(actor=ADA, channel_id=CHANNEL)
    assert again.outcome is Started.RUNNING
    clock.advance(timedelta(minutes=5))
    await ripple.tick()
    await ripple.drain()
    for pid in TEAM:
        assert len(gates(sender, pid)) == 1
    assert await rounds_of(ripple) == [result.round_id]


async def test_a_round_that_has_asked_nobody_yet_is_retimed_not_duplicated(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    zones = {pid: "America/Los_Angeles" for pid in TEAM}
    await set_up_team(ripple, zones=zones)
    clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=UTC))  # 02:00 in Los Angeles
    await ripple.tick()
    assert await rounds_of(ripple) != []
    await ripple.drain()
    assert all(gates(sender, pid) == [] for pid in TEAM)

    result = await ripple.start_now(actor=ADA, channel_id=CHANNEL)
    assert result.outcome is Started.RETIMED
    await ripple.drain()
    assert all(len(gates(sender, pid)) == 1 for pid in TEAM)
    clock.set(datetime(2026, 11, 2, 17, 31, tzinfo=UTC))  # their 09:31: nobody asked twice
    await ripple.tick()
    await ripple.drain()
    assert all(len(gates(sender, pid)) == 1 for pid in TEAM)
    assert await rounds_of(ripple) == [result.round_id]


async def test_a_closed_week_stays_closed(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    await set_up_team(ripple)
    clock.set(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    await ripple.tick()
    clock.set(datetime(2026, 11, 6, 12, 0, tzinfo=UTC))  # the 72-hour window is over
    await ripple.tick()
    result = await ripple.start_now(actor=ADA, channel_id=CHANNEL)
    assert result.outcome is Started.CLOSED
    assert await rounds_of(ripple) == []


async def test_only_an_admin_acting_from_the_channel_s_place_may_start_it(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
) -> None:
    await set_up_team(ripple)
    clock.set(WEDNESDAY)
    refused = [
        Actor(person_id=TEAM[0], place=PLACE),
        Actor(person_id=MANAGER, place=PLACE),
        Actor(person_id=ADMIN, place="elsewhere", roles=frozenset({Role.WORKSPACE_ADMIN})),
    ]
    for actor in refused:
        result = await ripple.start_now(actor=actor, channel_id=CHANNEL)
        assert result.outcome is Started.REFUSED
    unknown = await ripple.start_now(actor=ADA, channel_id="console:nowhere")
    assert unknown.outcome is Started.REFUSED
    assert await rounds_of(ripple) == []
    await ripple.drain()
    assert all(gates(sender, pid) == [] for pid in TEAM)
    workspace_admin = Actor(
        person_id="console:root", place=PLACE, roles=frozenset({Role.WORKSPACE_ADMIN})
    )
    assert (await ripple.start_now(actor=workspace_admin, channel_id=CHANNEL)).started
