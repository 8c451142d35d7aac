"""Outgoing: platform-neutral messages the core asks adapters to deliver."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from bot.questions import Choice


@dataclass(frozen=True, kw_only=True)
class _Envelope:
    """Who gets a message, its unique key and the slot it updates in place.

    ``recipient`` is a person id (direct message) or a channel id. Messages that share
    a ``thread_key`` are one conversation: an adapter that can edit messages updates
    the earlier one instead of posting a new one.
    """

    recipient: str
    idempotency_key: str
    thread_key: str | None = None
    new_message: bool = False  # post afresh (and notify) even inside a thread
    locale: str = "en"  # the recipient's language, for an adapter's own labels (buttons, titles)
    # Deleted from the outbox once delivered (or given up on): replies that carry a
    # person's own data or a view of a summary need no copy once they have arrived.
    ephemeral: bool = False
    # The last message to someone who erased their data: once it is settled, their
    # address goes too.
    farewell: bool = False


@dataclass(frozen=True, kw_only=True)
class QuestionMessage(_Envelope):
    """A question with choices, answered with one tap. ``action`` says what a tap does."""

    text: str
    choices: tuple[Choice, ...]
    action: Literal["capacity", "snooze", "answer", "note", "forget"]
    round_id: str | None = None
    question_id: str | None = None
    step: int | None = None
    total_steps: int | None = None
    can_skip: bool = False
    footer: str | None = None
    kind: Literal["question"] = "question"


@dataclass(frozen=True, kw_only=True)
class TextMessage(_Envelope):
    text: str
    footer: str | None = None
    data: str | None = None  # a JSON document to attach, e.g. a person's data export
    kind: Literal["text"] = "text"


@dataclass(frozen=True, kw_only=True)
class SummarySection:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TrendSeries:
    """One signal's weekly points, oldest first; None is a week with nothing to show (a gap,
    never a zero). ``low`` and ``high`` are the ends of the signal's scale."""

    signal: str
    label: str
    points: tuple[float | None, ...]
    low: float
    high: float


@dataclass(frozen=True, kw_only=True)
class TrendChart:
    """The recent published weeks of a channel as a picture, and the same in words.

    ``periods`` label the weeks (oldest first), one per point of every series; ``alt_text``
    says everything the picture shows, for screen readers and platforms without images.
    """

    title: str
    periods: tuple[str, ...]
    series: tuple[TrendSeries, ...]
    alt_text: str
    gap_label: str  # what a gap means, for a legend


@dataclass(frozen=True, kw_only=True)
class SummaryMessage(_Envelope):
    """A manager digest. When ``suppressed`` it carries only the suppression sentence.

    ``round_id`` is the published round it shows, so a manager can record what the team will
    do about it; ``chart`` is the trend as a picture when there is enough to draw.
    """

    title: str
    suppressed: bool
    sections: tuple[SummarySection, ...]
    text: str  # the whole digest as plain text, for terminals and notifications
    round_id: str | None = None
    chart: TrendChart | None = None
    kind: Literal["summary"] = "summary"


@dataclass(frozen=True, kw_only=True)
class NudgeMessage(_Envelope):
    """A rest nudge: a pattern and one collective (or, for the person, private) action."""

    rule: str
    text: str
    action: str
    personal: bool = False
    round_id: str | None = None  # a team nudge's round, so a manager can record an action
    kind: Literal["nudge"] = "nudge"


Outgoing: TypeAlias = QuestionMessage | TextMessage | SummaryMessage | NudgeMessage


def outgoing_to_json(message: Outgoing) -> str:
    data: dict[str, Any] = {name: getattr(message, name) for name in message.__dataclass_fields__}
    if isinstance(message, QuestionMessage):
        data["choices"] = [{"value": c.value, "label": c.label} for c in message.choices]
    if isinstance(message, SummaryMessage):
        data["sections"] = [
            {"heading": s.heading, "lines": list(s.lines)} for s in message.sections
        ]
        data["chart"] = None if message.chart is None else _chart_to_json(message.chart)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def outgoing_from_json(raw: str) -> Outgoing:
    data: dict[str, Any] = json.loads(raw)
    kind = data.pop("kind")
    if kind == "question":
        data["choices"] = tuple(Choice(**c) for c in data["choices"])
        return QuestionMessage(**data)
    if kind == "text":
        return TextMessage(**data)
    if kind == "summary":
        data["sections"] = tuple(
            SummarySection(heading=s["heading"], lines=tuple(s["lines"])) for s in data["sections"]
        )
        chart = data.get("chart")
        data["chart"] = None if chart is None else _chart_from_json(chart)
        return SummaryMessage(**data)
    if kind == "nudge":
        return NudgeMessage(**data)
    raise ValueError(f"unknown outgoing message kind {kind!r}")


def _chart_to_json(chart: TrendChart) -> dict[str, Any]:
    return {
        "title": chart.title,
        "periods": list(chart.periods),
        "alt_text": chart.alt_text,
        "gap_label": chart.gap_label,
        "series": [
            {
                "signal": s.signal,
                "label": s.label,
                "points": list(s.points),
                "low": s.low,
                "high": s.high,
            }
            for s in chart.series
        ],
    }


def _chart_from_json(data: dict[str, Any]) -> TrendChart:
    return TrendChart(
        title=data["title"],
        periods=tuple(data["periods"]),
        alt_text=data["alt_text"],
        gap_label=data["gap_label"],
        series=tuple(
            TrendSeries(
                signal=s["signal"],
                label=s["label"],
                points=tuple(s["points"]),
                low=s["low"],
                high=s["high"],
            )
            for s in data["series"]
        ),
    )
