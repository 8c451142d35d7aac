"""Typed events: each carries exactly its fields, and only what a question offers is one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.events import (
    REQUESTS,
    Capacity,
    EventKind,
    NoteChoice,
    Origin,
    Requested,
    SnoozePreset,
    inbound,
    requested,
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
KINDS = {
    "capacity": EventKind.CAPACITY,
    "snooze": EventKind.SNOOZE,
    "answer": EventKind.ANSWER,
    "note": EventKind.NOTE,
    "forget": EventKind.FORGET_CONFIRMED,
    "skip": EventKind.SKIP,
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
    assert event is not None
    record = inbound(event)
    assert record.kind is KINDS[action]
    assert record.person_id == ORIGIN.person_id
    if action in ("capacity", "snooze", "note", "forget", "answer"):
        assert record.value == value
    if action == "note":
        assert record.text == ("" if value == "none" else text)


def test_a_request_is_only_something_a_person_asks_for_by_name() -> None:
    assert requested(ORIGIN, "  History ") == Requested(origin=ORIGIN, request=EventKind.HISTORY)
    assert requested(ORIGIN, "rest") is None
    for kind in EventKind:
        if kind in REQUESTS:
            assert inbound(Requested(origin=ORIGIN, request=kind)).kind is kind
        else:
            with pytest.raises(ValueError, match="not something a person asks for"):
                Requested(origin=ORIGIN, request=kind)
