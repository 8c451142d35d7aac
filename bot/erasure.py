"""Erasure: a person's ``forget`` removes everything that names or comes from them.

What stays is a one-way tombstone, so a roster sync does not bring them back until they
come back themselves, and the totals already published, which cannot be traced to anyone.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from bot.context import Context
from bot.insights.privacy import ERASED_ANSWER
from bot.model import CheckIn, CheckInState
from bot.oneway import tombstone_mark
from bot.ports import UnitOfWork
from bot.publication import stored_digest

# Rounds of one period can be published days apart; for this long after a round, later
# publications still compare their respondents with its own.
MARKER_WINDOW = timedelta(days=21)
MARKER_PREFIX = "erased:"


async def erase_person(ctx: Context, uow: UnitOfWork, *, person_id: str, now: datetime) -> None:
    """Remove every row that names ``person_id`` and leave a tombstone in its place."""
    mine = await uow.checkins.list_for_person(person_id)
    for checkin in mine:
        if checkin.note_shared and await uow.summaries.clear_notes(checkin.round_id):
            await _rewrite_digests(ctx, uow, round_id=checkin.round_id)
    await uow.checkins.delete_for_person(person_id)
    await _leave_markers(uow, mine, now=now)
    for channel_id in await uow.channels.channels_of(person_id):
        await uow.channels.remove_member(channel_id, person_id)
    for channel in await uow.channels.list_all():
        config = channel.config
        if person_id in config.managers or person_id in config.admins:
            config = replace(
                config, managers=config.managers - {person_id}, admins=config.admins - {person_id}
            )
            await uow.channels.save(replace(channel, config=config))
    await uow.summaries.delete_views_of(person_id)
    await uow.outbox.delete_for_recipient(person_id)
    await uow.people.delete(person_id)
    await uow.tombstones.add(tombstone_mark(person_id), now=now)


async def _leave_markers(uow: UnitOfWork, mine: list[CheckIn], *, now: datetime) -> None:
    """Keep, for recently published rounds, only that *someone* responded, under a random id.

    A later publication of the same period compares its respondents with these rounds';
    without the marker it would see one person fewer and could let a summary through
    that, subtracted from the published one, isolates this person's answer.
    """
    markers: dict[str, str] = {}  # one random id per period, unlinkable to anything else
    for checkin in mine:
        if not checkin.responded:
            continue
        round_ = await uow.rounds.get(checkin.round_id)
        published = await uow.summaries.get(checkin.round_id)
        if round_ is None or published is None or round_.closes_at < now - MARKER_WINDOW:
            continue
        marker = markers.setdefault(round_.period, MARKER_PREFIX + secrets.token_hex(12))
        answered = {} if checkin.state is CheckInState.RESTED else checkin.answers
        await uow.checkins.create(
            CheckIn(
                round_id=round_.round_id,
                person_id=marker,
                channel_id=round_.channel_id,
                state=checkin.state,
                due_at=round_.opens_at,
                delivered=True,
                answers=dict.fromkeys(answered, ERASED_ANSWER),
                updated_at=now,
            )
        )


async def _rewrite_digests(ctx: Context, uow: UnitOfWork, *, round_id: str) -> None:
    """Re-render the digests already queued or sent for a round, now without its notes."""
    published = await uow.summaries.get(round_id)
    if published is None:
        return
    channel = await uow.channels.get(published.channel_id)
    if channel is None:
        return
    for row in await uow.outbox.list_with_key_prefix(f"digest:{round_id}:"):
        assert row.message_id is not None
        message = await stored_digest(
            ctx,
            uow,
            channel=channel,
            published=published,
            viewer=row.recipient,
            idempotency_key=row.idempotency_key,
        )
        await uow.outbox.replace_payload(row.message_id, message)


async def is_forgotten(uow: UnitOfWork, person_id: str) -> bool:
    return await uow.tombstones.contains(tombstone_mark(person_id))
