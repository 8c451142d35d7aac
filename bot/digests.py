"""Digests: once a round closes, its anonymised summary and team nudges for the managers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import insights
from bot.context import Context
from bot.model import CheckIn, Round
from bot.outgoing import Outgoing
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


async def _digest_messages(
    ctx: Context, uow: UnitOfWork, round_: Round, *, channel_id: str
) -> list[Outgoing]:
    channel = await uow.channels.get(channel_id)
    if channel is None or not channel.config.managers:
        return []
    checkins, history = await round_with_history(uow, round_)
    summary = insights.summarise_round(
        channel=channel, round_=round_, checkins=checkins, members=len(checkins), history=history
    )
    managers = sorted(channel.config.managers)
    messages: list[Outgoing] = [
        insights.render_digest(
            summary=summary,
            channel=channel,
            catalog=ctx.catalog,
            recipient=manager,
            idempotency_key=f"digest:{round_.round_id}:{manager}",
        )
        for manager in managers
    ]
    messages.extend(
        insights.team_nudges(
            channel=channel,
            round_=round_,
            checkins=checkins,
            history=history,
            catalog=ctx.catalog,
            recipients=managers,
        )
    )
    return messages
