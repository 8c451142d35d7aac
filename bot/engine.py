"""The engine: turns events into state changes and queued Outgoing messages."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import assert_never

from bot import members, selfservice
from bot.compose import Speaker
from bot.context import Context
from bot.conversation import Turn, take_turn
from bot.events import (
    Answered,
    CapacityChosen,
    Event,
    EventKind,
    ForgetAnswered,
    MemberJoined,
    MemberLeft,
    NoteChosen,
    Origin,
    Requested,
    Skipped,
    SnoozeChosen,
    TurnEvent,
)
from bot.model import Channel, CheckIn, Person, RoundStatus, check_timezone
from bot.oneway import event_mark, tombstone_mark
from bot.outgoing import Outgoing, TextMessage
from bot.ports import Address, UnitOfWork

logger = logging.getLogger(__name__)


class Engine:
    """Handles one event at a time, atomically: state and outbox change together."""

    def __init__(self, context: Context) -> None:
        self.context = context

    async def handle(self, event: Event) -> list[Outgoing]:
        """Apply ``event`` and return the messages it queued (none if it was a repeat).

        Event ids are kept as one-way marks, so the record of what was handled names nobody.
        """
        ctx, origin = self.context, event.origin
        async with ctx.store.unit_of_work() as uow:
            if origin.event_id and not await uow.events.record(
                event_mark(origin.event_id), now=origin.occurred_at
            ):
                logger.info("ignoring a repeated %s event", type(event).__name__)
                return []
            tombstone = tombstone_mark(origin.person_id)
            if await uow.tombstones.contains(tombstone):
                # They erased their data; only something they ask for by name brings it
                # back. A roster change or a tap on a message sent before they left does not.
                if not isinstance(event, Requested):
                    await uow.commit()  # keep the mark: a repeat after they return is a repeat
                    return []
                await uow.tombstones.remove(tombstone)
            person = await remember_person(
                uow, origin, creates=not isinstance(event, ForgetAnswered)
            )
            if origin.address is not None and person is not None:
                await _remember_address(uow, origin)
            messages = await self._apply(uow, event, person)
            queued = [m for m in messages if await uow.outbox.add(m, now=origin.occurred_at)]
            await uow.commit()
        return queued

    async def _apply(self, uow: UnitOfWork, event: Event, person: Person | None) -> list[Outgoing]:
        match event:
            case Requested() if event.request is EventKind.CHECKIN:
                return await self._converse(uow, event, person)
            case Requested() | ForgetAnswered():
                return await selfservice.apply(self.context, uow, event, person)
            case CapacityChosen() | SnoozeChosen() | Answered() | Skipped() | NoteChosen():
                return await self._converse(uow, event, person)
            case MemberJoined() | MemberLeft():
                return await members.apply(uow, event, person)
            case _:
                assert_never(event)

    async def _converse(
        self, uow: UnitOfWork, event: TurnEvent, person: Person | None
    ) -> list[Outgoing]:
        origin = event.origin
        checkin = await _find_checkin(uow, event)
        if checkin is None:
            channel = await uow.channels.get(origin.channel_id) if origin.channel_id else None
            return [_reply(self.context, event, person, channel, "checkin.none_open")]
        round_ = await uow.rounds.get(checkin.round_id)
        channel = await uow.channels.get(checkin.channel_id)
        if round_ is None or channel is None:
            return [_reply(self.context, event, person, channel, "checkin.none_open")]
        if round_.status is RoundStatus.CLOSED:
            return [_reply(self.context, event, person, channel, "checkin.expired")]
        locale = self.context.locale_for(person, channel)
        questions = self.context.catalog.question_set(channel.config.question_set, locale=locale)
        turn = Turn(
            checkin=checkin,
            round_=round_,
            questions=questions,
            speaker=Speaker(
                catalog=self.context.catalog,
                locale=locale,
                checkin=checkin,
                channel=channel,
                person=person,
            ),
            event=event,
            participants=await uow.checkins.count_for_round(round_.round_id),
            zone=self.context.zone_for(person, channel),
        )
        step = take_turn(turn)
        if step.checkin != checkin:
            await uow.checkins.save(step.checkin)
        return list(step.messages) + await members.after_checkin(
            self.context, uow, step.checkin, previous=checkin, locale=locale
        )


async def _find_checkin(uow: UnitOfWork, event: TurnEvent) -> CheckIn | None:
    origin = event.origin
    round_id = None if isinstance(event, Requested) else event.round_id
    if round_id:
        return await uow.checkins.get(round_id, origin.person_id, for_update=True)
    mine = await uow.checkins.list_for_person(origin.person_id)
    if origin.channel_id:
        mine = [c for c in mine if c.channel_id == origin.channel_id] or mine
    for checkin in mine:
        round_ = await uow.rounds.get(checkin.round_id)
        if checkin.is_open and round_ is not None and round_.status is RoundStatus.OPEN:
            return await uow.checkins.get(checkin.round_id, checkin.person_id, for_update=True)
    return mine[0] if mine else None


def _reply(
    ctx: Context, event: TurnEvent, person: Person | None, channel: Channel | None, key: str
) -> TextMessage:
    locale, o = ctx.locale_for(person, channel), event.origin
    return TextMessage(
        recipient=o.person_id,
        locale=locale,
        idempotency_key=f"reply:{o.person_id}:{key}:{o.event_id or o.occurred_at.isoformat()}",
        text=ctx.catalog.message(key, locale=locale),
    )


async def _remember_address(uow: UnitOfWork, origin: Origin) -> None:
    assert origin.address is not None
    known = await uow.addresses.get(origin.person_id)
    if known is None or not known.reachable or known.data != origin.address:
        await uow.addresses.save(
            Address(owner_id=origin.person_id, data=origin.address, updated_at=origin.occurred_at)
        )


async def remember_person(
    uow: UnitOfWork, origin: Origin, *, creates: bool = True
) -> Person | None:
    """Create (when ``creates``) or refresh the person from what the platform told us."""
    person = await uow.people.get(origin.person_id)
    zone = origin.timezone
    if zone is not None:
        try:
            check_timezone(zone)
        except ValueError:
            logger.warning("ignoring unknown time zone %r for %s", zone, origin.person_id)
            zone = None
    if person is None:
        if not creates:
            return None
        person = Person(
            person_id=origin.person_id,
            display_name=origin.display_name or "",
            timezone=zone,
            locale=origin.locale,
        )
        await uow.people.save(person)
        return person
    updated = replace(
        person,
        display_name=origin.display_name or person.display_name,
        timezone=zone or person.timezone,
        locale=origin.locale or person.locale,
    )
    if updated != person:
        await uow.people.save(updated)
    return updated
