"""The outbox: durable, uniquely keyed outgoing messages and their delivery state, in SQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import platform_of
from bot.outgoing import Outgoing, outgoing_from_json, outgoing_to_json
from bot.ports import OutboxBacklog, OutboxMessage, OutboxStatus
from storage.statements import insert_if_absent, prefix_upper_bound
from storage.tables import OutboxRow, table_of

_outbox = table_of(OutboxRow)
_CLAIMABLE = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def _message(row: RowMapping) -> OutboxMessage:
    return OutboxMessage(
        message_id=row["message_id"],
        idempotency_key=row["idempotency_key"],
        platform=row["platform"],
        recipient=row["recipient"],
        thread_key=row["thread_key"],
        payload=outgoing_from_json(row["payload"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        platform_message_id=row["platform_message_id"],
        last_error=row["last_error"],
        sent_at=row["sent_at"],
    )


class SqlOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, message: Outgoing, *, now: datetime) -> bool:
        values = {
            "idempotency_key": message.idempotency_key,
            "platform": platform_of(message.recipient),
            "recipient": message.recipient,
            "thread_key": message.thread_key,
            "payload": outgoing_to_json(message),
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        return await insert_if_absent(self._conn, OutboxRow, values)

    async def get(self, idempotency_key: str) -> OutboxMessage | None:
        result = await self._conn.execute(
            select(_outbox).where(_outbox.c.idempotency_key == idempotency_key)
        )
        row = result.mappings().first()
        return None if row is None else _message(row)

    async def claim_due(
        self,
        *,
        now: datetime,
        platforms: frozenset[str],
        limit: int,
        lease_seconds: float,
        recipients: frozenset[str] | None = None,
    ) -> list[OutboxMessage]:
        if not platforms or limit <= 0 or recipients == frozenset():
            return []
        due = (
            select(_outbox.c.message_id)
            .where(
                _outbox.c.status.in_(_CLAIMABLE),
                _outbox.c.platform.in_(sorted(platforms)),
                _outbox.c.next_attempt_at <= now,
            )
            .order_by(_outbox.c.message_id)
            .limit(limit)
        )
        if recipients is not None:
            due = due.where(_outbox.c.recipient.in_(sorted(recipients)))
        if self._conn.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        # One UPDATE with the selection as a subquery claims atomically: SQLite takes its
        # write lock for the whole statement, PostgreSQL skips rows other claimers hold.
        result = await self._conn.execute(
            update(_outbox)
            .where(_outbox.c.message_id.in_(due.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING.value,
                attempts=_outbox.c.attempts + 1,
                next_attempt_at=now + timedelta(seconds=lease_seconds),
            )
            .returning(*_outbox.c)
        )
        claimed = [_message(row) for row in result.mappings()]
        claimed.sort(key=lambda m: m.message_id or 0)
        return claimed

    async def _update(self, message_id: int, **values: Any) -> None:
        result = await self._conn.execute(
            update(_outbox).where(_outbox.c.message_id == message_id).values(**values)
        )
        if result.rowcount == 0:
            raise KeyError(message_id)

    async def mark_sent(
        self, message_id: int, *, platform_message_id: str | None, now: datetime
    ) -> None:
        await self._update(
            message_id,
            status=OutboxStatus.SENT.value,
            platform_message_id=platform_message_id,
            sent_at=now,
            last_error=None,
        )

    async def mark_retry(
        self, message_id: int, *, next_attempt_at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        await self._update(
            message_id,
            status=OutboxStatus.PENDING.value,
            next_attempt_at=next_attempt_at,
            last_error=error,
            **({} if count_attempt else {"attempts": _outbox.c.attempts - 1}),
        )

    async def mark_failed(self, message_id: int, *, error: str, now: datetime) -> None:
        await self._update(
            message_id, status=OutboxStatus.FAILED.value, last_error=error, sent_at=now
        )

    async def thread_message_id(self, thread_key: str) -> str | None:
        result = await self._conn.execute(
            select(_outbox.c.platform_message_id)
            .where(
                _outbox.c.thread_key == thread_key,
                _outbox.c.status == OutboxStatus.SENT.value,
                _outbox.c.platform_message_id.is_not(None),
            )
            .order_by(_outbox.c.message_id.desc())
            .limit(1)
        )
        found: str | None = result.scalar()
        return found

    async def list_for_recipient(self, recipient: str) -> list[OutboxMessage]:
        result = await self._conn.execute(
            select(_outbox).where(_outbox.c.recipient == recipient).order_by(_outbox.c.message_id)
        )
        return [_message(row) for row in result.mappings()]

    async def delete_for_recipient(self, recipient: str) -> int:
        result = await self._conn.execute(delete(_outbox).where(_outbox.c.recipient == recipient))
        return result.rowcount

    async def delete(self, message_id: int) -> None:
        result = await self._conn.execute(delete(_outbox).where(_outbox.c.message_id == message_id))
        if result.rowcount == 0:
            raise KeyError(message_id)

    async def list_with_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        query = select(_outbox).where(_outbox.c.idempotency_key >= prefix)
        bound = prefix_upper_bound(prefix)
        if bound is not None:
            query = query.where(_outbox.c.idempotency_key < bound)
        result = await self._conn.execute(query.order_by(_outbox.c.message_id))
        return [_message(row) for row in result.mappings()]

    async def replace_payload(self, message_id: int, message: Outgoing) -> None:
        await self._update(message_id, payload=outgoing_to_json(message))

    async def purge_settled_before(self, cutoff: datetime) -> int:
        settled = (OutboxStatus.SENT.value, OutboxStatus.FAILED.value)
        result = await self._conn.execute(
            delete(_outbox).where(
                or_(
                    _outbox.c.status.in_(settled) & (_outbox.c.sent_at < cutoff),
                    _outbox.c.created_at < cutoff,
                )
            )
        )
        return result.rowcount

    async def count_by_status(self) -> dict[OutboxStatus, int]:
        counts = dict.fromkeys(OutboxStatus, 0)
        result = await self._conn.execute(
            select(_outbox.c.status, func.count()).group_by(_outbox.c.status)
        )
        for status, count in result:
            counts[OutboxStatus(status)] = count
        return counts

    async def backlog(self) -> OutboxBacklog:
        result = await self._conn.execute(
            select(func.count(), func.min(_outbox.c.created_at)).where(
                _outbox.c.status.in_(_CLAIMABLE)
            )
        )
        waiting, oldest = result.one()
        return OutboxBacklog(waiting=waiting, oldest_created_at=oldest)
