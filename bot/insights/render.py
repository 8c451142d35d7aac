"""Turns what privacy.py reveals into digest, nudge and preview text via the prompt catalog."""

from __future__ import annotations

from collections.abc import Mapping

from bot.insights.aggregate import TREND_RANGE, bucket_of
from bot.insights.privacy import RoundSummary, SignalSummary
from bot.insights.sparkline import sparkline
from bot.model import Channel
from bot.outgoing import NudgeMessage, SummaryMessage, SummarySection
from bot.ports import PromptCatalog
from bot.questions import Signal

LIST_SEPARATOR = ", "
MIN_TREND_POINTS = 2


def _percent(share: float) -> int:
    return round(share * 100)


def _signal_line(summary: SignalSummary, *, catalog: PromptCatalog, locale: str) -> str:
    name = catalog.message(f"signal.{summary.signal.value}", locale=locale)
    if summary.suppressed:
        return catalog.message("digest.signal_suppressed", locale=locale, signal=name)
    shares = LIST_SEPARATOR.join(
        catalog.message(
            "digest.bucket_share",
            locale=locale,
            bucket=catalog.message(f"bucket.{summary.signal.value}.{bucket}", locale=locale),
            percent=_percent(share),
        )
        for bucket, share in summary.buckets
    )
    return catalog.message("digest.signal_line", locale=locale, signal=name, buckets=shares)


def _overview(summary: RoundSummary, *, catalog: PromptCatalog, locale: str) -> SummarySection:
    lines = []
    if summary.participation is not None:
        lines.append(
            catalog.message(
                "digest.participation", locale=locale, percent=_percent(summary.participation)
            )
        )
    if summary.rest_share is not None:
        lines.append(
            catalog.message(
                "digest.rest_share", locale=locale, percent=_percent(summary.rest_share)
            )
        )
    return SummarySection(
        heading=catalog.message("digest.overview_heading", locale=locale), lines=tuple(lines)
    )


def _trend(summary: RoundSummary, *, catalog: PromptCatalog, locale: str) -> SummarySection | None:
    lines = []
    for signal_summary in summary.signals:
        points = signal_summary.trend
        if sum(point is not None for point in points) < MIN_TREND_POINTS:
            continue
        low, high = TREND_RANGE[signal_summary.signal]
        lines.append(
            catalog.message(
                "digest.trend_line",
                locale=locale,
                metric=catalog.message(
                    f"digest.trend_metric.{signal_summary.signal.value}", locale=locale
                ),
                sparkline=sparkline(points, low=low, high=high),
            )
        )
    if not lines:
        return None
    lines.append(catalog.message("digest.trend_legend", locale=locale))
    return SummarySection(
        heading=catalog.message("digest.trend_heading", locale=locale), lines=tuple(lines)
    )


def _section_text(section: SummarySection) -> str:
    return "\n".join([section.heading, *section.lines])


def render_withheld(
    *,
    channel: Channel,
    period: str,
    k: int,
    catalog: PromptCatalog,
    recipient: str,
    idempotency_key: str,
) -> SummaryMessage:
    """In place of a digest that overlaps too closely with another the manager receives."""
    locale = channel.config.locale
    return SummaryMessage(
        recipient=recipient,
        locale=locale,
        idempotency_key=idempotency_key,
        title=catalog.message("digest.title", locale=locale, channel=channel.name, period=period),
        suppressed=True,
        sections=(),
        text=catalog.message("digest.withheld", locale=locale, channel=channel.name, k=k),
    )


def render_digest(
    *,
    summary: RoundSummary,
    channel: Channel,
    catalog: PromptCatalog,
    recipient: str,
    idempotency_key: str,
) -> SummaryMessage:
    """The manager digest for a round summary, in the channel's locale."""
    locale = channel.config.locale
    title = catalog.message(
        "digest.title", locale=locale, channel=channel.name, period=summary.period
    )
    if not summary.revealed:
        return SummaryMessage(
            recipient=recipient,
            locale=locale,
            idempotency_key=idempotency_key,
            title=title,
            suppressed=True,
            sections=(),
            text=catalog.message("digest.suppressed", locale=locale),
        )
    sections = [
        _overview(summary, catalog=catalog, locale=locale),
        SummarySection(
            heading=catalog.message("digest.signals_heading", locale=locale),
            lines=(
                *(
                    _signal_line(signal_summary, catalog=catalog, locale=locale)
                    for signal_summary in summary.signals
                ),
                catalog.message("digest.rounding", locale=locale),
            ),
        ),
    ]
    trend = _trend(summary, catalog=catalog, locale=locale)
    if trend is not None:
        sections.append(trend)
    if summary.shared_notes:
        sections.append(
            SummarySection(
                heading=catalog.message("digest.notes_heading", locale=locale),
                lines=tuple(
                    catalog.message("digest.note", locale=locale, note=note)
                    for note in summary.shared_notes
                ),
            )
        )
    return SummaryMessage(
        recipient=recipient,
        locale=locale,
        idempotency_key=idempotency_key,
        title=title,
        suppressed=False,
        sections=tuple(sections),
        text="\n\n".join([title, *(_section_text(section) for section in sections)]),
    )


def nudge_message(
    *,
    rule: str,
    catalog: PromptCatalog,
    locale: str,
    recipient: str,
    idempotency_key: str,
    personal: bool = False,
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
