"""In-memory twin of the published-summary port."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.insights.published import Published, View

if TYPE_CHECKING:
    from bot.memory import _State


class MemorySummaries:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def add(self, published: Published, views: Sequence[View]) -> bool:
        if any(view.round_id != published.round_id for view in views):
            raise ValueError("every view must be of the round being published")
        if published.round_id in self._s.summaries:
            return False
        self._s.summaries[published.round_id] = published
        for view in views:
            self._s.views.setdefault((view.round_id, view.viewer), view)
        return True

    async def get(self, round_id: str) -> Published | None:
        return self._s.summaries.get(round_id)

    async def view(self, round_id: str, viewer: str) -> View | None:
        return self._s.views.get((round_id, viewer))

    async def recent(self, channel_id: str, *, until: date, limit: int) -> list[Published]:
        found = [
            p
            for p in self._s.summaries.values()
            if p.channel_id == channel_id and p.scheduled_date <= until
        ]
        found.sort(key=lambda p: (p.scheduled_date, p.round_id), reverse=True)
        return found[: max(limit, 0)]

    async def for_period(self, period: str) -> list[Published]:
        found = [p for p in self._s.summaries.values() if p.period == period]
        return sorted(found, key=lambda p: (p.published_at, p.round_id))

    async def spent(self, channel_id: str, *, start: date, end: date) -> float:
        return sum(
            (
                p.spent
                for p in self._s.summaries.values()
                if p.channel_id == channel_id and start <= p.scheduled_date < end
            ),
            0.0,
        )

    async def delete_views_of(self, viewer: str) -> int:
        keys = [key for key in self._s.views if key[1] == viewer]
        for key in keys:
            del self._s.views[key]
        return len(keys)

    async def clear_notes(self, round_id: str) -> bool:
        published = self._s.summaries.get(round_id)
        if published is None or published.counts is None or not published.counts.shared_notes:
            return False
        counts = replace(published.counts, shared_notes=())
        self._s.summaries[round_id] = replace(published, counts=counts)
        return True

    async def clear_notes_before(self, cutoff: datetime) -> int:
        old = [p.round_id for p in self._s.summaries.values() if p.published_at < cutoff]
        return sum([await self.clear_notes(round_id) for round_id in old])


class MemoryTombstones:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def add(self, mark: str, *, now: datetime) -> None:
        self._s.tombstones.setdefault(mark, now)

    async def contains(self, mark: str) -> bool:
        return mark in self._s.tombstones

    async def remove(self, mark: str) -> bool:
        return self._s.tombstones.pop(mark, None) is not None
