"""Turns what a viewer may see of published rounds into digest, nudge and preview text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from bot.insights.aggregate import TREND_RANGE, bucket_of, round_to_tenth, tenths
from bot.insights.bands import Amount, amount, shares
from bot.insights.noise import noise_factor
from bot.insights.published import Outcome, Published, Seen, View
from bot.insights.sparkline import sparkline
from bot.outgoing import NudgeMessage, SummaryMessage, SummarySection, TrendChart, TrendSeries
from bot.ports import PromptCatalog
from bot.questions import Signal

LIST_SEPARATOR = ", "
BUCKET_SEPARATOR = "; "
MIN_TREND_POINTS = 2
CHART_SIGNALS = (Signal.WORKLOAD, Signal.ENERGY, Signal.REAL_REST)


class _Words:
    """The catalog in one locale, and which kinds of amounts a digest has used."""

    def __init__(self, catalog: PromptCatalog, locale: str) -> None:
        self.catalog, self.locale = catalog, locale
        self.used_words = self.used_percent = False

    def say(self, key: str, **params: object) -> str:
        return self.catalog.message(key, locale=self.locale, **params)

    def amount(self, part: int, whole: int, *, k: int) -> str:
        return self.shown(amount(part, whole, k=k))

    def shares(self, parts: Sequence[int], whole: int, *, k: int) -> list[str]:
        return [self.shown(shown) for shown in shares(parts, whole, k=k)]

    def shown(self, shown: Amount) -> str:
        if shown.in_words:
            self.used_words = True
        else:
            self.used_percent = True
        return self.say(f"amount.{shown.level.value}", percent=shown.percent)


def trend_point(seen: Seen | None, signal: Signal) -> float | None:
    """One week's point on a signal's trend line; None (a gap) where nothing was shown."""
    counts = seen.signal(signal) if seen is not None else None
    metric = counts.trend_metric() if counts is not None else None
    if metric is None:
        return None
    if TREND_RANGE[signal] == (0, 1):
        return tenths(metric.numerator, metric.denominator) / 10
    return round_to_tenth(Fraction(metric))


def _overview(seen: Seen, words: _Words) -> SummarySection:
    counts, k = seen.counts, seen.k
    lines = [
        words.say(
            "digest.participation",
            amount=words.amount(
                counts.respondents, max(seen.published.members, counts.respondents, 1), k=k
            ),
        )
    ]
    if counts.respondents > 0:
        lines.append(
            words.say(
                "digest.rest_share", amount=words.amount(counts.rested, counts.respondents, k=k)
            )
        )
    return SummarySection(heading=words.say("digest.overview_heading"), lines=tuple(lines))


def _signal_line(seen: Seen, signal: Signal, words: _Words) -> str:
    name = words.say(f"signal.{signal.value}")
    counts = seen.signal(signal)
    if counts is None or counts.answered == 0:
        return words.say("digest.signal_suppressed", signal=name)
    buckets = counts.bucket_counts()
    amounts = words.shares([count for _, count in buckets], counts.answered, k=seen.k)
    line = BUCKET_SEPARATOR.join(
        words.say(
            "digest.bucket_share",
            bucket=words.say(f"bucket.{signal.value}.{bucket}"),
            amount=shown,
        )
        for (bucket, _), shown in zip(buckets, amounts, strict=True)
    )
    return words.say("digest.signal_line", signal=name, buckets=line)


def _trend(history: Sequence[Seen | None], words: _Words) -> SummarySection | None:
    """Sparklines over ``history``, oldest first; a week not shown is a gap, never a zero."""
    lines = []
    for signal in Signal:
        points = [trend_point(seen, signal) for seen in history]
        if sum(point is not None for point in points) < MIN_TREND_POINTS:
            continue
        low, high = TREND_RANGE[signal]
        lines.append(
            words.say(
                "digest.trend_line",
                metric=words.say(f"digest.trend_metric.{signal.value}"),
                sparkline=sparkline(points, low=low, high=high),
            )
        )
    if not lines:
        return None
    lines.append(words.say("digest.trend_legend"))
    return SummarySection(heading=words.say("digest.trend_heading"), lines=tuple(lines))


def _chart_point(value: float | None, signal: Signal, words: _Words) -> str:
    if value is None:
        return words.say("digest.chart.gap")
    if TREND_RANGE[signal] == (0, 1):
        return f"{round(value * 100)}%"
    return f"{value:.1f}"


def _chart(
    history: Sequence[Seen | None], periods: Sequence[str], words: _Words
) -> TrendChart | None:
    """The trend of workload, energy and rest as chart data, with the same in words.

    None unless some signal has at least two weeks to draw; a week not shown is a gap.
    """
    if len(periods) != len(history):
        return None
    series = []
    for signal in CHART_SIGNALS:
        points = tuple(trend_point(seen, signal) for seen in history)
        if sum(point is not None for point in points) < MIN_TREND_POINTS:
            continue
        low, high = TREND_RANGE[signal]
        series.append(
            TrendSeries(
                signal=signal.value,
                label=words.say(f"digest.trend_metric.{signal.value}"),
                points=points,
                low=float(low),
                high=float(high),
            )
        )
    if not series:
        return None
    described = " ".join(
        words.say(
            "digest.chart.alt_line",
            metric=s.label,
            points=LIST_SEPARATOR.join(
                words.say(
                    "digest.chart.alt_point",
                    period=period,
                    value=_chart_point(value, Signal(s.signal), words),
                )
                for period, value in zip(periods, s.points, strict=True)
            ),
        )
        for s in series
    )
    title = words.say("digest.chart.title")
    return TrendChart(
        title=title,
        periods=tuple(periods),
        series=tuple(series),
        alt_text=words.say("digest.chart.alt", title=title, lines=described),
        gap_label=words.say("digest.chart.gap_legend"),
    )


def _section_text(section: SummarySection) -> str:
    return "\n".join([section.heading, *section.lines])


def _not_shown(published: Published, view: View | None, *, channel: str, words: _Words) -> str:
    if view is not None and view.outcome is Outcome.OVERLAP:
        return words.say("digest.withheld", channel=channel, k=view.withheld_k or published.terms.k)
    if view is not None and view.outcome is Outcome.BUDGET:
        return words.say("digest.budget_spent", channel=channel)
    return words.say("digest.suppressed")


def render_digest(
    *,
    published: Published,
    view: View | None,
    history: Sequence[Seen | None],
    channel: str,
    catalog: PromptCatalog,
    locale: str,
    recipient: str,
    idempotency_key: str,
    ephemeral: bool = False,
    periods: Sequence[str] = (),
    actions: Sequence[str] = (),
) -> SummaryMessage:
    """What a viewer reads of one published round.

    ``history`` is the viewer's share of the channel's recent published rounds, oldest
    first, ending with this one; rounds they were not shown are gaps in the trend.
    ``periods`` names the same rounds, for the chart's weeks; ``actions`` are the lines
    saying what the team decided in those weeks, shown beside the trend.
    """
    words = _Words(catalog, locale)
    title = words.say("digest.title", channel=channel, period=published.period)
    seen = history[-1] if history else None
    if seen is None or seen.published.round_id != published.round_id:
        return SummaryMessage(
            recipient=recipient,
            locale=locale,
            idempotency_key=idempotency_key,
            ephemeral=ephemeral,
            title=title,
            suppressed=True,
            sections=(),
            text=_not_shown(published, view, channel=channel, words=words),
        )
    overview = _overview(seen, words)
    signal_lines = [_signal_line(seen, signal, words) for signal in Signal]
    notes = []
    if words.used_percent:
        notes.append(words.say("digest.rounding"))
    if words.used_words:
        notes.append(words.say("digest.words"))
    if published.noisy and published.terms.noise_budget is not None:
        budget = published.terms.noise_budget
        notes.append(
            words.say("digest.noise", factor=f"{noise_factor(budget):.3g}", budget=f"{budget:g}")
        )
    sections = [
        overview,
        SummarySection(heading=words.say("digest.signals_heading"), lines=(*signal_lines, *notes)),
    ]
    trend = _trend(history, words)
    if trend is not None:
        sections.append(trend)
    if actions:
        sections.append(
            SummarySection(heading=words.say("loop.digest_heading"), lines=tuple(actions))
        )
    if seen.notes and seen.counts.shared_notes:
        sections.append(
            SummarySection(
                heading=words.say("digest.notes_heading"),
                lines=tuple(words.say("digest.note", note=n) for n in seen.counts.shared_notes),
            )
        )
    return SummaryMessage(
        recipient=recipient,
        locale=locale,
        idempotency_key=idempotency_key,
        ephemeral=ephemeral,
        title=title,
        suppressed=False,
        sections=tuple(sections),
        text="\n\n".join([title, *(_section_text(section) for section in sections)]),
        round_id=published.round_id,
        chart=_chart(history, periods, words),
    )


def nudge_message(
    *,
    rule: str,
    catalog: PromptCatalog,
    locale: str,
    recipient: str,
    idempotency_key: str,
    personal: bool = False,
    round_id: str | None = None,
    **params: object,
) -> NudgeMessage:
    """A nudge's pattern and suggested action, from ``nudge.<rule>.text`` and ``.action``."""
    return NudgeMessage(
        recipient=recipient,
        locale=locale,
        idempotency_key=idempotency_key,
        rule=rule,
        text=catalog.message(f"nudge.{rule}.text", locale=locale, **params),
        action=catalog.message(f"nudge.{rule}.action", locale=locale, **params),
        personal=personal,
        round_id=round_id,
    )


def preview_buckets(*, answers: Mapping[str, str], catalog: PromptCatalog, locale: str) -> str:
    """A person's own answers as the coarse buckets they are counted in, for the preview."""
    items = []
    for signal in Signal:
        value = answers.get(signal.value)
        bucket = bucket_of(signal, value) if value is not None else None
        if bucket is None:
            continue
        items.append(
            catalog.message(
                "preview_bucket.item",
                locale=locale,
                signal=catalog.message(f"preview_bucket.name.{signal.value}", locale=locale),
                bucket=catalog.message(f"preview_bucket.{signal.value}.{bucket}", locale=locale),
            )
        )
    if not items:
        return catalog.message("preview_bucket.none", locale=locale)
    return LIST_SEPARATOR.join(items)
