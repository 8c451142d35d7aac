"""The one place that decides what a viewer may learn of a round, at publication."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from bot.insights.aggregate import RoundCounts, count_round
from bot.insights.published import Outcome, View
from bot.model import CheckIn, CheckInState, RoundTerms
from bot.questions import SIGNAL_VALUES, Signal

# What an erased person's placeholder keeps of an answer: that there was one, not what.
ERASED_ANSWER = "erased"


@dataclass(frozen=True, kw_only=True)
class Shape:
    """Who responded to a round and who answered each signal: what differencing compares."""

    respondents: frozenset[str]
    answered: Mapping[Signal, frozenset[str]]
    note_sharers: frozenset[str]

    @staticmethod
    def of(checkins: Iterable[CheckIn]) -> Shape:
        respondents: set[str] = set()
        answered: dict[Signal, set[str]] = {signal: set() for signal in Signal}
        sharers: set[str] = set()
        for checkin in checkins:
            if not checkin.responded:
                continue
            respondents.add(checkin.person_id)
            if checkin.state is not CheckInState.DONE:
                continue
            for signal in Signal:
                value = checkin.answers.get(signal.value)
                if value in SIGNAL_VALUES[signal] or value == ERASED_ANSWER:
                    answered[signal].add(checkin.person_id)
            if checkin.note_shared and checkin.note and checkin.note.strip():
                sharers.add(checkin.person_id)
        return Shape(
            respondents=frozenset(respondents),
            answered=MappingProxyType({s: frozenset(people) for s, people in answered.items()}),
            note_sharers=frozenset(sharers),
        )


@dataclass(frozen=True, kw_only=True)
class Neighbour:
    """Another group of the same period, already shown to the viewer, to compare against."""

    shape: Shape
    k: int
    hidden: frozenset[Signal]


def too_close(first: frozenset[str], second: frozenset[str], *, k: int) -> bool:
    """Whether subtracting one group's totals from the other's could isolate fewer than k.

    Disjoint and identical groups are safe; otherwise each side's surplus must be empty
    or at least k people.
    """
    if not first & second:
        return False
    only_first = len(first - second)
    only_second = len(second - first)
    return 0 < only_first < k or 0 < only_second < k


def publishable_counts(checkins: Sequence[CheckIn], *, terms: RoundTerms) -> RoundCounts | None:
    """A round's counts to keep, or None when fewer than k responded and nothing is kept.

    Shared notes are kept only when at least max(k, comment threshold) people shared one.
    """
    counts = count_round(checkins)
    if counts.respondents < terms.k:
        return None
    if len(counts.shared_notes) < max(terms.k, terms.comment_threshold):
        return replace(counts, shared_notes=())
    return counts


def decide_view(
    *,
    viewer: str,
    round_id: str,
    counts: RoundCounts | None,
    terms: RoundTerms,
    shape: Shape,
    neighbours: Sequence[Neighbour],
    budget_spent: bool = False,
) -> View:
    """What ``viewer`` is shown of a round, decided once, from its actual respondents.

    - The viewer's own answers never count towards the k that protects everyone else:
      at least k *other* people must have responded (and answered a signal, for it to show).
    - Against every group of the same period the viewer was already shown, the two
      respondent sets (and each signal's answerers) must not differ by 1 to k-1 people;
      a round that would is withheld, a signal that would is hidden.
    """
    k = terms.k
    if counts is None or len(shape.respondents - {viewer}) < k:
        return View(round_id=round_id, viewer=viewer, outcome=Outcome.TOO_FEW)
    if budget_spent:
        return View(round_id=round_id, viewer=viewer, outcome=Outcome.BUDGET)
    for other in neighbours:
        pair_k = max(k, other.k)
        if too_close(shape.respondents, other.shape.respondents, k=pair_k):
            return View(
                round_id=round_id, viewer=viewer, outcome=Outcome.OVERLAP, withheld_k=pair_k
            )
    hidden = {signal for signal in Signal if len(shape.answered[signal] - {viewer}) < k}
    for other in neighbours:
        pair_k = max(k, other.k)
        for signal in Signal:
            if signal in other.hidden:
                continue
            if too_close(shape.answered[signal], other.shape.answered[signal], k=pair_k):
                hidden.add(signal)
    others_sharing = len(shape.note_sharers - {viewer})
    notes = bool(counts.shared_notes) and others_sharing >= max(k, terms.comment_threshold)
    return View(
        round_id=round_id,
        viewer=viewer,
        outcome=Outcome.SHOWN,
        hidden=frozenset(hidden),
        notes=notes,
    )
