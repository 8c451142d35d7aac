"""Replies to what someone just did: delivered right away, in order, and the one that
takes the place of the message they tapped."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from bot.delivery import DrainReport
from bot.outgoing import Outgoing


class Replies:
    """Delivers a person's replies right after their event, one delivery at a time each.

    Two quick taps each start a delivery; without the order kept here, the second reply
    could overtake the first within this process. Other processes are kept in order by
    the outbox's claims.
    """

    def __init__(self, deliver: Callable[[frozenset[str]], Awaitable[DrainReport]]) -> None:
        self._deliver = deliver
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def send(self, person_id: str) -> DrainReport:
        """Deliver what is due now for ``person_id``, after any delivery to them under way."""
        lock = self._locks.setdefault(person_id, asyncio.Lock())
        self._waiting[person_id] = self._waiting.get(person_id, 0) + 1
        try:
            async with lock:
                return await self._deliver(frozenset({person_id}))
        finally:
            self._waiting[person_id] -= 1
            if not self._waiting[person_id]:
                del self._waiting[person_id], self._locks[person_id]


def replacement(queued: Iterable[Outgoing], *, person_id: str) -> Outgoing | None:
    """Of the messages an event queued, the one that takes the place of the message the
    person tapped: the first to them that continues a conversation, not posted afresh."""
    return next(
        (
            message
            for message in queued
            if message.recipient == person_id
            and message.thread_key is not None
            and not message.new_message
        ),
        None,
    )
