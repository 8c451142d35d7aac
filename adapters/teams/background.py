"""Work that runs after Teams has had its answer: replies and roster syncs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from bot.ripple import Ripple

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0


class Background:
    """Tracks the tasks started after a turn, so they can be awaited and stopped cleanly."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, object], *, name: str) -> None:
        task = asyncio.create_task(self._guarded(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, object], name: str) -> None:
        try:
            await work
        except Exception:  # a failed reply stays in the outbox for the clock to retry
            logger.exception("background work %s failed", name)

    async def settle(self) -> None:
        """Wait until every task, and any task those start, has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def close(self, *, grace: float = STOP_GRACE_SECONDS) -> None:
        """Let running work finish for a moment, then cancel the rest.

        A cancelled delivery is not lost: its outbox row is claimed again when its lease ends.
        """
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


class Replies:
    """Sends a person's replies once Teams has had its answer; the core keeps their order."""

    def __init__(self, *, ripple: Ripple, background: Background) -> None:
        self._ripple = ripple
        self._background = background

    def deliver(self, person_id: str) -> None:
        self._background.spawn(self._ripple.reply(person_id), name=f"reply to {person_id}")
