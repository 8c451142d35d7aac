"""Channel membership: joining, leaving and a late joiner's place in the open round."""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.events import MemberEvent, MemberLeft
from bot.insights.nudges import personal_nudge
from bot.model import Channel, CheckIn, CheckInState, Person, Round, RoundStatus
from bot.outgoing import Outgoing
from bot.ports import UnitOfWork
from bot.schedule import ask_time


async def apply(uow: UnitOfWork, event: MemberEvent, person: Person | None) -> list[Outgoing]:
    person_id = event.origin.person_id
    if isinstance(event, MemberLeft):
        await uow.channels.remove_member(event.channel_id, person_id)
        return []
    channel = await uow.channels.get(event.channel_id)
    await uow.channels.add_member(event.channel_id, person_id)
    if channel is not None and channel.active:
        await join_open_round(uow, channel, person, now=event.origin.occurred_at)
    return []


async def join_open_round(
    uow: UnitOfWork, channel: Channel, person: Person | None, *, now: datetime
) -> bool:
    """Give a member who joined after the round opened their own check-in in it."""
    if person is None or person.paused:
        return False
    for round_ in await uow.rounds.list_open():
        if round_.channel_id == channel.channel_id and now < round_.closes_at:
            checkin = new_checkin(channel, round_, person, now=now)
            return await uow.checkins.create(checkin)
    return False


def new_checkin(
    channel: Channel, round_: Round, person: Person | None, *, now: datetime
) -> CheckIn:
    zone = person.timezone if person else None
    due = max(ask_time(channel, round_.scheduled_date, zone), now)
    return CheckIn(
        round_id=round_.round_id,
        person_id=person.person_id if person else "",
        channel_id=channel.channel_id,
        state=CheckInState.ASKED,
        due_at=due,
        updated_at=now,
    )


async def after_checkin(
    ctx: Context, uow: UnitOfWork, checkin: CheckIn, *, previous: CheckIn, locale: str
) -> list[Outgoing]:
    """A private nudge to a person whose own answers show sustained high load."""
    if checkin.state is not CheckInState.DONE or previous.state is CheckInState.DONE:
        return []
    recent = await uow.checkins.list_for_person(checkin.person_id)
    nudge = personal_nudge(
        person_id=checkin.person_id,
        recent=recent,
        catalog=ctx.catalog,
        locale=locale,
        round_id=checkin.round_id,
    )
    return [] if nudge is None else [nudge]


def is_open(round_: Round | None) -> bool:
    return round_ is not None and round_.status is RoundStatus.OPEN
