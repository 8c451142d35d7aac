"""In-memory twins of the outbox and processed-event ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.model import platform_of
from bot.outgoing import Outgoing
from bot.ports import OutboxBacklog, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from bot.memory import _State


class MemoryOutbox:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def add(self, message: Outgoing, *, now: datetime) -> bool:
        if message.idempotency_key in self._s.outbox_keys:
            return False
        message_id = self._s.next_outbox_id
        self._s.next_outbox_id += 1
        self._s.outbox[message_id] = OutboxMessage(
            message_id=message_id,
            idempotency_key=message.idempotency_key,
            platform=platform_of(message.recipient),
            recipient=message.recipient,
            thread_key=message.thread_key,
            payload=message,
            status=OutboxStatus.PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        self._s.outbox_keys[message.idempotency_key] = message_id
        return True

    async def get(self, idempotency_key: str) -> OutboxMessage | None:
        message_id = self._s.outbox_keys.get(idempotency_key)
        return None if message_id is None else self._s.outbox[message_id]

    async def claim_due(
        self,
        *,
        now: datetime,
        platforms: frozenset[str],
        limit: int,
        lease_seconds: float,
        recipients: frozenset[str] | None = None,
    ) -> list[OutboxMessage]:
        claimed: list[OutboxMessage] = []
        if limit <= 0:
            return claimed
        for message_id in sorted(self._s.outbox):
            row = self._s.outbox[message_id]
            claimable = row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
            wanted = recipients is None or row.recipient in recipients
            if claimable and wanted and row.platform in platforms and row.next_attempt_at <= now:
                row = replace(
                    row,
                    status=OutboxStatus.SENDING,
                    attempts=row.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=lease_seconds),
                )
                self._s.outbox[message_id] = row
                claimed.append(row)
                if len(claimed) >= limit:
                    break
        return claimed

    async def mark_sent(
        self, message_id: int, *, platform_message_id: str | None, now: datetime
    ) -> None:
        row = self._s.outbox[message_id]
        self._s.outbox[message_id] = replace(
            row,
            status=OutboxStatus.SENT,
            platform_message_id=platform_message_id,
            sent_at=now,
            last_error=None,
        )

    async def mark_retry(
        self, message_id: int, *, next_attempt_at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        row = self._s.outbox[message_id]
        self._s.outbox[message_id] = replace(
            row,
            status=OutboxStatus.PENDING,
            next_attempt_at=next_attempt_at,
            last_error=error,
            attempts=row.attempts if count_attempt else max(row.attempts - 1, 0),
        )

    async def mark_failed(self, message_id: int, *, error: str, now: datetime) -> None:
        row = self._s.outbox[message_id]
        self._s.outbox[message_id] = replace(
            row, status=OutboxStatus.FAILED, last_error=error, sent_at=now
        )

    async def thread_message_id(self, thread_key: str) -> str | None:
        sent = [
            row
            for row in self._s.outbox.values()
            if row.thread_key == thread_key
            and row.status is OutboxStatus.SENT
            and row.platform_message_id is not None
        ]
        if not sent:
            return None
        return max(sent, key=lambda r: r.message_id or 0).platform_message_id

    async def list_for_recipient(self, recipient: str) -> list[OutboxMessage]:
        return [
            self._s.outbox[i]
            for i in sorted(self._s.outbox)
            if self._s.outbox[i].recipient == recipient
        ]

    async def delete_for_recipient(self, recipient: str) -> int:
        ids = [i for i, row in self._s.outbox.items() if row.recipient == recipient]
        for message_id in ids:
            row = self._s.outbox.pop(message_id)
            self._s.outbox_keys.pop(row.idempotency_key, None)
        return len(ids)

    async def delete(self, message_id: int) -> None:
        row = self._s.outbox.pop(message_id)
        self._s.outbox_keys.pop(row.idempotency_key, None)

    async def list_with_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        return [
            self._s.outbox[i]
            for i in sorted(self._s.outbox)
            if self._s.outbox[i].idempotency_key.startswith(prefix)
        ]

    async def replace_payload(self, message_id: int, message: Outgoing) -> None:
        self._s.outbox[message_id] = replace(self._s.outbox[message_id], payload=message)

    async def purge_settled_before(self, cutoff: datetime) -> int:
        settled = (OutboxStatus.SENT, OutboxStatus.FAILED)
        old = [
            i
            for i, row in self._s.outbox.items()
            if (row.status in settled and row.sent_at is not None and row.sent_at < cutoff)
            or row.created_at < cutoff
        ]
        for message_id in old:
            await self.delete(message_id)
        return len(old)

    async def count_by_status(self) -> dict[OutboxStatus, int]:
        counts = dict.fromkeys(OutboxStatus, 0)
        for row in self._s.outbox.values():
            counts[row.status] += 1
        return counts

    async def backlog(self) -> OutboxBacklog:
        waiting = [
            row.created_at
            for row in self._s.outbox.values()
            if row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
        ]
        return OutboxBacklog(waiting=len(waiting), oldest_created_at=min(waiting, default=None))


class MemoryEvents:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def record(self, event_id: str, *, now: datetime) -> bool:
        if event_id in self._s.events:
            return False
        self._s.events[event_id] = now
        return True

    async def purge_before(self, cutoff: datetime) -> int:
        old = [event_id for event_id, at in self._s.events.items() if at < cutoff]
        for event_id in old:
            del self._s.events[event_id]
        return len(old)
