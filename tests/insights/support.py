"""Builders and a small YAML-backed prompt catalog for the insights tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.insights.privacy import Neighbour, Shape, decide_view, publishable_counts
from bot.insights.published import Published, Seen, View, seen_by
from bot.insights.render import render_digest
from bot.model import (
    Channel,
    ChannelConfig,
    CheckIn,
    CheckInState,
    Round,
    RoundStatus,
    RoundTerms,
    freeze,
)
from bot.outgoing import SummaryMessage
from bot.questions import QuestionSet

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
LOCALES = ("en", "es", "de")
CHANNEL_ID = "slack:T1:C1"
START = date(2026, 1, 5)


def _flatten(tree: Mapping[Any, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        assert isinstance(key, str), f"non-string key {key!r} under {prefix!r}"
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{path}."))
        else:
            assert isinstance(value, str), f"{path} is not a string"
            flat[path] = value
    return flat


def load_insight_messages(locale: str) -> dict[str, str]:
    with (PROMPTS / locale / "insights.yaml").open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle))


class FakeCatalog:
    """Reads only the insights YAML files; formats with str.format, falling back to English."""

    def __init__(self) -> None:
        self.messages = {locale: load_insight_messages(locale) for locale in LOCALES}

    def message(self, key: str, *, locale: str, **params: object) -> str:
        template = self.messages.get(locale, {}).get(key) or self.messages["en"][key]
        return template.format(**params)

    def question_set(self, name: str, *, locale: str) -> QuestionSet:
        raise NotImplementedError

    def locales(self) -> frozenset[str]:
        return frozenset(self.messages)

    def question_sets(self) -> frozenset[str]:
        return frozenset()


CATALOG = FakeCatalog()


def make_channel(
    *,
    k: int = 5,
    comment_threshold: int | None = None,
    nudges: bool = True,
    locale: str = "en",
) -> Channel:
    return Channel(
        channel_id=CHANNEL_ID,
        name="#design",
        config=ChannelConfig(
            k=k,
            comment_threshold=max(k, 10) if comment_threshold is None else comment_threshold,
            nudges=nudges,
            locale=locale,
            managers=frozenset({"slack:T1:UMANAGER"}),
        ),
    )


def make_round(week: int = 10, *, status: RoundStatus = RoundStatus.CLOSED) -> Round:
    scheduled = START + timedelta(weeks=week)
    opens = datetime(scheduled.year, scheduled.month, scheduled.day, 9, 30, tzinfo=UTC)
    period = f"{scheduled.isocalendar().year}-W{scheduled.isocalendar().week:02d}"
    return Round(
        round_id=Round.make_id(CHANNEL_ID, period),
        channel_id=CHANNEL_ID,
        period=period,
        scheduled_date=scheduled,
        opens_at=opens,
        closes_at=opens + timedelta(hours=72),
        status=status,
    )


def make_checkin(
    round_: Round,
    person: str,
    *,
    state: CheckInState = CheckInState.DONE,
    note: str | None = None,
    note_shared: bool = False,
    answers: Mapping[str, str] | None = None,
    **given: str,
) -> CheckIn:
    return CheckIn(
        round_id=round_.round_id,
        person_id=person,
        channel_id=round_.channel_id,
        state=state,
        due_at=round_.opens_at,
        delivered=True,
        answers=freeze({**(answers or {}), **given}),
        note=note,
        note_shared=note_shared,
        updated_at=round_.opens_at + timedelta(hours=1),
        completed_at=round_.opens_at + timedelta(hours=1) if state is CheckInState.DONE else None,
    )


def person(index: int) -> str:
    return f"slack:T1:UPERSON{index:03d}"


def team(round_: Round, answers: Sequence[Mapping[str, str]], *, start: int = 0) -> list[CheckIn]:
    """One done check-in per answers mapping, people numbered from ``start``."""
    return [
        make_checkin(round_, person(start + i), answers=given) for i, given in enumerate(answers)
    ]


def workloads(round_: Round, *values: str) -> list[CheckIn]:
    return team(round_, [{"workload": value} for value in values])


MANAGER = "slack:T1:UMANAGER"
TREND_PERIODS = 8


@dataclass(frozen=True)
class Summary:
    """One viewer's share of a round, published as the engine publishes it, and its digest."""

    published: Published
    view: View
    seen: Seen | None
    history: list[Seen | None]  # oldest first, ending with this round
    message: SummaryMessage

    def line(self, start: str) -> str:
        lines = [line for section in self.message.sections for line in section.lines]
        return next(line for line in lines if line.startswith(start))


def summarise(
    channel: Channel,
    round_: Round,
    checkins: Sequence[CheckIn],
    *,
    members: int | None = None,
    history: Sequence[tuple[Round, Sequence[CheckIn]]] = (),
    viewer: str = MANAGER,
    neighbours: Sequence[Neighbour] = (),
) -> Summary:
    """Publish ``round_`` for ``viewer``; ``history`` holds earlier rounds, newest first."""
    earlier = [summarise(channel, r, c, viewer=viewer).seen for r, c in reversed(history)]
    terms = RoundTerms.of(channel.config)
    counts = publishable_counts(checkins, terms=terms)
    view = decide_view(
        viewer=viewer,
        round_id=round_.round_id,
        counts=counts,
        terms=terms,
        shape=Shape.of(checkins),
        neighbours=neighbours,
    )
    published = Published(
        round_id=round_.round_id,
        channel_id=round_.channel_id,
        period=round_.period,
        scheduled_date=round_.scheduled_date,
        published_at=round_.closes_at,
        terms=terms,
        members=len(checkins) if members is None else members,
        counts=counts,
    )
    seen = seen_by(published, view)
    trail = [*earlier, seen][-TREND_PERIODS:]
    message = render_digest(
        published=published,
        view=view,
        history=trail,
        channel=channel.name,
        catalog=CATALOG,
        locale=channel.config.locale,
        recipient=viewer,
        idempotency_key=f"digest:{round_.round_id}:{viewer}",
    )
    return Summary(published=published, view=view, seen=seen, history=trail, message=message)
