"""Pure numbers: coarse buckets, counts and trend metrics over one round's check-ins."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from bot.model import CheckIn, CheckInState
from bot.questions import SIGNAL_VALUES, Signal

BUCKETS: Mapping[Signal, tuple[tuple[str, frozenset[str]], ...]] = MappingProxyType(
    {
        Signal.WORKLOAD: (
            ("low", frozenset({"1", "2"})),
            ("moderate", frozenset({"3"})),
            ("heavy", frozenset({"4", "5"})),
        ),
        Signal.ENERGY: (
            ("low", frozenset({"1", "2"})),
            ("ok", frozenset({"3"})),
            ("high", frozenset({"4", "5"})),
        ),
        Signal.EXTRA_HOURS: (
            ("none", frozenset({"none"})),
            ("some", frozenset({"some"})),
            ("many", frozenset({"many"})),
        ),
        Signal.COVERING: (
            ("no", frozenset({"no"})),
            ("yes", frozenset({"yes"})),
        ),
        Signal.REAL_REST: (
            ("yes", frozenset({"yes"})),
            ("partly", frozenset({"partly"})),
            ("no", frozenset({"no"})),
        ),
    }
)

# What one trend point measures, and the values it can range over (low, high).
TREND_RANGE: Mapping[Signal, tuple[int, int]] = MappingProxyType(
    {
        Signal.WORKLOAD: (1, 5),  # mean answer, 5 = heaviest
        Signal.ENERGY: (1, 5),  # mean answer, 5 = most energy
        Signal.EXTRA_HOURS: (0, 1),  # share answering "some" or "many"
        Signal.COVERING: (0, 1),  # share answering "yes"
        Signal.REAL_REST: (0, 1),  # share answering "no"
    }
)
_TREND_SHARE_VALUES: Mapping[Signal, tuple[str, ...]] = MappingProxyType(
    {
        Signal.EXTRA_HOURS: ("some", "many"),
        Signal.COVERING: ("yes",),
        Signal.REAL_REST: ("no",),
    }
)


def bucket_of(signal: Signal, value: str) -> str | None:
    """The coarse bucket an answer is counted in; None for a value the signal doesn't accept."""
    for name, values in BUCKETS[signal]:
        if value in values:
            return name
    return None


def tenths(part: int, whole: int) -> int:
    """``part / whole`` in tenths, to the nearest tenth with halves rounded up."""
    if whole <= 0:
        raise ValueError("a share needs a positive whole")
    return (20 * part + whole) // (2 * whole)


def round_to_tenth(value: Fraction) -> float:
    """A value rounded to one decimal place, halves up, as a float."""
    return int(value * 10 + Fraction(1, 2)) / 10


@dataclass(frozen=True, kw_only=True)
class SignalCounts:
    """How many completed check-ins gave each accepted value of one signal."""

    signal: Signal
    values: tuple[tuple[str, int], ...]  # every accepted value, in SIGNAL_VALUES order

    @property
    def answered(self) -> int:
        return sum(n for _, n in self.values)

    def count(self, *values: str) -> int:
        return sum(n for value, n in self.values if value in values)

    def bucket_counts(self) -> tuple[tuple[str, int], ...]:
        return tuple((name, self.count(*members)) for name, members in BUCKETS[self.signal])

    def trend_metric(self) -> Fraction | None:
        """The signal's trend value for this round; None when nobody answered it."""
        answered = self.answered
        if answered == 0:
            return None
        if self.signal in _TREND_SHARE_VALUES:
            return Fraction(self.count(*_TREND_SHARE_VALUES[self.signal]), answered)
        return Fraction(sum(int(value) * n for value, n in self.values), answered)


@dataclass(frozen=True, kw_only=True)
class RoundCounts:
    """Exact counts for one round. Never shown as such: privacy.py decides what is revealed."""

    respondents: int
    rested: int
    signals: tuple[SignalCounts, ...]  # one per Signal, in Signal order
    shared_notes: tuple[str, ...]  # sorted, so nothing about answer order survives

    def signal(self, signal: Signal) -> SignalCounts:
        return next(counts for counts in self.signals if counts.signal is signal)


def count_round(checkins: Iterable[CheckIn]) -> RoundCounts:
    """Count a round. Answers and shared notes come only from completed (done) check-ins."""
    respondents = 0
    rested = 0
    tallies: dict[Signal, Counter[str]] = {signal: Counter() for signal in Signal}
    notes: list[str] = []
    for checkin in checkins:
        if not checkin.responded:
            continue
        respondents += 1
        if checkin.state == CheckInState.RESTED:
            rested += 1
            continue
        for signal in Signal:
            value = checkin.answers.get(signal.value)
            if value is not None and value in SIGNAL_VALUES[signal]:
                tallies[signal][value] += 1
        if checkin.note_shared and checkin.note is not None and checkin.note.strip():
            notes.append(checkin.note.strip())
    return RoundCounts(
        respondents=respondents,
        rested=rested,
        signals=tuple(
            SignalCounts(
                signal=signal,
                values=tuple((value, tallies[signal][value]) for value in SIGNAL_VALUES[signal]),
            )
            for signal in Signal
        ),
        shared_notes=tuple(sorted(notes, key=lambda note: (note.casefold(), note))),
    )
