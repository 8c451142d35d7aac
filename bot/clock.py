"""Clocks: the real one, a hand-turned one for tests and the demo, and a fast one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.ports import Clock


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


class FastClock:
    """Real time, sped up from an origin: ``origin + (real now - origin) * speed``.

    Every process given the same origin and speed tells the same time, so several replicas
    can live through a week together in minutes (for trying Ripple out, never production).
    """

    def __init__(self, *, origin: datetime, speed: float, real: Clock | None = None) -> None:
        if speed < 1:
            raise ValueError("a fast clock's speed is 1 or more")
        self._origin = require_utc(origin)
        self._speed = speed
        self._real = real or SystemClock()

    def now(self) -> datetime:
        return self._origin + (self._real.now() - self._origin) * self._speed
