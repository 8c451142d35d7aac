"""InboundEvent: everything that can happen to Ripple, in the core's own words."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


class EventKind(enum.StrEnum):
    CHECKIN = "checkin"  # the person asks to check in now
    CAPACITY = "capacity"  # value: now | later | rest
    SNOOZE = "snooze"  # value: in_1h | this_afternoon | tomorrow_morning | at:<ISO local time>
    ANSWER = "answer"  # question_id + value
    SKIP = "skip"  # question_id: leave this one out
    NOTE = "note"  # text (may be empty) + value: private | shared
    PAUSE = "pause"
    RESUME = "resume"
    HISTORY = "history"
    EXPORT = "export"
    FORGET = "forget"  # asks for confirmation
    FORGET_CONFIRMED = "forget_confirmed"
    SUMMARY = "summary"
    HELP = "help"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"


class Capacity(enum.StrEnum):
    NOW = "now"
    LATER = "later"
    REST = "rest"


@dataclass(frozen=True, kw_only=True)
class InboundEvent:
    """One thing a person did, translated by an adapter.

    ``event_id`` is the platform's delivery id when it has one (Slack ``event_id``,
    an interaction's action timestamp, a Teams activity id); the core ignores an id
    it has already processed. ``round_id`` names the check-in a button belongs to.
    ``address`` is the adapter's route back to the person, kept only if the event is.
    """

    kind: EventKind
    person_id: str
    occurred_at: datetime
    channel_id: str | None = None
    round_id: str | None = None
    question_id: str | None = None
    value: str | None = None
    text: str | None = None
    event_id: str | None = None
    display_name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    address: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


# What a person can type to Ripple, on any platform: each word is the event it sends.
COMMAND_EVENTS: dict[str, EventKind] = {
    kind.value: kind
    for kind in (
        EventKind.CHECKIN,
        EventKind.PAUSE,
        EventKind.RESUME,
        EventKind.HISTORY,
        EventKind.EXPORT,
        EventKind.FORGET,
        EventKind.SUMMARY,
        EventKind.HELP,
    )
}

# What a tap on a question's choice means, by the question's ``action``.
ACTION_EVENTS: dict[str, EventKind] = {
    "capacity": EventKind.CAPACITY,
    "snooze": EventKind.SNOOZE,
    "answer": EventKind.ANSWER,
    "note": EventKind.NOTE,
    "forget": EventKind.FORGET_CONFIRMED,
}
