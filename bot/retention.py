"""Retention: raw answers, notes and delivery records are kept only for a while.

Published summaries stay (their figures name nobody); their shared notes go with the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import datetime

from bot.context import Context
from bot.erasure import MARKER_PREFIX, MARKER_WINDOW

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PurgeReport:
    """How many of each kind of record a purge removed (or, in a dry run, would remove)."""

    checkins: int = 0  # answers and private notes, with erased people's placeholders
    outbox: int = 0  # messages delivered or given up on, with their contents
    events: int = 0  # processed platform event ids
    notes: int = 0  # published summaries whose shared notes were dropped
    addresses: int = 0  # addresses Ripple could no longer use

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def lines(self) -> list[str]:
        return [f"{f.name}: {getattr(self, f.name)}" for f in fields(self)]


async def purge_expired(ctx: Context, *, now: datetime, dry_run: bool = False) -> PurgeReport:
    """Delete what is older than the retention period; a dry run counts it and keeps it.

    Never less than three weeks: a round's answers are compared with those of every other
    group published in the same week, and a shorter window would let one slip through.
    """
    cutoff = now - max(ctx.retention, MARKER_WINDOW)
    async with ctx.store.unit_of_work() as uow:
        markers = await uow.checkins.purge_closed_before(
            now - MARKER_WINDOW, person_prefix=MARKER_PREFIX
        )
        report = PurgeReport(
            checkins=markers + await uow.checkins.purge_closed_before(cutoff),
            outbox=await uow.outbox.purge_settled_before(cutoff),
            events=await uow.events.purge_before(cutoff),
            notes=await uow.summaries.clear_notes_before(cutoff),
            addresses=await uow.addresses.purge_unreachable_before(cutoff),
        )
        if not dry_run:
            await uow.commit()
    if report.total and not dry_run:
        logger.info("purged records older than %s: %s", cutoff.date(), ", ".join(report.lines()))
    return report
