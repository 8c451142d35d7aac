"""The scheduler adapter: an APScheduler clock that ticks the core and drains the outbox,
and, on a slower beat, has the core read the member lists that are due.

APScheduler only keeps time here; it holds no jobs store of its own. The database is
the truth, so several replicas can tick at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery import DrainReport
from bot.rhythm import TickReport
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 20.0
# Member lists are read daily, or sooner after a failed read; this is how often the clock
# asks which are due. Reads run apart from the tick, so a long one never delays a round.
MEMBERS_SECONDS = 300.0
# Between ticks, messages go out as they fall due, a batch at a time; with nothing due the
# courier looks again after IDLE_SECONDS. The platforms' pacers set the pace.
DELIVERY_BATCH = 50
IDLE_SECONDS = 1.0


class RippleClock:
    """Ticks every ``interval`` seconds: the weekly rhythm, then delivery."""

    def __init__(
        self,
        *,
        ripple: Ripple,
        interval: float,
        members_interval: float = MEMBERS_SECONDS,
        idle: float = IDLE_SECONDS,
        stop_grace: float = STOP_GRACE_SECONDS,
    ) -> None:
        self.ripple = ripple
        self.interval = interval
        self.members_interval = members_interval
        self.idle = idle
        self.stop_grace = stop_grace
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._beating = asyncio.Lock()
        self._reading = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._courier: asyncio.Task[None] | None = None
        self._last_beat: float | None = None  # when the latest tick started (monotonic)
        self._late = 0.0  # how much later than planned the latest tick started

    def lag(self) -> float:
        """How late the clock runs, in seconds: how much later than one interval after the
        tick before it the latest tick started, or, while the next one is overdue (a long
        tick, a blocked loop), by how much it is overdue."""
        if self._last_beat is None:
            return 0.0
        overdue = time.monotonic() - self._last_beat - self.interval
        return max(self._late, overdue, 0.0)

    async def beat(self) -> None:
        """One tick; errors are logged and the next tick tries again."""
        started = time.monotonic()
        if self._last_beat is not None:
            self._late = max(0.0, started - self._last_beat - self.interval)
        self._last_beat = started
        try:
            async with self._beating:
                report = await self.ripple.tick()
                drained = await self.ripple.drain()
        except Exception:
            logger.exception("scheduler tick failed; retrying on the next tick")
            return
        if report != TickReport():
            logger.info("tick: %s; delivery: %s", report, drained)

    async def deliver(self) -> None:
        """Send what falls due, batch after batch, until asked to stop; a batch in progress
        is finished first. Failures are logged, and the messages stay in the outbox."""
        while not self._stopping.is_set():
            try:
                report = await self.ripple.drain(limit=DELIVERY_BATCH)
            except Exception:
                logger.exception("delivering from the outbox failed; trying again shortly")
                report = DrainReport()
            if report.sent + report.failed == 0:  # nothing due, or only waiting for pace
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.idle)

    async def read_members(self) -> None:
        """Read the member lists that are due; errors are logged and tried again later."""
        try:
            async with self._reading:
                report = await self.ripple.read_due_members()
        except Exception:
            logger.exception("reading member lists failed; retrying on the next beat")
            return
        if report.read or report.failed:
            logger.info("member lists: %s", report)

    def start(self) -> None:
        now = datetime.now(UTC)
        self._scheduler.add_job(
            self.beat,
            "interval",
            seconds=self.interval,
            id="ripple-tick",
            coalesce=True,
            max_instances=1,
            next_run_time=now,
        )
        if self.ripple.rosters:
            self._scheduler.add_job(
                self.read_members,
                "interval",
                seconds=self.members_interval,
                id="ripple-members",
                coalesce=True,
                max_instances=1,
                next_run_time=now,
            )
        self._scheduler.start()
        self._stopping.clear()
        self._courier = asyncio.create_task(self.deliver(), name="ripple-delivery")
        logger.info("scheduler ticking every %.0f s", self.interval)

    async def stop(self) -> None:
        """Stop ticking, letting a tick in progress finish first (within ``stop_grace``).

        APScheduler's shutdown cancels a running tick; cancelled mid-delivery, the record of
        a message the platform already accepted is lost and a restart would send it again.
        """
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        self._stopping.set()
        try:
            async with asyncio.timeout(self.stop_grace), self._beating, self._reading:
                if self._courier is not None:
                    await asyncio.shield(self._courier)
        except TimeoutError:
            logger.warning("stopping in the middle of a tick after %.0f s", self.stop_grace)
        self.shutdown()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._courier is not None and not self._courier.done():
            self._courier.cancel()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)
