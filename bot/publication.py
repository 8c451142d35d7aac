"""Publication: when a round closes, its summary is computed once, stored, and sent out.

Every later view of that week (digests, ``summary``, the home page, trend lines) reads
the stored copy: erasure, membership and settings changes never recompute it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.context import Context
from bot.insights.noise import noisy_counts
from bot.insights.nudges import fired_rules, team_nudges
from bot.insights.privacy import Neighbour, Shape, decide_view, publishable_counts
from bot.insights.published import Published, Seen, View, seen_by
from bot.insights.render import render_digest
from bot.loop import action_lines
from bot.model import Channel, Round, TeamAction, quarter_bounds
from bot.outgoing import Outgoing, SummaryMessage
from bot.ports import UnitOfWork

TREND_PERIODS = 8
NUDGE_PERIODS = 3
BUDGET_SLACK = 1e-9


async def publish_closed_rounds(ctx: Context, *, now: datetime) -> int:
    """Publish each closed round once, queueing its digests and team nudges."""
    queued = 0
    async with ctx.store.unit_of_work() as uow:
        for round_ in await uow.rounds.list_closed_without_digest():
            channel = await uow.channels.get(round_.channel_id)
            if channel is not None:
                for message in await publish_round(ctx, uow, round_, channel, now=now):
                    queued += await uow.outbox.add(message, now=now)
            await uow.rounds.save(replace(round_, digest_sent=True))
        await uow.commit()
    return queued


async def publish_round(
    ctx: Context, uow: UnitOfWork, round_: Round, channel: Channel, *, now: datetime
) -> list[Outgoing]:
    """Decide and store what each of the channel's managers may see of a closed round."""
    checkins = await uow.checkins.list_for_round(round_.round_id)
    terms = round_.terms.strictest(channel.config)
    counts = publishable_counts(checkins, terms=terms)
    shape = Shape.of(checkins)
    budget_spent = False
    spent = 0.0
    if counts is not None and terms.epsilon is not None and terms.noise_budget is not None:
        start, end = quarter_bounds(round_.scheduled_date)
        used = await uow.summaries.spent(channel.channel_id, start=start, end=end)
        budget_spent = used + terms.epsilon > terms.noise_budget + BUDGET_SLACK
    viewers = sorted(channel.config.managers)
    views = [
        decide_view(
            viewer=viewer,
            round_id=round_.round_id,
            counts=counts,
            terms=terms,
            shape=shape,
            neighbours=await _neighbours(uow, round_, viewer=viewer),
            budget_spent=budget_spent,
        )
        for viewer in viewers
    ]
    if budget_spent:
        counts = None
    elif counts is not None and terms.epsilon is not None:
        counts = noisy_counts(counts, epsilon=terms.epsilon, noise=ctx.noise)
        spent = terms.epsilon
    published = Published(
        round_id=round_.round_id,
        channel_id=channel.channel_id,
        period=round_.period,
        scheduled_date=round_.scheduled_date,
        published_at=now,
        terms=terms,
        members=len(checkins),
        counts=counts,
        spent=spent,
    )
    earlier = await uow.summaries.recent(
        channel.channel_id, until=round_.scheduled_date, limit=TREND_PERIODS - 1
    )
    with_nudges = []
    for view in views:
        history = [*await seen_history(uow, earlier, viewer=view.viewer), seen_by(published, view)]
        rules = fired_rules(history[::-1][:NUDGE_PERIODS]) if channel.config.nudges else ()
        with_nudges.append((replace(view, nudges=rules), history))
    if not await uow.summaries.add(published, [view for view, _ in with_nudges]):
        return []  # another replica published it first
    actions = await uow.actions.recent(channel.channel_id, limit=TREND_PERIODS)
    messages: list[Outgoing] = []
    for view, history in with_nudges:
        messages.append(
            digest_message(
                ctx,
                channel=channel,
                published=published,
                view=view,
                history=history,
                periods=[*(p.period for p in earlier[::-1]), published.period],
                actions=actions,
                idempotency_key=f"digest:{round_.round_id}:{view.viewer}",
            )
        )
        messages.extend(
            team_nudges(
                rules=view.nudges,
                round_id=round_.round_id,
                channel=channel.name,
                catalog=ctx.catalog,
                locale=channel.config.locale,
                recipient=view.viewer,
            )
        )
    return messages


async def _neighbours(uow: UnitOfWork, round_: Round, *, viewer: str) -> list[Neighbour]:
    """Groups of the same period from other channels, already shown to ``viewer``."""
    found = []
    for other in await uow.summaries.for_period(round_.period):
        if other.channel_id == round_.channel_id:
            continue
        view = await uow.summaries.view(other.round_id, viewer)
        if view is None or not view.shown:
            continue
        shape = Shape.of(await uow.checkins.list_for_round(other.round_id))
        found.append(Neighbour(shape=shape, k=other.terms.k, hidden=view.hidden))
    return found


async def seen_history(
    uow: UnitOfWork, published: Sequence[Published], *, viewer: str
) -> list[Seen | None]:
    """What ``viewer`` was shown of each of ``published`` (newest first), oldest first."""
    return [seen_by(p, await uow.summaries.view(p.round_id, viewer)) for p in published[::-1]]


def digest_message(
    ctx: Context,
    *,
    channel: Channel,
    published: Published,
    view: View | None,
    history: Sequence[Seen | None],
    idempotency_key: str,
    ephemeral: bool = False,
    periods: Sequence[str] = (),
    actions: Sequence[TeamAction] = (),
) -> SummaryMessage:
    """A viewer's digest of a published round, rendered from what was stored, with what the
    team decided in the weeks it shows."""
    locale = channel.config.locale
    shown = [a for a in actions if a.period in periods]
    return render_digest(
        published=published,
        view=view,
        history=history,
        periods=periods,
        actions=action_lines(ctx.catalog, shown, locale=locale),
        channel=channel.name,
        catalog=ctx.catalog,
        locale=locale,
        recipient=view.viewer if view is not None else "",
        idempotency_key=idempotency_key,
        ephemeral=ephemeral,
    )


async def stored_digest(
    ctx: Context,
    uow: UnitOfWork,
    *,
    channel: Channel,
    published: Published,
    viewer: str,
    idempotency_key: str,
    ephemeral: bool = False,
) -> SummaryMessage:
    """Render ``viewer``'s digest of a published round again, from the stored copy only."""
    earlier = await uow.summaries.recent(
        channel.channel_id, until=published.scheduled_date, limit=TREND_PERIODS
    )
    view = await uow.summaries.view(published.round_id, viewer)
    message = digest_message(
        ctx,
        channel=channel,
        published=published,
        view=view,
        history=await seen_history(uow, earlier, viewer=viewer),
        periods=[p.period for p in earlier[::-1]],
        actions=await uow.actions.recent(channel.channel_id, limit=TREND_PERIODS),
        idempotency_key=idempotency_key,
        ephemeral=ephemeral,
    )
    return replace(message, recipient=viewer)


async def latest_digest(
    ctx: Context, uow: UnitOfWork, *, channel: Channel, viewer: str, idempotency_key: str
) -> SummaryMessage | None:
    """The newest published round of ``channel`` decided for ``viewer``; None if none was."""
    for published in await uow.summaries.recent(
        channel.channel_id, until=date.max, limit=TREND_PERIODS
    ):
        if await uow.summaries.view(published.round_id, viewer) is not None:
            return await stored_digest(
                ctx,
                uow,
                channel=channel,
                published=published,
                viewer=viewer,
                idempotency_key=idempotency_key,
                ephemeral=True,
            )
    return None
