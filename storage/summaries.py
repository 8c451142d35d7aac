"""Published summaries and each viewer's view of them, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.insights.aggregate import RoundCounts, SignalCounts
from bot.insights.published import Outcome, Published, View
from bot.model import RoundTerms
from bot.questions import SIGNAL_VALUES, Signal
from storage.statements import insert_if_absent
from storage.tables import SummaryRow, SummaryViewRow, table_of

_summaries = table_of(SummaryRow)
_views = table_of(SummaryViewRow)


def counts_to_json(counts: RoundCounts) -> dict[str, Any]:
    return {
        "respondents": counts.respondents,
        "rested": counts.rested,
        "signals": {s.signal.value: dict(s.values) for s in counts.signals},
        "notes": list(counts.shared_notes),
    }


def counts_from_json(data: dict[str, Any]) -> RoundCounts:
    stored = data.get("signals", {})
    return RoundCounts(
        respondents=int(data["respondents"]),
        rested=int(data["rested"]),
        signals=tuple(
            SignalCounts(
                signal=signal,
                values=tuple(
                    (value, int(stored.get(signal.value, {}).get(value, 0)))
                    for value in SIGNAL_VALUES[signal]
                ),
            )
            for signal in Signal
        ),
        shared_notes=tuple(data.get("notes", ())),
    )


def _published(row: RowMapping) -> Published:
    return Published(
        round_id=row["round_id"],
        channel_id=row["channel_id"],
        period=row["period"],
        scheduled_date=row["scheduled_date"],
        published_at=row["published_at"],
        terms=RoundTerms(
            k=row["k"],
            comment_threshold=row["comment_threshold"],
            epsilon=row["epsilon"],
            noise_budget=row["noise_budget"],
        ),
        members=row["members"],
        counts=None if row["counts"] is None else counts_from_json(row["counts"]),
        spent=row["spent"],
    )


def _view(row: RowMapping) -> View:
    return View(
        round_id=row["round_id"],
        viewer=row["viewer_id"],
        outcome=Outcome(row["outcome"]),
        hidden=frozenset(Signal(s) for s in row["hidden"]),
        notes=row["notes"],
        nudges=tuple(row["nudges"]),
        withheld_k=row["withheld_k"],
    )


class SqlSummaries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, published: Published, views: Sequence[View]) -> bool:
        values = {
            "round_id": published.round_id,
            "channel_id": published.channel_id,
            "period": published.period,
            "scheduled_date": published.scheduled_date,
            "published_at": published.published_at,
            "k": published.terms.k,
            "comment_threshold": published.terms.comment_threshold,
            "epsilon": published.terms.epsilon,
            "noise_budget": published.terms.noise_budget,
            "members": published.members,
            "counts": None if published.counts is None else counts_to_json(published.counts),
            "has_notes": published.counts is not None and bool(published.counts.shared_notes),
            "spent": published.spent,
        }
        if not await insert_if_absent(self._conn, SummaryRow, values):
            return False
        for view in views:
            await insert_if_absent(
                self._conn,
                SummaryViewRow,
                {
                    "round_id": view.round_id,
                    "viewer_id": view.viewer,
                    "outcome": view.outcome.value,
                    "hidden": sorted(s.value for s in view.hidden),
                    "notes": view.notes,
                    "nudges": list(view.nudges),
                    "withheld_k": view.withheld_k,
                },
            )
        return True

    async def get(self, round_id: str) -> Published | None:
        result = await self._conn.execute(
            select(_summaries).where(_summaries.c.round_id == round_id)
        )
        row = result.mappings().first()
        return None if row is None else _published(row)

    async def view(self, round_id: str, viewer: str) -> View | None:
        result = await self._conn.execute(
            select(_views).where(_views.c.round_id == round_id, _views.c.viewer_id == viewer)
        )
        row = result.mappings().first()
        return None if row is None else _view(row)

    async def recent(self, channel_id: str, *, until: date, limit: int) -> list[Published]:
        result = await self._conn.execute(
            select(_summaries)
            .where(_summaries.c.channel_id == channel_id, _summaries.c.scheduled_date <= until)
            .order_by(_summaries.c.scheduled_date.desc(), _summaries.c.round_id.desc())
            .limit(max(limit, 0))
        )
        return [_published(row) for row in result.mappings()]

    async def for_period(self, period: str) -> list[Published]:
        result = await self._conn.execute(
            select(_summaries)
            .where(_summaries.c.period == period)
            .order_by(_summaries.c.published_at, _summaries.c.round_id)
        )
        return [_published(row) for row in result.mappings()]

    async def spent(self, channel_id: str, *, start: date, end: date) -> float:
        result = await self._conn.execute(
            select(func.coalesce(func.sum(_summaries.c.spent), 0.0)).where(
                _summaries.c.channel_id == channel_id,
                _summaries.c.scheduled_date >= start,
                _summaries.c.scheduled_date < end,
            )
        )
        return float(result.scalar_one())

    async def delete_views_of(self, viewer: str) -> int:
        result = await self._conn.execute(delete(_views).where(_views.c.viewer_id == viewer))
        return result.rowcount

    async def clear_notes(self, round_id: str) -> bool:
        published = await self.get(round_id)
        if published is None or published.counts is None or not published.counts.shared_notes:
            return False
        data = counts_to_json(published.counts)
        data["notes"] = []
        await self._conn.execute(
            update(_summaries)
            .where(_summaries.c.round_id == round_id)
            .values(counts=data, has_notes=False)
        )
        return True

    async def clear_notes_before(self, cutoff: datetime) -> int:
        result = await self._conn.execute(
            select(_summaries.c.round_id).where(
                _summaries.c.published_at < cutoff, _summaries.c.has_notes.is_(True)
            )
        )
        cleared = 0
        for round_id in list(result.scalars()):
            cleared += await self.clear_notes(round_id)
        return cleared
