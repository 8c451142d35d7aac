"""Drains the outbox through the platform senders, durably and at most once per key."""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.metrics import NoMetrics
from bot.oneway import tombstone_mark
from bot.ports import (
    Clock,
    DeliveryResult,
    Metrics,
    OutboxMessage,
    Sender,
    SendOutcome,
    SendResult,
    Store,
)

logger = logging.getLogger(__name__)

# A claimed message is reserved for the process sending it this long; if that process dies
# mid-send, another sends it after the lease (so at most what was in flight goes twice).
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

    def __init__(
        self,
        *,
        store: Store,
        senders: Mapping[str, Sender],
        clock: Clock,
        lease_seconds: float = LEASE_SECONDS,
        metrics: Metrics | None = None,
    ) -> None:
        self._store = store
        self._senders = dict(senders)
        self._clock = clock
        self._lease_seconds = lease_seconds
        self._metrics: Metrics = metrics or NoMetrics()

    async def drain(
        self, *, limit: int = 200, recipients: frozenset[str] | None = None
    ) -> DrainReport:
        """Send what is due now, at most ``limit`` messages (only to ``recipients`` if given)."""
        if not self._senders or recipients == frozenset():
            return DrainReport()
        now = self._clock.now()
        async with self._store.unit_of_work() as uow:
            claimed = await uow.outbox.claim_due(
                now=now,
                platforms=frozenset(self._senders),
                limit=limit,
                lease_seconds=self._lease_seconds,
                recipients=recipients,
            )
            threads = {
                key: await uow.outbox.thread_message_id(key)
                for key in {row.thread_key for row in claimed if row.thread_key is not None}
            }
            await uow.commit()
        report = DrainReport()
        # A recipient whose earlier message must wait: their later ones wait until then too,
        # so that, due together, they are claimed in order.
        held: dict[str, datetime] = {}
        for row in claimed:
            if row.recipient in held:
                await self._retry(
                    row,
                    at=held[row.recipient],
                    error="waiting for an earlier message",
                    count_attempt=False,
                )
                self._metrics.send_retried(platform=row.platform)
                report = _add(report, retried=1)
                continue
            replaces = None
            if row.thread_key is not None and not row.payload.new_message:
                replaces = threads.get(row.thread_key)
            result = await self._send(row, replaces=replaces)
            outcome, retry_at = await self._record(row, result)
            self._count(row, result, retried=retry_at is not None)
            report = _add(report, **{outcome: 1})
            if retry_at is not None:
                held[row.recipient] = retry_at
            elif row.thread_key is not None and result.platform_message_id is not None:
                threads[row.thread_key] = result.platform_message_id
        return report

    async def drain_all(
        self, *, limit: int = 200, rounds: int = 1000, recipients: frozenset[str] | None = None
    ) -> DrainReport:
        """Drain until nothing is due right now (retries wait for their time)."""
        total = DrainReport()
        for _ in range(rounds):
            report = await self.drain(limit=limit, recipients=recipients)
            total = _add(total, sent=report.sent, retried=report.retried, failed=report.failed)
            if report.handled < limit or report.sent + report.failed == 0:
                break  # nothing more is due now, or only retries are left
        return total

    def _count(self, row: OutboxMessage, result: SendResult, *, retried: bool) -> None:
        platform = row.platform
        self._metrics.delivery(platform=platform, result=delivery_result(row, result))
        if result.rate_limited:
            self._metrics.rate_limited(platform=platform)
        if retried:
            self._metrics.send_retried(platform=platform)

    async def _send(self, row: OutboxMessage, *, replaces: str | None) -> SendResult:
        sender = self._senders[row.platform]
        try:
            return await sender.send(row.payload, replaces=replaces)
        except Exception as exc:  # a sender bug or network fault must not lose the message
            logger.exception("sending outbox message %s failed", row.message_id)
            return SendResult(outcome=SendOutcome.RETRY, error=f"{type(exc).__name__}: {exc}")

    async def _record(self, row: OutboxMessage, result: SendResult) -> tuple[str, datetime | None]:
        """Keep the outcome; returns how it counts and, for a retry, when it is due again."""
        try:
            outcome, retry_at = await self._record_outcome(row, result)
        except KeyError:
            # The recipient erased their data while this message was on its way.
            logger.info("outbox message %s is gone; nothing to record", row.message_id)
            return "failed", None
        if retry_at is None and (row.payload.ephemeral or row.payload.farewell):
            await self._forget_settled(row)
        return outcome, retry_at

    async def _forget_settled(self, row: OutboxMessage) -> None:
        """Drop a settled message that carried personal data, and after a farewell, the address."""
        assert row.message_id is not None
        async with self._store.unit_of_work() as uow:
            with contextlib.suppress(KeyError):
                await uow.outbox.delete(row.message_id)
            if row.payload.farewell and await uow.tombstones.contains(
                tombstone_mark(row.recipient)
            ):
                await uow.addresses.delete(row.recipient)
            await uow.commit()

    async def _record_outcome(
        self, row: OutboxMessage, result: SendResult
    ) -> tuple[str, datetime | None]:
        assert row.message_id is not None
        now = self._clock.now()
        if result.outcome is SendOutcome.SENT:
            async with self._store.unit_of_work() as uow:
                await uow.outbox.mark_sent(
                    row.message_id, platform_message_id=result.platform_message_id, now=now
                )
                await uow.commit()
            return "sent", None
        if result.outcome is SendOutcome.DEFERRED:
            wait = result.retry_after if result.retry_after is not None else 1.0
            at = now + timedelta(seconds=wait)
            await self._retry(row, at=at, error=result.error or "deferred", count_attempt=False)
            return "retried", at
        if result.outcome is SendOutcome.RETRY and row.attempts < MAX_ATTEMPTS:
            wait = result.retry_after if result.retry_after is not None else backoff(row.attempts)
            at = now + timedelta(seconds=wait)
            await self._retry(row, at=at, error=result.error or "retry")
            return "retried", at
        error = result.error or result.outcome.value
        logger.warning(
            "giving up on outbox message %s (%s): %s", row.message_id, row.platform, error
        )
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_failed(row.message_id, error=error, now=now)
            await uow.commit()
        return "failed", None

    async def _retry(
        self, row: OutboxMessage, *, at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        assert row.message_id is not None
        async with self._store.unit_of_work() as uow:
            try:
                await uow.outbox.mark_retry(
                    row.message_id, next_attempt_at=at, error=error, count_attempt=count_attempt
                )
            except KeyError:
                logger.info("outbox message %s is gone; not retrying", row.message_id)
                return
            await uow.commit()


def delivery_result(row: OutboxMessage, result: SendResult) -> DeliveryResult:
    """How an attempt counts: its outcome, or ``gave_up`` for the last retry allowed."""
    match result.outcome:
        case SendOutcome.SENT:
            return DeliveryResult.SENT
        case SendOutcome.DEFERRED:
            return DeliveryResult.DEFERRED
        case SendOutcome.RETRY:
            return DeliveryResult.RETRY if row.attempts < MAX_ATTEMPTS else DeliveryResult.GAVE_UP
        case SendOutcome.UNREACHABLE:
            return DeliveryResult.UNREACHABLE
        case SendOutcome.INACTIVE:
            return DeliveryResult.INACTIVE


def _add(report: DrainReport, *, sent: int = 0, retried: int = 0, failed: int = 0) -> DrainReport:
    return DrainReport(
        sent=report.sent + sent, retried=report.retried + retried, failed=report.failed + failed
    )
