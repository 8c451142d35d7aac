"""Start now: an admin opens this week's check-in of a channel at once.

A newly installed team sees its first check-in minutes after setup instead of waiting for
the scheduled weekday. A round of this week that exists but has asked nobody yet is
re-timed to now, never duplicated; one that has started or closed is left as it is.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.admin import may_configure
from bot.context import Context
from bot.members import new_checkin
from bot.model import Actor, Round, RoundStatus, RoundTerms
from bot.outgoing import TextMessage
from bot.ports import UnitOfWork
from bot.rhythm import close_earlier_rounds
from bot.schedule import period_of

logger = logging.getLogger(__name__)


class Started(enum.StrEnum):
    OPENED = "opened"  # a new round, asking everyone now
    RETIMED = "retimed"  # this week's round had asked nobody yet; it asks now
    RUNNING = "running"  # this week's round has already asked people
    CLOSED = "closed"  # this week's round is over
    REFUSED = "refused"  # the actor may not, or the channel isn't Ripple's


@dataclass(frozen=True, kw_only=True)
class StartResult:
    outcome: Started
    message: str
    round_id: str | None = None

    @property
    def started(self) -> bool:
        return self.outcome in (Started.OPENED, Started.RETIMED)


async def start_now(
    ctx: Context,
    *,
    actor: Actor,
    channel_id: str,
    locale: str,
    now: datetime,
    confirm: bool = False,
) -> StartResult:
    """Start this week's check-in of ``channel_id`` now, if ``actor`` may configure it.

    With ``confirm``, the outcome is also told to the actor by direct message, through the
    outbox (for platforms that can't answer where they were asked).
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None or not channel.active or not may_configure(channel, actor=actor):
            logger.info("refused to start %s for %s", channel_id, actor.person_id)
            shown = channel.name if channel is not None else channel_id
            text = ctx.catalog.message("start.refused", locale=locale, channel=shown)
            result = StartResult(outcome=Started.REFUSED, message=text)
        else:
            outcome, round_ = await _start(uow, ctx, channel_id, now=now)
            text = ctx.catalog.message(
                f"start.{outcome.value}", locale=locale, channel=channel.name
            )
            result = StartResult(outcome=outcome, message=text, round_id=round_.round_id)
            logger.info("start now of %s: %s", round_.round_id, outcome.value)
        if confirm:
            told = TextMessage(
                recipient=actor.person_id,
                idempotency_key=f"start:{channel_id}:{secrets.token_hex(8)}",
                text=result.message,
                locale=locale,
            )
            await uow.outbox.add(told, now=now)
        await uow.commit()
    return result


async def _start(
    uow: UnitOfWork, ctx: Context, channel_id: str, *, now: datetime
) -> tuple[Started, Round]:
    channel = await uow.channels.get(channel_id)
    assert channel is not None
    today = now.astimezone(ZoneInfo(channel.config.timezone)).date()
    window = timedelta(hours=channel.config.response_window_hours)
    fresh = Round(
        round_id=Round.make_id(channel_id, period_of(today)),
        channel_id=channel_id,
        period=period_of(today),
        scheduled_date=today,
        opens_at=now,
        closes_at=now + window,
        terms=RoundTerms.of(channel.config),
    )
    outcome = Started.OPENED
    if await uow.rounds.create(fresh):
        await close_earlier_rounds(uow, fresh, now=now)
        round_ = fresh
    else:
        existing = await uow.rounds.get(fresh.round_id)
        assert existing is not None
        if existing.status is RoundStatus.CLOSED:
            return Started.CLOSED, existing
        checkins = await uow.checkins.list_for_round(existing.round_id)
        if any(c.delivered for c in checkins):
            return Started.RUNNING, existing
        round_ = replace(
            existing,
            opens_at=min(existing.opens_at, now),
            closes_at=max(existing.closes_at, now + window),
        )
        await uow.rounds.save(round_)
        for listed in checkins:
            # Held until commit, so a replica asking at this moment can't be undone here.
            checkin = await uow.checkins.get(listed.round_id, listed.person_id, for_update=True)
            if checkin is not None and not checkin.delivered:
                await uow.checkins.save(replace(checkin, due_at=now, updated_at=now))
        outcome = Started.RETIMED
    for pid in sorted(await uow.channels.members(channel_id)):
        person = await uow.people.get(pid)
        if person is not None and person.paused:
            continue
        checkin = replace(new_checkin(channel, round_, person, now=now), person_id=pid, due_at=now)
        await uow.checkins.create(checkin)
    return outcome, round_
