"""The scheduler adapter: an APScheduler clock that ticks the core and drains the outbox.

APScheduler only keeps time here; it holds no jobs store of its own. The database is
the truth, so several replicas can tick at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ripple import Ripple

logger = logging.getLogger(__name__)


class RippleClock:
    """Ticks every ``interval`` seconds: the weekly rhythm, then delivery."""

    def __init__(self, *, ripple: Ripple, interval: float) -> None:
        self.ripple = ripple
        self.interval = interval
        self._scheduler = AsyncIOScheduler(timezone="UTC")

    async def beat(self) -> None:
        """One tick; errors are logged and the next tick tries again."""
        try:
            report = await self.ripple.tick()
            drained = await self.ripple.drain()
        except Exception:
            logger.exception("scheduler tick failed; retrying on the next tick")
            return
        if report.opened or report.asked or report.reminded or report.closed or report.digests:
            logger.info("tick: %s; delivery: %s", report, drained)

    def start(self) -> None:
        self._scheduler.add_job(
            self.beat,
            "interval",
            seconds=self.interval,
            id="ripple-tick",
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()
        logger.info("scheduler ticking every %.0f s", self.interval)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)
