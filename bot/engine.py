"""The engine: turns InboundEvents into state changes and queued Outgoing messages."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot import members, selfservice
from bot.compose import Speaker
from bot.context import Context
from bot.conversation import Turn, take_turn
from bot.events import COMMAND_EVENTS, EventKind, InboundEvent
from bot.model import Channel, CheckIn, Person, RoundStatus, check_timezone
from bot.oneway import event_mark, tombstone_mark
from bot.outgoing import Outgoing, TextMessage
from bot.ports import Address, UnitOfWork

logger = logging.getLogger(__name__)

CONVERSATION_EVENTS = frozenset(
    {
        EventKind.CHECKIN,
        EventKind.CAPACITY,
        EventKind.SNOOZE,
        EventKind.ANSWER,
        EventKind.SKIP,
        EventKind.NOTE,
    }
)
MEMBER_EVENTS = frozenset({EventKind.MEMBER_JOINED, EventKind.MEMBER_LEFT})
# What someone does of their own accord; only this brings back a person who erased their
# data. A roster change or a tap on a message sent before they left does not.
RETURNING_EVENTS = frozenset(COMMAND_EVENTS.values())


class Engine:
    """Handles one event at a time, atomically: state and outbox change together."""

    def __init__(self, context: Context) -> None:
        self.context = context

    async def handle(self, event: InboundEvent) -> list[Outgoing]:
        """Apply ``event`` and return the messages it queued (none if it was a repeat).

        Event ids are kept as one-way marks, so the record of what was handled names nobody.
        """
        ctx = self.context
        async with ctx.store.unit_of_work() as uow:
            if event.event_id and not await uow.events.record(
                event_mark(event.event_id), now=event.occurred_at
            ):
                logger.info("ignoring a repeated %s event", event.kind.value)
                return []
            tombstone = tombstone_mark(event.person_id)
            if await uow.tombstones.contains(tombstone):
                if event.kind not in RETURNING_EVENTS:
                    return []  # they erased their data; only they can bring it back
                await uow.tombstones.remove(tombstone)
            person = await remember_person(uow, event)
            if event.address is not None and person is not None:
                await _remember_address(uow, event)
            if event.kind in CONVERSATION_EVENTS:
                messages = await self._converse(uow, event, person)
            elif event.kind in MEMBER_EVENTS:
                messages = await members.apply(ctx, uow, event, person)
            else:
                messages = await selfservice.apply(ctx, uow, event, person)
            queued = [m for m in messages if await uow.outbox.add(m, now=event.occurred_at)]
            await uow.commit()
        return queued

    async def _converse(
        self, uow: UnitOfWork, event: InboundEvent, person: Person | None
    ) -> list[Outgoing]:
        checkin = await _find_checkin(uow, event)
        if checkin is None:
            channel = await uow.channels.get(event.channel_id) if event.channel_id else None
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


async def _find_checkin(uow: UnitOfWork, event: InboundEvent) -> CheckIn | None:
    if event.round_id:
        return await uow.checkins.get(event.round_id, event.person_id, for_update=True)
    mine = await uow.checkins.list_for_person(event.person_id)
    if event.channel_id:
        mine = [c for c in mine if c.channel_id == event.channel_id] or mine
    for checkin in mine:
        round_ = await uow.rounds.get(checkin.round_id)
        if checkin.is_open and round_ is not None and round_.status is RoundStatus.OPEN:
            return await uow.checkins.get(checkin.round_id, checkin.person_id, for_update=True)
    return mine[0] if mine else None


def _reply(
    ctx: Context, event: InboundEvent, person: Person | None, channel: Channel | None, key: str
) -> TextMessage:
    locale = ctx.locale_for(person, channel)
    return TextMessage(
        recipient=event.person_id,
        locale=locale,
        idempotency_key=f"reply:{event.person_id}:{key}:{event.event_id or event.occurred_at.isoformat()}",
        text=ctx.catalog.message(key, locale=locale),
    )


async def _remember_address(uow: UnitOfWork, event: InboundEvent) -> None:
    assert event.address is not None
    known = await uow.addresses.get(event.person_id)
    if known is None or not known.reachable or known.data != event.address:
        await uow.addresses.save(
            Address(owner_id=event.person_id, data=event.address, updated_at=event.occurred_at)
        )


async def remember_person(uow: UnitOfWork, event: InboundEvent) -> Person | None:
    """Create or refresh the person from what the platform told us about them."""
    person = await uow.people.get(event.person_id)
    zone = event.timezone
    if zone is not None:
        try:
            check_timezone(zone)
        except ValueError:
            logger.warning("ignoring unknown time zone %r for %s", zone, event.person_id)
            zone = None
    if person is None:
        if event.kind is EventKind.FORGET_CONFIRMED:
            return None
        person = Person(
            person_id=event.person_id,
            display_name=event.display_name or "",
            timezone=zone,
            locale=event.locale,
        )
        await uow.people.save(person)
        return person
    updated = replace(
        person,
        display_name=event.display_name or person.display_name,
        timezone=zone or person.timezone,
        locale=event.locale or person.locale,
    )
    if updated != person:
        await uow.people.save(updated)
    return updated
