"""Published summaries: a closed round's figures, stored once, and each viewer's decision."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from bot.insights.aggregate import RoundCounts, SignalCounts
from bot.model import RoundTerms
from bot.questions import Signal


class Outcome(enum.StrEnum):
    """What one viewer was shown of a published round, decided when it was published."""

    SHOWN = "shown"
    TOO_FEW = "too_few"  # fewer than k people other than the viewer responded
    OVERLAP = "overlap"  # side by side with another group they see, it could isolate people
    BUDGET = "budget"  # the channel's noise budget for the quarter was spent


@dataclass(frozen=True, kw_only=True)
class Published:
    """A round's summary as published when it closed; only ever read back afterwards.

    ``counts`` is None when fewer than k people responded: then nothing about the round
    is kept, not even how many answered. With noise, the counts are the noisy ones.
    ``spent`` is the ε this publication took from the channel's quarterly budget.
    """

    round_id: str
    channel_id: str
    period: str
    scheduled_date: date
    published_at: datetime
    terms: RoundTerms
    members: int
    counts: RoundCounts | None
    spent: float = 0.0

    @property
    def noisy(self) -> bool:
        return self.spent > 0


@dataclass(frozen=True, kw_only=True)
class View:
    """One viewer's share of a published round: shown or not, and which parts are hidden."""

    round_id: str
    viewer: str
    outcome: Outcome
    hidden: frozenset[Signal] = frozenset()
    notes: bool = False
    nudges: tuple[str, ...] = ()
    withheld_k: int | None = None  # the k an overlap was judged with, for the message

    @property
    def shown(self) -> bool:
        return self.outcome is Outcome.SHOWN


@dataclass(frozen=True, kw_only=True)
class Seen:
    """What one viewer may read of one published round: its counts minus hidden signals."""

    published: Published
    counts: RoundCounts
    hidden: frozenset[Signal]
    notes: bool

    def signal(self, signal: Signal) -> SignalCounts | None:
        return None if signal in self.hidden else self.counts.signal(signal)

    @property
    def k(self) -> int:
        return self.published.terms.k


def seen_by(published: Published | None, view: View | None) -> Seen | None:
    """The part of ``published`` its viewer may read; None when it was not shown to them."""
    if published is None or view is None or not view.shown or published.counts is None:
        return None
    return Seen(published=published, counts=published.counts, hidden=view.hidden, notes=view.notes)
