"""Digests: once a round closes, its anonymised summary and team nudges for the managers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import insights
from bot.context import Context
from bot.model import Channel, CheckIn, Round
from bot.outgoing import Outgoing, SummaryMessage
from bot.ports import UnitOfWork

TREND_PERIODS = 8


async def send_digests(ctx: Context, *, now: datetime) -> int:
    """Summaries and team nudges for managers, once per closed round."""
    sent = 0
    async with ctx.store.unit_of_work() as uow:
        for round_ in await uow.rounds.list_closed_without_digest():
            channel = await uow.channels.get(round_.channel_id)
            if channel is not None:
                for message in await _digest_messages(
                    ctx, uow, round_, channel_id=channel.channel_id
                ):
                    sent += await uow.outbox.add(message, now=now)
            await uow.rounds.save(replace(round_, digest_sent=True))
        await uow.commit()
    return sent


async def round_with_history(
    uow: UnitOfWork, round_: Round
) -> tuple[list[CheckIn], list[tuple[Round, list[CheckIn]]]]:
    checkins = await uow.checkins.list_for_round(round_.round_id)
    earlier = [
        r
        for r in await uow.rounds.recent_closed(round_.channel_id, limit=TREND_PERIODS)
        if r.scheduled_date < round_.scheduled_date
    ][: TREND_PERIODS - 1]
    history = [(r, await uow.checkins.list_for_round(r.round_id)) for r in earlier]
    return checkins, history


async def withheld_from(uow: UnitOfWork, channel: Channel, *, manager: str) -> int | None:
    """Complementary suppression across the channels one manager sees.

    Two channels whose members differ by 1 to k-1 people could be subtracted to isolate
    those few. Of each such pair the manager gets only the larger (the lower id on a
    tie); for the other, this returns the k that holds it back, else None.
    """
    mine = await uow.channels.members(channel.channel_id)
    for other in await uow.channels.list_all():
        if other.channel_id == channel.channel_id or manager not in other.config.managers:
            continue
        theirs = await uow.channels.members(other.channel_id)
        k = max(channel.config.k, other.config.k)
        groups = {channel.channel_id: mine, other.channel_id: theirs}
        if channel.channel_id not in insights.overlapping_groups_at_risk(groups=groups, k=k):
            continue
        kept = min(groups, key=lambda cid: (-len(groups[cid]), cid))
        if kept != channel.channel_id:
            return k
    return None


async def digest_for(
    ctx: Context,
    uow: UnitOfWork,
    *,
    channel: Channel,
    round_: Round,
    manager: str,
    idempotency_key: str,
) -> SummaryMessage:
    """One manager's digest of a closed round, or the note that it is withheld."""
    k = await withheld_from(uow, channel, manager=manager)
    if k is not None:
        return insights.render_withheld(
            channel=channel,
            period=round_.period,
            k=k,
            catalog=ctx.catalog,
            recipient=manager,
            idempotency_key=idempotency_key,
        )
    checkins, history = await round_with_history(uow, round_)
    summary = insights.summarise_round(
        channel=channel, round_=round_, checkins=checkins, members=len(checkins), history=history
    )
    return insights.render_digest(
        summary=summary,
        channel=channel,
        catalog=ctx.catalog,
        recipient=manager,
        idempotency_key=idempotency_key,
    )


async def _digest_messages(
    ctx: Context, uow: UnitOfWork, round_: Round, *, channel_id: str
) -> list[Outgoing]:
    channel = await uow.channels.get(channel_id)
    if channel is None or not channel.config.managers:
        return []
    managers = sorted(channel.config.managers)
    messages: list[Outgoing] = []
    shown_to: list[str] = []
    for manager in managers:
        digest = await digest_for(
            ctx,
            uow,
            channel=channel,
            round_=round_,
            manager=manager,
            idempotency_key=f"digest:{round_.round_id}:{manager}",
        )
        messages.append(digest)
        if not digest.suppressed:
            shown_to.append(manager)
    if shown_to:
        checkins, history = await round_with_history(uow, round_)
        messages.extend(
            insights.team_nudges(
                channel=channel,
                round_=round_,
                checkins=checkins,
                history=history,
                catalog=ctx.catalog,
                recipients=shown_to,
            )
        )
    return messages
