"""Drains the outbox through the platform senders, durably and at most once per key."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.ports import Clock, OutboxMessage, Sender, SendOutcome, SendResult, Store

logger = logging.getLogger(__name__)

LEASE_SECONDS = 120.0
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 900.0


@dataclass(frozen=True, kw_only=True)
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


def backoff(attempts: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: 1, 2, 4 … seconds, capped."""
    ceiling = min(MAX_BACKOFF_SECONDS, 2.0 ** max(attempts - 1, 0))
    return (rng or random).uniform(ceiling / 2, ceiling)


class Dispatcher:
    """Claims due outbox rows, sends each through its platform, and records the result."""

    def __init__(self, *, store: Store, senders: Mapping[str, Sender], clock: Clock) -> None:
        self._store = store
        self._senders = dict(senders)
        self._clock = clock

    async def drain(self, *, limit: int = 200) -> DrainReport:
        """Send what is due now, at most ``limit`` messages."""
        if not self._senders:
            return DrainReport()
        now = self._clock.now()
        async with self._store.unit_of_work() as uow:
            claimed = await uow.outbox.claim_due(
                now=now,
                platforms=frozenset(self._senders),
                limit=limit,
                lease_seconds=LEASE_SECONDS,
            )
            threads = {
                key: await uow.outbox.thread_message_id(key)
                for key in {row.thread_key for row in claimed if row.thread_key is not None}
            }
            await uow.commit()
        report = DrainReport()
        held: set[str] = set()  # recipients whose earlier message must go first
        for row in claimed:
            if row.recipient in held:
                await self._retry(row, after=1.0, error="waiting for an earlier message")
                report = _add(report, retried=1)
                continue
            replaces = None
            if row.thread_key is not None and not row.payload.new_message:
                replaces = threads.get(row.thread_key)
            result = await self._send(row, replaces=replaces)
            report = _add(report, **{await self._record(row, result): 1})
            if result.outcome is SendOutcome.RETRY:
                held.add(row.recipient)
            elif row.thread_key is not None and result.platform_message_id is not None:
                threads[row.thread_key] = result.platform_message_id
        return report

    async def drain_all(self, *, limit: int = 200, rounds: int = 1000) -> DrainReport:
        """Drain until nothing is due right now (retries wait for their time)."""
        total = DrainReport()
        for _ in range(rounds):
            report = await self.drain(limit=limit)
            total = _add(total, sent=report.sent, retried=report.retried, failed=report.failed)
            if report.handled < limit or report.sent + report.failed == 0:
                break  # nothing more is due now, or only retries are left
        return total

    async def _send(self, row: OutboxMessage, *, replaces: str | None) -> SendResult:
        sender = self._senders[row.platform]
        try:
            return await sender.send(row.payload, replaces=replaces)
        except Exception as exc:  # a sender bug or network fault must not lose the message
            logger.exception("sending %s failed", row.idempotency_key)
            return SendResult(outcome=SendOutcome.RETRY, error=f"{type(exc).__name__}: {exc}")

    async def _record(self, row: OutboxMessage, result: SendResult) -> str:
        try:
            return await self._record_outcome(row, result)
        except KeyError:
            # The recipient erased their data while this message was on its way.
            logger.info("outbox row of %s is gone; nothing to record", row.idempotency_key)
            return "failed"

    async def _record_outcome(self, row: OutboxMessage, result: SendResult) -> str:
        assert row.message_id is not None
        now = self._clock.now()
        if result.outcome is SendOutcome.SENT:
            async with self._store.unit_of_work() as uow:
                await uow.outbox.mark_sent(
                    row.message_id, platform_message_id=result.platform_message_id, now=now
                )
                await uow.commit()
            return "sent"
        if result.outcome is SendOutcome.RETRY and row.attempts < MAX_ATTEMPTS:
            wait = result.retry_after if result.retry_after is not None else backoff(row.attempts)
            await self._retry(row, after=wait, error=result.error or "retry")
            return "retried"
        error = result.error or result.outcome.value
        logger.warning("giving up on %s: %s", row.idempotency_key, error)
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_failed(row.message_id, error=error, now=now)
            await uow.commit()
        return "failed"

    async def _retry(self, row: OutboxMessage, *, after: float, error: str) -> None:
        assert row.message_id is not None
        next_at: datetime = self._clock.now() + timedelta(seconds=after)
        async with self._store.unit_of_work() as uow:
            try:
                await uow.outbox.mark_retry(row.message_id, next_attempt_at=next_at, error=error)
            except KeyError:
                logger.info("outbox row of %s is gone; not retrying", row.idempotency_key)
                return
            await uow.commit()


def _add(report: DrainReport, *, sent: int = 0, retried: int = 0, failed: int = 0) -> DrainReport:
    return DrainReport(
        sent=report.sent + sent, retried=report.retried + retried, failed=report.failed + failed
    )
