"""What teams decided to do about their published weeks, in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import ActionChoice, TeamAction
from storage.statements import upsert
from storage.tables import TeamActionRow, table_of

_actions = table_of(TeamActionRow)


def _action(row: RowMapping) -> TeamAction:
    return TeamAction(
        round_id=row["round_id"],
        channel_id=row["channel_id"],
        period=row["period"],
        choice=ActionChoice(row["choice"]) if row["choice"] else None,
        text=row["text"],
        rule=row["rule"],
        recorded_at=row["recorded_at"],
    )


class SqlActions:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def save(self, action: TeamAction) -> None:
        values = {
            "round_id": action.round_id,
            "channel_id": action.channel_id,
            "period": action.period,
            "choice": action.choice.value if action.choice else None,
            "text": action.text,
            "rule": action.rule,
            "recorded_at": action.recorded_at,
        }
        await upsert(self._conn, TeamActionRow, values, key=("round_id",))

    async def for_round(self, round_id: str) -> TeamAction | None:
        result = await self._conn.execute(select(_actions).where(_actions.c.round_id == round_id))
        row = result.mappings().first()
        return None if row is None else _action(row)

    async def recent(self, channel_id: str, *, limit: int) -> list[TeamAction]:
        result = await self._conn.execute(
            select(_actions)
            .where(_actions.c.channel_id == channel_id)
            .order_by(_actions.c.period.desc(), _actions.c.round_id.desc())
            .limit(limit)
        )
        return [_action(row) for row in result.mappings()]
