"""Check-in rounds, unique per channel and period, in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Round, RoundStatus, RoundTerms
from storage.statements import insert_if_absent, upsert
from storage.tables import RoundRow, table_of

_rounds = table_of(RoundRow)


def _round(row: RowMapping) -> Round:
    return Round(
        round_id=row["round_id"],
        channel_id=row["channel_id"],
        period=row["period"],
        scheduled_date=row["scheduled_date"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        status=RoundStatus(row["status"]),
        digest_sent=row["digest_sent"],
        terms=RoundTerms(
            k=row["k"],
            comment_threshold=row["comment_threshold"],
            epsilon=row["epsilon"],
            noise_budget=row["noise_budget"],
        ),
    )


def _values(round_: Round) -> dict[str, Any]:
    return {
        "round_id": round_.round_id,
        "channel_id": round_.channel_id,
        "period": round_.period,
        "scheduled_date": round_.scheduled_date,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "status": round_.status.value,
        "digest_sent": round_.digest_sent,
        "k": round_.terms.k,
        "comment_threshold": round_.terms.comment_threshold,
        "epsilon": round_.terms.epsilon,
        "noise_budget": round_.terms.noise_budget,
    }


class SqlRounds:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, round_id: str) -> Round | None:
        result = await self._conn.execute(select(_rounds).where(_rounds.c.round_id == round_id))
        row = result.mappings().first()
        return None if row is None else _round(row)

    async def create(self, round_: Round) -> bool:
        return await insert_if_absent(self._conn, RoundRow, _values(round_))

    async def save(self, round_: Round) -> None:
        await upsert(self._conn, RoundRow, _values(round_), key=("round_id",))

    async def list_open(self) -> list[Round]:
        result = await self._conn.execute(
            select(_rounds)
            .where(_rounds.c.status == RoundStatus.OPEN.value)
            .order_by(_rounds.c.opens_at, _rounds.c.round_id)
        )
        return [_round(row) for row in result.mappings()]

    async def list_closed_without_digest(self) -> list[Round]:
        result = await self._conn.execute(
            select(_rounds)
            .where(
                _rounds.c.status == RoundStatus.CLOSED.value,
                _rounds.c.digest_sent.is_(False),
            )
            .order_by(_rounds.c.closes_at, _rounds.c.round_id)
        )
        return [_round(row) for row in result.mappings()]

    async def recent_closed(self, channel_id: str, *, limit: int) -> list[Round]:
        result = await self._conn.execute(
            select(_rounds)
            .where(
                _rounds.c.channel_id == channel_id,
                _rounds.c.status == RoundStatus.CLOSED.value,
            )
            .order_by(_rounds.c.scheduled_date.desc(), _rounds.c.round_id.desc())
            .limit(max(limit, 0))
        )
        return [_round(row) for row in result.mappings()]
