"""Clocks: the real one and a hand-turned one for tests and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def require_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = require_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = require_utc(moment)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now
