"""Check-ins: one person's conversation state and answers in one round, in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import CheckIn, CheckInState, freeze
from storage.statements import insert_if_absent, prefix_upper_bound, upsert
from storage.tables import CheckInRow, RoundRow, table_of

_checkins = table_of(CheckInRow)
_rounds = table_of(RoundRow)


def _checkin(row: RowMapping) -> CheckIn:
    return CheckIn(
        round_id=row["round_id"],
        person_id=row["person_id"],
        channel_id=row["channel_id"],
        state=CheckInState(row["state"]),
        due_at=row["due_at"],
        delivered=row["delivered"],
        step=row["step"],
        answers=freeze(row["answers"]),
        note=row["note"],
        note_shared=row["note_shared"],
        snooze_until=row["snooze_until"],
        snoozes=row["snoozes"],
        reminders_sent=row["reminders_sent"],
        updated_at=row["updated_at"],
        completed_at=row["completed_at"],
    )


def _values(checkin: CheckIn) -> dict[str, Any]:
    return {
        "round_id": checkin.round_id,
        "person_id": checkin.person_id,
        "channel_id": checkin.channel_id,
        "state": checkin.state.value,
        "due_at": checkin.due_at,
        "delivered": checkin.delivered,
        "step": checkin.step,
        "answers": dict(checkin.answers),
        "note": checkin.note,
        "note_shared": checkin.note_shared,
        "snooze_until": checkin.snooze_until,
        "snoozes": checkin.snoozes,
        "reminders_sent": checkin.reminders_sent,
        "updated_at": checkin.updated_at,
        "completed_at": checkin.completed_at,
    }


class SqlCheckIns:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(
        self, round_id: str, person_id: str, *, for_update: bool = False
    ) -> CheckIn | None:
        query = select(_checkins).where(
            _checkins.c.round_id == round_id, _checkins.c.person_id == person_id
        )
        if for_update:
            query = query.with_for_update()  # PostgreSQL locks the row; SQLite ignores it
        row = (await self._conn.execute(query)).mappings().first()
        return None if row is None else _checkin(row)

    async def count_for_round(self, round_id: str) -> int:
        query = select(func.count()).select_from(_checkins).where(_checkins.c.round_id == round_id)
        return int((await self._conn.execute(query)).scalar_one())

    async def create(self, checkin: CheckIn) -> bool:
        return await insert_if_absent(self._conn, CheckInRow, _values(checkin))

    async def save(self, checkin: CheckIn) -> None:
        await upsert(self._conn, CheckInRow, _values(checkin), key=("round_id", "person_id"))

    async def list_for_round(self, round_id: str) -> list[CheckIn]:
        result = await self._conn.execute(
            select(_checkins)
            .where(_checkins.c.round_id == round_id)
            .order_by(_checkins.c.person_id)
        )
        return [_checkin(row) for row in result.mappings()]

    async def list_for_person(self, person_id: str) -> list[CheckIn]:
        result = await self._conn.execute(
            select(_checkins)
            .where(_checkins.c.person_id == person_id)
            .order_by(_checkins.c.due_at.desc(), _checkins.c.round_id.desc())
        )
        return [_checkin(row) for row in result.mappings()]

    async def list_needing_attention(self, now: datetime) -> list[CheckIn]:
        c = _checkins.c
        asked, answering = CheckInState.ASKED.value, CheckInState.ANSWERING.value
        result = await self._conn.execute(
            select(_checkins)
            .where(
                or_(
                    and_(c.state == asked, c.delivered.is_(False), c.due_at <= now),
                    and_(
                        c.state == CheckInState.SNOOZED.value,
                        c.snooze_until.is_not(None),
                        c.snooze_until <= now,
                    ),
                    and_(c.state.in_((asked, answering)), c.delivered.is_(True)),
                )
            )
            .order_by(c.due_at, c.round_id, c.person_id)
        )
        return [_checkin(row) for row in result.mappings()]

    async def delete_for_person(self, person_id: str) -> int:
        result = await self._conn.execute(
            delete(_checkins).where(_checkins.c.person_id == person_id)
        )
        return result.rowcount

    async def purge_closed_before(
        self, cutoff: datetime, *, person_prefix: str | None = None
    ) -> int:
        closed = select(_rounds.c.round_id).where(_rounds.c.closes_at < cutoff)
        query = delete(_checkins).where(_checkins.c.round_id.in_(closed.scalar_subquery()))
        if person_prefix is not None:
            query = query.where(_checkins.c.person_id >= person_prefix)
            bound = prefix_upper_bound(person_prefix)
            if bound is not None:
                query = query.where(_checkins.c.person_id < bound)
        result = await self._conn.execute(query)
        return result.rowcount
