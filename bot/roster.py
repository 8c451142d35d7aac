"""Each channel's members kept in step with its platform: read daily, and again soon after a
read fails, backing off while the platform keeps failing.

Events (someone joins, someone leaves) keep the member list current between reads; a read
catches what no event told Ripple, and a channel whose first read failed is not left empty.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import admin
from bot.context import Context
from bot.model import Channel
from bot.ports import Roster, RosterReadError

logger = logging.getLogger(__name__)

READ_EVERY = timedelta(days=1)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# A read under way (here or in another replica) is left alone this long before it is tried
# again; a 1,000-person Slack channel is read within it, even at Slack's lookup limits.
READ_LEASE = timedelta(minutes=20)


@dataclass(frozen=True)
class RosterReport:
    read: int = 0
    failed: int = 0
    joined: int = 0
    left: int = 0


def retry_after(failures: int) -> timedelta:
    """How long to wait after ``failures`` failed reads in a row: doubling, up to a cap."""
    doublings = min(max(failures - 1, 0), 20)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


def is_due(channel: Channel, now: datetime) -> bool:
    return channel.members_due_at is None or channel.members_due_at <= now


async def read_due(
    ctx: Context, rosters: Mapping[str, Roster], *, now: datetime, limit: int
) -> RosterReport:
    """Read the members of up to ``limit`` active channels that are due, oldest due first."""
    async with ctx.store.unit_of_work() as uow:
        channels = await uow.channels.list_active()
    due = sorted(
        (c for c in channels if c.platform in rosters and is_due(c, now)),
        key=lambda c: (c.members_due_at is not None, c.members_due_at or now),
    )
    report = RosterReport()
    for channel in due[:limit]:
        read = await read_channel(ctx, rosters, channel.channel_id, now=now, only_if_due=True)
        report = _added(report, read)
    return report


async def read_channel(
    ctx: Context,
    rosters: Mapping[str, Roster],
    channel_id: str,
    *,
    now: datetime,
    only_if_due: bool = False,
) -> RosterReport:
    """Read one channel's members and make them Ripple's; a failed read is tried again
    later. ``only_if_due`` leaves a channel alone that another reader has just taken."""
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        roster = rosters.get(channel.platform) if channel is not None else None
        if channel is None or roster is None or (only_if_due and not is_due(channel, now)):
            return RosterReport()
        await uow.channels.save(replace(channel, members_due_at=now + READ_LEASE))
        await uow.commit()
    try:
        people = await roster.members(channel_id)
    except RosterReadError as exc:
        failures = channel.members_failures + 1
        wait = retry_after(failures)
        logger.warning(
            "could not read the members of %s (%s); trying again in %s", channel_id, exc, wait
        )
        await _set(ctx, channel_id, due_at=now + wait, failures=failures)
        return RosterReport(failed=1)
    joined, left = await admin.sync_members(ctx, channel_id=channel_id, people=people, now=now)
    await _set(ctx, channel_id, due_at=now + READ_EVERY, failures=0)
    logger.info("read the members of %s: %d joined, %d left", channel_id, joined, left)
    return RosterReport(read=1, joined=joined, left=left)


async def _set(ctx: Context, channel_id: str, *, due_at: datetime, failures: int) -> None:
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None:
            return
        await uow.channels.save(replace(channel, members_due_at=due_at, members_failures=failures))
        await uow.commit()


def _added(a: RosterReport, b: RosterReport) -> RosterReport:
    return RosterReport(
        read=a.read + b.read,
        failed=a.failed + b.failed,
        joined=a.joined + b.joined,
        left=a.left + b.left,
    )
