"""The weekly rhythm, driven by clock ticks: open rounds, ask, remind, close, digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.compose import Speaker
from bot.context import Context
from bot.loop import gate_lead, previous_action
from bot.members import new_checkin
from bot.model import Channel, CheckIn, CheckInState, Round, RoundStatus, RoundTerms, TeamAction
from bot.outgoing import Outgoing
from bot.ports import UnitOfWork
from bot.publication import publish_closed_rounds
from bot.retention import purge_expired
from bot.schedule import candidate_slots, period_of
from bot.timefmt import local_label

logger = logging.getLogger(__name__)

REMINDER_GAP = timedelta(hours=24)
ZONE_SPREAD = timedelta(hours=27)  # the widest gap between two time zones' clocks, plus slack


@dataclass(frozen=True, kw_only=True)
class TickReport:
    opened: int = 0
    asked: int = 0
    reminded: int = 0
    closed: int = 0
    digests: int = 0
    purged: int = 0

    def __add__(self, other: TickReport) -> TickReport:
        return TickReport(
            opened=self.opened + other.opened,
            asked=self.asked + other.asked,
            reminded=self.reminded + other.reminded,
            closed=self.closed + other.closed,
            digests=self.digests + other.digests,
            purged=self.purged + other.purged,
        )


async def tick(ctx: Context, *, now: datetime) -> TickReport:
    """One beat of the clock. Safe to run on several replicas at once."""
    report = await close_due_rounds(ctx, now=now)
    report += await open_due_rounds(ctx, now=now)
    report += await ask_due(ctx, now=now)
    report += TickReport(digests=await publish_closed_rounds(ctx, now=now))
    report += TickReport(purged=(await purge_expired(ctx, now=now)).total)
    return report


async def open_due_rounds(ctx: Context, *, now: datetime) -> TickReport:
    opened = 0
    async with ctx.store.unit_of_work() as uow:
        channels = await uow.channels.list_active()
    for channel in channels:
        async with ctx.store.unit_of_work() as uow:
            if not await _may_open(uow, channel, now=now):
                continue
            member_ids = sorted(await uow.channels.members(channel.channel_id))
            people = {pid: await uow.people.get(pid) for pid in member_ids}
            zones = [p.timezone for p in people.values() if p is not None]
            for slot in candidate_slots(channel, now, zones):
                if not slot.opens_at <= now < slot.closes_at:
                    continue
                round_ = Round(
                    round_id=Round.make_id(channel.channel_id, slot.period),
                    channel_id=channel.channel_id,
                    period=slot.period,
                    scheduled_date=slot.scheduled_date,
                    opens_at=slot.opens_at,
                    closes_at=slot.closes_at,
                    terms=RoundTerms.of(channel.config),
                )
                if not await uow.rounds.create(round_):
                    continue
                await close_earlier_rounds(uow, round_, now=now)
                for pid in member_ids:
                    person = people[pid]
                    if person is not None and person.paused:
                        continue
                    checkin = new_checkin(channel, round_, person, now=now)
                    await uow.checkins.create(replace(checkin, person_id=pid))
                opened += 1
                logger.info("opened round %s for %d members", round_.round_id, len(member_ids))
            await uow.commit()
    return TickReport(opened=opened)


async def _may_open(uow: UnitOfWork, channel: Channel, *, now: datetime) -> bool:
    """A cheap first look: is a round of this channel near and not yet open?"""
    for slot in candidate_slots(channel, now, []):
        near = slot.opens_at - ZONE_SPREAD <= now < slot.closes_at + ZONE_SPREAD
        round_id = Round.make_id(channel.channel_id, slot.period)
        if near and await uow.rounds.get(round_id) is None:
            return True
    return False


async def close_earlier_rounds(uow: UnitOfWork, current: Round, *, now: datetime) -> None:
    for round_ in await uow.rounds.list_open():
        if round_.channel_id == current.channel_id and round_.round_id != current.round_id:
            await _close(uow, round_, now=now)


async def close_due_rounds(ctx: Context, *, now: datetime) -> TickReport:
    closed = 0
    async with ctx.store.unit_of_work() as uow:
        for round_ in await uow.rounds.list_open():
            if round_.closes_at <= now:
                await _close(uow, round_, now=now)
                closed += 1
        await uow.commit()
    return TickReport(closed=closed)


async def _close(uow: UnitOfWork, round_: Round, *, now: datetime) -> None:
    for checkin in await uow.checkins.list_for_round(round_.round_id):
        if checkin.is_open:
            await uow.checkins.save(replace(checkin, state=CheckInState.EXPIRED, updated_at=now))
    await uow.rounds.save(replace(round_, status=RoundStatus.CLOSED))
    logger.info("closed round %s", round_.round_id)


class _Lookups:
    """Per-tick memo of rounds, channels and members, so a big round costs one read each."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._rounds: dict[str, Round | None] = {}
        self._channels: dict[str, Channel | None] = {}
        self._members: dict[str, frozenset[str]] = {}
        self._actions: dict[str, TeamAction | None] = {}

    async def round(self, round_id: str) -> Round | None:
        if round_id not in self._rounds:
            self._rounds[round_id] = await self._uow.rounds.get(round_id)
        return self._rounds[round_id]

    async def channel(self, channel_id: str) -> Channel | None:
        if channel_id not in self._channels:
            self._channels[channel_id] = await self._uow.channels.get(channel_id)
        return self._channels[channel_id]

    async def previous_action(self, round_: Round) -> TeamAction | None:
        if round_.round_id not in self._actions:
            self._actions[round_.round_id] = await previous_action(self._uow, round_)
        return self._actions[round_.round_id]

    async def members(self, channel_id: str) -> frozenset[str]:
        if channel_id not in self._members:
            self._members[channel_id] = await self._uow.channels.members(channel_id)
        return self._members[channel_id]


async def ask_due(ctx: Context, *, now: datetime) -> TickReport:
    """Ask people whose time has come, bring back snoozes and send reminders."""
    asked = reminded = 0
    async with ctx.store.unit_of_work() as uow:
        lookups = _Lookups(uow)
        for checkin in await uow.checkins.list_needing_attention(now):
            message, updated = await _attend(ctx, uow, lookups, checkin, now=now)
            if updated != checkin:
                await uow.checkins.save(updated)
            if message is not None and await uow.outbox.add(message, now=now):
                if updated.reminders_sent > checkin.reminders_sent:
                    reminded += 1
                else:
                    asked += 1
        await uow.commit()
    return TickReport(asked=asked, reminded=reminded)


def _reminder_due(checkin: CheckIn, channel: Channel, *, now: datetime) -> bool:
    if checkin.reminders_sent >= channel.config.reminders:
        return False
    since = max(checkin.due_at, checkin.snooze_until or checkin.due_at)
    return now >= since + REMINDER_GAP * (checkin.reminders_sent + 1)


async def _attend(
    ctx: Context, uow: UnitOfWork, lookups: _Lookups, checkin: CheckIn, *, now: datetime
) -> tuple[Outgoing | None, CheckIn]:
    round_ = await lookups.round(checkin.round_id)
    channel = await lookups.channel(checkin.channel_id)
    if round_ is None or channel is None or round_.status is RoundStatus.CLOSED:
        return None, checkin
    waiting = checkin.delivered and checkin.state in (CheckInState.ASKED, CheckInState.ANSWERING)
    if waiting and not _reminder_due(checkin, channel, now=now):
        return None, checkin
    person = await uow.people.get(checkin.person_id)
    is_member = checkin.person_id in await lookups.members(channel.channel_id)
    if not checkin.delivered and (not is_member or (person is not None and person.paused)):
        return None, replace(checkin, state=CheckInState.EXPIRED, updated_at=now)
    speaker = Speaker(
        catalog=ctx.catalog,
        locale=ctx.locale_for(person, channel),
        checkin=checkin,
        channel=channel,
        person=person,
    )
    if checkin.state is CheckInState.ASKED and not checkin.delivered:
        action = await lookups.previous_action(round_)
        lead = None if action is None else gate_lead(ctx.catalog, action, locale=speaker.locale)
        gate = speaker.gate(key="gate", lead=lead)
        return gate, replace(checkin, delivered=True, updated_at=now)
    if checkin.state is CheckInState.SNOOZED:
        back = replace(checkin, state=CheckInState.ASKED, delivered=True, updated_at=now)
        return speaker.gate(key=f"gate:{checkin.snoozes}"), back
    return _reminder(ctx, speaker, checkin, round_, now=now)


def _reminder(
    ctx: Context, speaker: Speaker, checkin: CheckIn, round_: Round, *, now: datetime
) -> tuple[Outgoing | None, CheckIn]:
    sent = checkin.reminders_sent + 1
    zone = ctx.zone_for(speaker.person, speaker.channel)
    closes = local_label(round_.closes_at, zone)
    key = f"reminder:{sent}"
    message: Outgoing = speaker.gate(key=key, reminder=True, closes=closes)
    if checkin.state is CheckInState.ANSWERING:
        questions = ctx.catalog.question_set(
            speaker.channel.config.question_set, locale=speaker.locale
        )
        lead = speaker.say("reminder.resume", channel=speaker.channel.name, closes=closes)
        if checkin.step < len(questions.questions):
            message = speaker.question(questions, checkin.step, key=key, lead=lead)
        else:
            threshold = round_.terms.strictest(speaker.channel.config).comment_threshold
            message = speaker.note_prompt(key=key, lead=lead, comment_threshold=threshold)
        message = replace(message, new_message=True)
    return message, replace(checkin, reminders_sent=sent, updated_at=now)


async def open_round_now(ctx: Context, *, channel_id: str, now: datetime) -> Round | None:
    """Open this week's round of a channel right away (for an on-demand check-in).

    Returns the open round, or None when this week's round has already closed.
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None:
            raise LookupError(f"unknown channel {channel_id}")
        today = now.astimezone(ZoneInfo(channel.config.timezone)).date()
        round_ = Round(
            round_id=Round.make_id(channel_id, period_of(today)),
            channel_id=channel_id,
            period=period_of(today),
            scheduled_date=today,
            opens_at=now,
            closes_at=now + timedelta(hours=channel.config.response_window_hours),
            terms=RoundTerms.of(channel.config),
        )
        if await uow.rounds.create(round_):
            await close_earlier_rounds(uow, round_, now=now)
        existing = await uow.rounds.get(round_.round_id)
        if existing is None or existing.status is RoundStatus.CLOSED:
            await uow.commit()
            return None
        for pid in sorted(await uow.channels.members(channel_id)):
            person = await uow.people.get(pid)
            if person is None or not person.paused:
                checkin = new_checkin(channel, existing, person, now=now)
                await uow.checkins.create(replace(checkin, person_id=pid))
        await uow.commit()
        return existing
