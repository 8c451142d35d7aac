"""Typed events: each carries exactly its fields, and only what a question offers is one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.events import (
    REQUESTS,
    Answered,
    Capacity,
    CapacityChosen,
    EventKind,
    ForgetAnswered,
    NoteChoice,
    NoteChosen,
    Origin,
    Requested,
    Skipped,
    SnoozeChosen,
    SnoozePreset,
    requested,
    requested_or_help,
    tapped,
)

ORIGIN = Origin(person_id="chat:sam", occurred_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
ACTIONS = ("capacity", "snooze", "answer", "note", "forget", "skip")
# What each action's tap may carry into the core.
ALLOWED: dict[str, set[str | None]] = {
    "capacity": {c.value for c in Capacity},
    "snooze": {p.value for p in SnoozePreset},
    "note": {c.value for c in NoteChoice},
    "forget": {"yes", "no"},
    "skip": {None},
}
KINDS: dict[str, type] = {
    "capacity": CapacityChosen,
    "snooze": SnoozeChosen,
    "answer": Answered,
    "note": NoteChosen,
    "forget": ForgetAnswered,
    "skip": Skipped,
}
VALUES = st.none() | st.sampled_from(sorted(set().union(*ALLOWED.values()) - {None})) | st.text()


@settings(max_examples=500, deadline=None)
@given(action=st.sampled_from([*ACTIONS, "setup", ""]), value=VALUES, text=st.text(max_size=5))
def test_a_tap_is_an_event_only_for_a_choice_its_question_offers(
    action: str, value: str | None, text: str
) -> None:
    event = tapped(ORIGIN, action=action, value=value, round_id="r1", question_id="q1", text=text)
    if action not in KINDS or (action == "answer" and value is None):
        assert event is None
        return
    if action in ALLOWED and action != "skip" and value not in ALLOWED[action]:
        assert event is None
        return
    assert type(event) is KINDS[action]
    assert event.origin == ORIGIN
    match event:
        case CapacityChosen():
            assert (event.round_id, event.capacity) == ("r1", value)
        case SnoozeChosen():
            assert (event.round_id, event.preset, event.until) == ("r1", value, None)
        case Answered():
            assert (event.round_id, event.question_id, event.value) == ("r1", "q1", value)
        case Skipped():
            assert (event.round_id, event.question_id) == ("r1", "q1")
        case NoteChosen():
            assert (event.round_id, event.choice) == ("r1", value)
            assert event.text == ("" if value == "none" else text)
        case ForgetAnswered():
            assert event.confirmed is (value == "yes")


def test_a_request_is_only_something_a_person_asks_for_by_name() -> None:
    assert requested(ORIGIN, "  History ") == Requested(origin=ORIGIN, request=EventKind.HISTORY)
    assert requested(ORIGIN, "rest") is None
    for kind in EventKind:
        if kind in REQUESTS:
            assert Requested(origin=ORIGIN, request=kind).request is kind
        else:
            with pytest.raises(ValueError, match="not something a person asks for"):
                Requested(origin=ORIGIN, request=kind)


@pytest.mark.parametrize(
    ("word", "kind"),
    [("checkin", EventKind.CHECKIN), (" PAUSE ", EventKind.PAUSE), ("help", EventKind.HELP)]
    + [(word, EventKind.HELP) for word in ("", "rest", "setup", "hello", "check in")],
)
def test_a_typed_word_asks_for_its_command_and_anything_else_for_help(
    word: str, kind: EventKind
) -> None:
    assert requested_or_help(ORIGIN, word) == Requested(origin=ORIGIN, request=kind)
