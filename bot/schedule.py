"""When rounds happen: periods, per-person ask times and round windows, DST-safe."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.model import Cadence, Channel


def period_of(scheduled: date) -> str:
    year, week, _ = scheduled.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_round_week(monday: date, cadence: Cadence) -> bool:
    weeks = (monday - monday_of(cadence.anchor)).days // 7
    return weeks % cadence.every_weeks == 0


def local_moment(day: date, at: time, zone: str) -> datetime:
    """``day`` at ``at`` in ``zone``, as UTC.

    A wall time skipped by a DST change moves forward with the clocks, and an
    ambiguous one takes its first occurrence, so each person is asked exactly once.
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


@dataclass(frozen=True, kw_only=True)
class Slot:
    """A channel's round for one week: its period, date and window."""

    period: str
    scheduled_date: date
    opens_at: datetime
    closes_at: datetime


def ask_time(channel: Channel, scheduled: date, zone: str | None) -> datetime:
    return local_moment(
        scheduled, channel.config.cadence.local_time, zone or channel.config.timezone
    )


def slot_for_week(channel: Channel, monday: date, zones: Iterable[str | None]) -> Slot | None:
    """The round of the week starting ``monday``, or None if the cadence or a quiet date skips it."""
    config = channel.config
    if not is_round_week(monday, config.cadence):
        return None
    scheduled = monday + timedelta(days=config.cadence.weekday)
    if scheduled in config.quiet_dates:
        return None
    asks = [ask_time(channel, scheduled, zone) for zone in {*zones, None}]
    return Slot(
        period=period_of(scheduled),
        scheduled_date=scheduled,
        opens_at=min(asks),
        closes_at=max(asks) + timedelta(hours=config.response_window_hours),
    )


def candidate_slots(channel: Channel, now: datetime, zones: Iterable[str | None]) -> list[Slot]:
    """Slots of the weeks around ``now`` (in the channel's zone), oldest first."""
    zone_list = list(zones)
    today = now.astimezone(ZoneInfo(channel.config.timezone)).date()
    slots = []
    for offset in (-7, 0, 7):
        slot = slot_for_week(channel, monday_of(today + timedelta(days=offset)), zone_list)
        if slot is not None:
            slots.append(slot)
    return slots


def next_slot(channel: Channel, now: datetime, zones: Iterable[str | None]) -> Slot | None:
    """The next slot that opens after ``now``, looking up to a year ahead."""
    zone_list = list(zones)
    today = now.astimezone(ZoneInfo(channel.config.timezone)).date()
    monday = monday_of(today)
    for week in range(0, 54):
        slot = slot_for_week(channel, monday + timedelta(weeks=week), zone_list)
        if slot is not None and slot.opens_at > now:
            return slot
    return None
