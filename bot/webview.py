"""The web view: which channels a person may open there, and what each page shows.

The web view shows nothing chat doesn't. A manager reads the digests they were sent, read
back from the stored copies; an admin reads a channel's settings. Rights are read from the
store on every request: the session only says who is asking, never what they may see.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.context import Context
from bot.erasure import is_forgotten
from bot.model import Channel
from bot.oneway import sign_in_mark
from bot.outgoing import SummaryMessage, TrendChart
from bot.ports import UnitOfWork
from bot.publication import stored_digest

LINK_LIFETIME = timedelta(minutes=15)  # a sign-in link, from the moment chat made it
SESSION_LIFETIME = timedelta(hours=8)  # a working day, then a new link from chat
PAGE_DIGESTS = 13  # a quarter of weekly summaries


@dataclass(frozen=True, kw_only=True)
class ChannelAccess:
    """One channel a person may open in the web view, and in which roles."""

    channel_id: str
    name: str
    manages: bool
    administers: bool


@dataclass(frozen=True, kw_only=True)
class Visitor:
    """Who is signed in, in which language to speak to them, and their channels by name."""

    person_id: str
    name: str
    locale: str
    channels: tuple[ChannelAccess, ...]

    @property
    def managed(self) -> tuple[ChannelAccess, ...]:
        return tuple(c for c in self.channels if c.manages)

    @property
    def administered(self) -> tuple[ChannelAccess, ...]:
        return tuple(c for c in self.channels if c.administers)


@dataclass(frozen=True, kw_only=True)
class SummariesPage:
    """A manager's digests of one channel, newest first, as chat showed them."""

    channel: ChannelAccess
    digests: tuple[SummaryMessage, ...]

    @property
    def chart(self) -> TrendChart | None:
        """The newest digest's trend chart, if it has one."""
        return self.digests[0].chart if self.digests else None


class SignIn(enum.StrEnum):
    """What came of using a sign-in link whose signature and age were good."""

    ACCEPTED = "accepted"
    USED = "used"  # the link was used before: each one signs in once
    ERASED = "erased"  # the person erased their data since the link was made


def access_to(channel: Channel, person_id: str) -> ChannelAccess | None:
    """The person's roles in an active channel; None when they have none there."""
    config = channel.config
    manages, administers = person_id in config.managers, person_id in config.admins
    if not channel.active or not (manages or administers):
        return None
    return ChannelAccess(
        channel_id=channel.channel_id,
        name=channel.name,
        manages=manages,
        administers=administers,
    )


async def channels_of(uow: UnitOfWork, person_id: str) -> tuple[ChannelAccess, ...]:
    """The active channels the person manages or administers, by name.

    Only Ripple's own lists count: a workspace admin or team owner is vouched for by their
    platform in chat, and the web view has no platform to ask.
    """
    found = [access_to(c, person_id) for c in await uow.channels.list_all()]
    return tuple(sorted((a for a in found if a), key=lambda a: (a.name.lower(), a.channel_id)))


async def visitor(ctx: Context, *, person_id: str) -> Visitor | None:
    """Who is signed in as ``person_id`` now; None if they erased their data."""
    async with ctx.store.unit_of_work() as uow:
        if await is_forgotten(uow, person_id):
            return None
        person = await uow.people.get(person_id)
        channel_ids = await uow.channels.channels_of(person_id)
        first = await uow.channels.get(channel_ids[0]) if channel_ids else None
        return Visitor(
            person_id=person_id,
            name=person.display_name if person else "",
            locale=ctx.locale_for(person, first),
            channels=await channels_of(uow, person_id),
        )


async def summaries_page(
    ctx: Context, *, person_id: str, channel_id: str, limit: int = PAGE_DIGESTS
) -> SummariesPage | None:
    """The digests of ``channel_id`` that were decided for ``person_id``, newest first, at
    most ``limit`` of them.

    None unless they manage that active channel now. Only rounds published while they were
    a manager have a digest for them: a week they were not shown in chat is not shown here.
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await _allowed(uow, person_id, channel_id)
        access = access_to(channel, person_id) if channel else None
        if channel is None or access is None or not access.manages:
            return None
        digests: list[SummaryMessage] = []
        for published in await uow.summaries.recent(channel_id, until=date.max, limit=PAGE_DIGESTS):
            if len(digests) == limit:
                break
            if await uow.summaries.view(published.round_id, person_id) is None:
                continue
            digests.append(
                await stored_digest(
                    ctx,
                    uow,
                    channel=channel,
                    published=published,
                    viewer=person_id,
                    idempotency_key=f"web:{published.round_id}:{person_id}",
                )
            )
    return SummariesPage(channel=access, digests=tuple(digests))


async def admin_channel(uow: UnitOfWork, *, person_id: str, channel_id: str) -> Channel | None:
    """The active channel ``person_id`` is a Ripple admin of; None otherwise."""
    channel = await _allowed(uow, person_id, channel_id)
    access = access_to(channel, person_id) if channel else None
    return channel if access is not None and access.administers else None


async def _allowed(uow: UnitOfWork, person_id: str, channel_id: str) -> Channel | None:
    if await is_forgotten(uow, person_id):
        return None
    return await uow.channels.get(channel_id)


async def redeem_sign_in(ctx: Context, *, person_id: str, nonce: str, now: datetime) -> SignIn:
    """Use a sign-in link once. The nonce is kept as a one-way mark among the handled
    events, so a second use is refused on every replica."""
    async with ctx.store.unit_of_work() as uow:
        if await is_forgotten(uow, person_id):
            return SignIn.ERASED
        if not await uow.events.record(sign_in_mark(nonce), now=now):
            return SignIn.USED
        await uow.commit()
    return SignIn.ACCEPTED
