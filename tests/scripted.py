"""Helpers that make a whole check-in a few readable lines, in tests and demos.

chat = Conversation(ripple, person_id="console:sam")
await chat.send(EventKind.CHECKIN)
await chat.press("now")
await chat.press("4")
assert "Question 2 of 5" in chat.last_text
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from bot.events import (
    REQUESTS,
    Event,
    EventKind,
    MemberJoined,
    MemberLeft,
    Origin,
    Requested,
    SnoozeChosen,
    tapped,
)
from bot.outgoing import Outgoing, QuestionMessage, SummaryMessage, TextMessage
from bot.ripple import Ripple

# One check-in, step by step, that every adapter replays to prove it stores the same thing:
# ("command", kind) sends a command, ("press", value) taps a choice on the last question,
# ("skip", "") skips it, ("note", text) finishes with a private note.
STANDARD_CHECKIN: tuple[tuple[str, str], ...] = (
    ("command", "checkin"),
    ("press", "now"),
    ("press", "4"),
    ("press", "2"),
    ("press", "some"),
    ("skip", ""),
    ("press", "partly"),
    ("note", "Release week. Fine, but tired."),
)
STANDARD_ANSWERS = {"workload": "4", "energy": "2", "extra_hours": "some", "real_rest": "partly"}
STANDARD_NOTE = "Release week. Fine, but tired."

# What a tap on a question means, by the question's action, in the tests' older shorthand.
ACTION_KINDS: dict[str, EventKind] = {
    "capacity": EventKind.CAPACITY,
    "snooze": EventKind.SNOOZE,
    "answer": EventKind.ANSWER,
    "note": EventKind.NOTE,
    "forget": EventKind.FORGET_CONFIRMED,
}
_ACTIONS = {kind: action for action, kind in ACTION_KINDS.items()} | {EventKind.SKIP: "skip"}


def event_of(
    kind: EventKind,
    *,
    origin: Origin,
    round_id: str | None = None,
    question_id: str | None = None,
    value: str | None = None,
    text: str | None = None,
) -> Event:
    """The typed event for a kind and value, as an adapter would make it.

    A snooze value ``at:<ISO time>`` is a picked time; a choice the question doesn't offer
    is sent as an answer nobody could tap, so the core's own refusal is what a test sees.
    """
    if kind in REQUESTS:
        return Requested(origin=origin, request=kind)
    if kind is EventKind.MEMBER_JOINED:
        assert origin.channel_id is not None
        return MemberJoined(origin=origin, channel_id=origin.channel_id)
    if kind is EventKind.MEMBER_LEFT:
        assert origin.channel_id is not None
        return MemberLeft(origin=origin, channel_id=origin.channel_id)
    if kind is EventKind.SNOOZE and value is not None and value.startswith("at:"):
        try:
            until: datetime | None = datetime.fromisoformat(value.removeprefix("at:"))
        except ValueError:
            until = None
        return SnoozeChosen(origin=origin, round_id=round_id, until=until)
    event = tapped(
        origin,
        action=_ACTIONS[kind],
        value=value,
        round_id=round_id,
        question_id=question_id,
        text=text or "",
    )
    if event is None:
        raise ValueError(f"no {kind} event has the value {value!r}")
    return event


def text_of(message: Outgoing) -> str:
    if isinstance(message, QuestionMessage | TextMessage):
        return message.text
    if isinstance(message, SummaryMessage):
        return message.text
    return f"{message.text}\n{message.action}"


@dataclass
class Conversation:
    """One person talking to Ripple through the core, as an adapter would."""

    ripple: Ripple
    person_id: str
    channel_id: str | None = None
    display_name: str | None = None
    replies: list[Outgoing] = field(default_factory=list)
    _ids: count[int] = field(default_factory=count)

    async def send(
        self,
        kind: EventKind,
        *,
        value: str | None = None,
        text: str | None = None,
        question_id: str | None = None,
        round_id: str | None = None,
        event_id: str | None = None,
    ) -> list[Outgoing]:
        origin = Origin(
            person_id=self.person_id,
            channel_id=self.channel_id,
            occurred_at=self.ripple.clock.now(),
            event_id=event_id,
            display_name=self.display_name,
        )
        event = event_of(
            kind,
            origin=origin,
            value=value,
            text=text,
            question_id=question_id,
            round_id=round_id,
        )
        new = await self.ripple.handle(event)
        self.replies.extend(new)
        return new

    @property
    def last(self) -> Outgoing:
        if not self.replies:
            raise AssertionError(f"{self.person_id} has had no reply yet")
        return self.replies[-1]

    @property
    def last_text(self) -> str:
        return text_of(self.last)

    @property
    def last_question(self) -> QuestionMessage:
        for message in reversed(self.replies):
            if isinstance(message, QuestionMessage):
                return message
        raise AssertionError(f"{self.person_id} has not been asked anything")

    async def press(self, value: str, *, event_id: str | None = None) -> list[Outgoing]:
        """Tap the choice ``value`` on the latest question."""
        question = self.last_question
        return await self.send(
            ACTION_KINDS[question.action],
            value=value,
            question_id=question.question_id,
            round_id=question.round_id,
            event_id=event_id,
        )

    async def skip(self) -> list[Outgoing]:
        question = self.last_question
        return await self.send(
            EventKind.SKIP, question_id=question.question_id, round_id=question.round_id
        )

    async def note(self, text: str, *, shared: bool = False) -> list[Outgoing]:
        question = self.last_question
        return await self.send(
            EventKind.NOTE,
            value="shared" if shared else "private",
            text=text,
            round_id=question.round_id,
        )

    async def play(self, script: Sequence[tuple[str, str]]) -> None:
        """Replay a script such as STANDARD_CHECKIN."""
        for verb, argument in script:
            if verb == "command":
                await self.send(EventKind(argument))
            elif verb == "press":
                await self.press(argument)
            elif verb == "skip":
                await self.skip()
            elif verb == "note":
                await self.note(argument)
            else:
                raise ValueError(f"unknown script step {verb!r}")
