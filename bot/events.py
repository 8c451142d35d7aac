"""Everything that can happen to Ripple, in the core's own words.

Adapters hand the core one of the typed events of ``Event``, each carrying exactly its
own fields and an ``Origin`` (who, when, from where); the core matches them exhaustively.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias, TypeVar


class EventKind(enum.StrEnum):
    """A name for each kind of event; ``Requested`` carries one of the ``REQUESTS``."""

    CHECKIN = "checkin"  # the person asks to check in now
    CAPACITY = "capacity"
    SNOOZE = "snooze"
    ANSWER = "answer"
    SKIP = "skip"
    NOTE = "note"
    PAUSE = "pause"
    RESUME = "resume"
    HISTORY = "history"
    EXPORT = "export"
    FORGET = "forget"  # asks for confirmation
    FORGET_CONFIRMED = "forget_confirmed"
    SUMMARY = "summary"
    WEB = "web"  # a sign-in link to the web view, for managers and admins
    HELP = "help"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"


class Capacity(enum.StrEnum):
    NOW = "now"
    LATER = "later"
    REST = "rest"


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
        EventKind.WEB,
        EventKind.HELP,
    )
}


_E = TypeVar("_E", bound=enum.StrEnum)


class SnoozePreset(enum.StrEnum):
    IN_1H = "in_1h"
    THIS_AFTERNOON = "this_afternoon"
    TOMORROW_MORNING = "tomorrow_morning"


class NoteChoice(enum.StrEnum):
    NONE = "none"
    PRIVATE = "private"
    SHARED = "shared"


# What a person can ask for by a word (or a button that says it), on any platform.
REQUESTS = frozenset(COMMAND_EVENTS.values())


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Who did something, when, and where from, as the platform vouches for it.

    ``event_id`` is the platform's delivery id when it has one (the core ignores an id it
    has already handled); ``address`` is the adapter's route back to the person, kept
    only if the event is.
    """

    person_id: str
    occurred_at: datetime
    channel_id: str | None = None
    event_id: str | None = None
    display_name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    address: str | None = None


@dataclass(frozen=True, kw_only=True)
class Requested:
    """The person asked for something by name: check in, pause, history, help, ..."""

    origin: Origin
    request: EventKind

    def __post_init__(self) -> None:
        if self.request not in REQUESTS:
            raise ValueError(f"{self.request} is not something a person asks for by name")


@dataclass(frozen=True, kw_only=True)
class CapacityChosen:
    origin: Origin
    round_id: str | None
    capacity: Capacity


@dataclass(frozen=True, kw_only=True)
class SnoozeChosen:
    """Later: until a preset, or until a time the person picked (naive: their local time).

    Neither means the person asked for a time Ripple could not read; they are asked again.
    """

    origin: Origin
    round_id: str | None
    preset: SnoozePreset | None = None
    until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Answered:
    """An answer, tapped or typed; the core checks it against the question."""

    origin: Origin
    round_id: str | None
    question_id: str | None
    value: str


@dataclass(frozen=True, kw_only=True)
class Skipped:
    origin: Origin
    round_id: str | None
    question_id: str | None


@dataclass(frozen=True, kw_only=True)
class NoteChosen:
    origin: Origin
    round_id: str | None
    choice: NoteChoice
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class ForgetAnswered:
    """The answer to "erase everything?": ``confirmed`` only for an explicit yes."""

    origin: Origin
    confirmed: bool


@dataclass(frozen=True, kw_only=True)
class MemberJoined:
    origin: Origin
    channel_id: str


@dataclass(frozen=True, kw_only=True)
class MemberLeft:
    origin: Origin
    channel_id: str


Event: TypeAlias = (
    Requested
    | CapacityChosen
    | SnoozeChosen
    | Answered
    | Skipped
    | NoteChosen
    | ForgetAnswered
    | MemberJoined
    | MemberLeft
)
# The events that move a check-in along (a Requested one only when it asks to check in).
TurnEvent: TypeAlias = Requested | CapacityChosen | SnoozeChosen | Answered | Skipped | NoteChosen
# What a person does for themselves, outside a check-in.
SelfServiceEvent: TypeAlias = Requested | ForgetAnswered
MemberEvent: TypeAlias = MemberJoined | MemberLeft


def requested(origin: Origin, word: str) -> Requested | None:
    """What a typed word asks for, if it is one of the words people can type."""
    kind = COMMAND_EVENTS.get(word.strip().lower())
    return None if kind is None else Requested(origin=origin, request=kind)


def requested_or_help(origin: Origin, word: str) -> Requested:
    """What a typed word asks for; a word that is not one of them asks for help."""
    return requested(origin, word) or Requested(origin=origin, request=EventKind.HELP)


def tapped(
    origin: Origin,
    *,
    action: str,
    value: str | None,
    round_id: str | None = None,
    question_id: str | None = None,
    text: str = "",
) -> Event | None:
    """The event a tap on a choice of a core question means (``action`` is the question's,
    or ``skip``); None when the tap names nothing the question offers."""
    if action == "skip":
        return Skipped(origin=origin, round_id=round_id, question_id=question_id)
    if action == "answer" and value is not None:
        return Answered(origin=origin, round_id=round_id, question_id=question_id, value=value)
    if action == "capacity" and (capacity := _read(Capacity, value)) is not None:
        return CapacityChosen(origin=origin, round_id=round_id, capacity=capacity)
    if action == "snooze" and (preset := _read(SnoozePreset, value)) is not None:
        return SnoozeChosen(origin=origin, round_id=round_id, preset=preset)
    if action == "note" and (choice := _read(NoteChoice, value)) is not None:
        kept = "" if choice is NoteChoice.NONE else text  # "no note" keeps nothing typed
        return NoteChosen(origin=origin, round_id=round_id, choice=choice, text=kept)
    if action == "forget" and value in ("yes", "no"):
        return ForgetAnswered(origin=origin, confirmed=value == "yes")
    return None


def _read(kind: type[_E], value: str | None) -> _E | None:
    try:
        return None if value is None else kind(value)
    except ValueError:
        return None
