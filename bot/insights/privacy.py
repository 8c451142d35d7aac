"""The one place that decides what a manager may learn about a round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bot.insights.aggregate import (
    TREND_RANGE,
    RoundCounts,
    SignalCounts,
    count_round,
    round_to_tenth,
    tenths,
)
from bot.model import Channel, CheckIn, Round, RoundStatus
from bot.questions import Signal

TREND_PERIODS = 8

History = Sequence[tuple[Round, Sequence[CheckIn]]]


@dataclass(frozen=True, kw_only=True)
class SignalSummary:
    """What a manager may see of one signal: bucket shares in tenths, and its trend."""

    signal: Signal
    suppressed: bool
    buckets: tuple[
        tuple[str, float], ...
    ]  # bucket -> share, a multiple of 0.1; empty if suppressed
    trend: tuple[float | None, ...]  # oldest period first; None where nothing was revealed


@dataclass(frozen=True, kw_only=True)
class RoundSummary:
    """Everything a manager may see of one round, and nothing more: no exact counts, no ids."""

    round_id: str
    period: str
    revealed: bool
    participation: float | None  # share of members who responded, a multiple of 0.1
    rest_share: float | None  # share of respondents who chose rest, a multiple of 0.1
    signals: tuple[SignalSummary, ...]  # one per Signal when revealed; empty otherwise
    shared_notes: tuple[str, ...]  # sorted; empty unless the comment threshold is met

    @property
    def trend(self) -> Mapping[Signal, tuple[float | None, ...]]:
        return MappingProxyType({summary.signal: summary.trend for summary in self.signals})


def round_revealed(counts: RoundCounts, *, k: int) -> bool:
    return counts.respondents >= k


def signal_revealed(counts: SignalCounts, *, k: int) -> bool:
    return counts.answered >= k


def notes_revealed(counts: RoundCounts, *, k: int, comment_threshold: int) -> bool:
    return round_revealed(counts, k=k) and len(counts.shared_notes) >= max(comment_threshold, k)


def overlapping_groups_at_risk(*, groups: Mapping[str, frozenset[str]], k: int) -> frozenset[str]:
    """Groups one viewer sees that differ from another of them by 1 to k-1 people.

    Subtracting two such digests could isolate fewer than k people, so a caller
    sending several digests to the same manager should withhold the flagged ones.
    """
    at_risk: set[str] = set()
    names = sorted(groups)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            if not groups[first] & groups[second]:
                continue
            only_first = len(groups[first] - groups[second])
            only_second = len(groups[second] - groups[first])
            if 0 < only_first < k or 0 < only_second < k:
                at_risk.update((first, second))
    return frozenset(at_risk)


def revealed_counts(*, round_: Round, checkins: Sequence[CheckIn], k: int) -> RoundCounts | None:
    """A round's counts if anything about it may be revealed (closed, at least k responses)."""
    if round_.status != RoundStatus.CLOSED:
        return None
    counts = count_round(checkin for checkin in checkins if checkin.round_id == round_.round_id)
    return counts if round_revealed(counts, k=k) else None


def revealed_signal(counts: RoundCounts | None, signal: Signal, *, k: int) -> SignalCounts | None:
    """One signal's counts if that signal may be revealed for the round, else None."""
    if counts is None:
        return None
    signal_counts = counts.signal(signal)
    return signal_counts if signal_revealed(signal_counts, k=k) else None


def recent_counts(
    *,
    channel: Channel,
    round_: Round,
    checkins: Sequence[CheckIn],
    history: History,
    periods: int,
) -> tuple[RoundCounts | None, ...]:
    """Revealable counts of this round and up to ``periods - 1`` earlier ones, newest first.

    A period that may not be revealed (still open, too few responses, or not this
    channel's) is None: a gap, never a number.
    """
    if round_.status == RoundStatus.OPEN:
        raise ValueError(f"round {round_.round_id} is still open; nothing about it is shared")
    if round_.channel_id != channel.channel_id:
        raise ValueError(f"round {round_.round_id} does not belong to {channel.channel_id}")
    k = channel.config.k
    rounds = [(round_, checkins), *history[: periods - 1]]
    return tuple(
        revealed_counts(round_=r, checkins=c, k=k) if r.channel_id == channel.channel_id else None
        for r, c in rounds
    )


def _share(part: int, whole: int) -> float:
    return tenths(part, whole) / 10


def _trend_point(counts: RoundCounts | None, signal: Signal, *, k: int) -> float | None:
    signal_counts = revealed_signal(counts, signal, k=k)
    metric = signal_counts.trend_metric() if signal_counts is not None else None
    if metric is None:
        return None
    if TREND_RANGE[signal] == (0, 1):
        return _share(metric.numerator, metric.denominator)
    return round_to_tenth(metric)


def _signal_summary(
    signal: Signal, *, counts: RoundCounts, oldest_first: Sequence[RoundCounts | None], k: int
) -> SignalSummary:
    trend = tuple(_trend_point(period, signal, k=k) for period in oldest_first)
    signal_counts = revealed_signal(counts, signal, k=k)
    if signal_counts is None:
        return SignalSummary(signal=signal, suppressed=True, buckets=(), trend=trend)
    answered = signal_counts.answered
    return SignalSummary(
        signal=signal,
        suppressed=False,
        buckets=tuple(
            (bucket, _share(count, answered)) for bucket, count in signal_counts.bucket_counts()
        ),
        trend=trend,
    )


def summarise_round(
    *,
    channel: Channel,
    round_: Round,
    checkins: Sequence[CheckIn],
    members: int,
    history: History,
) -> RoundSummary:
    """What the managers of ``channel`` may see of a closed round.

    ``history`` holds the channel's earlier closed rounds, newest first, each with its
    check-ins; up to seven of them feed the trend.
    """
    recent = recent_counts(
        channel=channel, round_=round_, checkins=checkins, history=history, periods=TREND_PERIODS
    )
    counts = recent[0]
    if counts is None:
        return RoundSummary(
            round_id=round_.round_id,
            period=round_.period,
            revealed=False,
            participation=None,
            rest_share=None,
            signals=(),
            shared_notes=(),
        )
    config = channel.config
    oldest_first = recent[::-1]
    show_notes = notes_revealed(counts, k=config.k, comment_threshold=config.comment_threshold)
    return RoundSummary(
        round_id=round_.round_id,
        period=round_.period,
        revealed=True,
        participation=_share(counts.respondents, max(members, counts.respondents)),
        rest_share=_share(counts.rested, counts.respondents),
        signals=tuple(
            _signal_summary(signal, counts=counts, oldest_first=oldest_first, k=config.k)
            for signal in Signal
        ),
        shared_notes=counts.shared_notes if show_notes else (),
    )
