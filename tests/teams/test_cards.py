"""Outgoing messages as Adaptive Cards 1.5, and taps on them read back as core events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from microsoft_agents.activity import Activity

from adapters.teams.cards import NOTE_INPUT, SNOOZE_DATE_INPUT, SNOOZE_TIME_INPUT, render
from adapters.teams.translate import card_data, card_event, command_event
from bot.events import (
    Answered,
    Capacity,
    CapacityChosen,
    EventKind,
    ForgetAnswered,
    NoteChoice,
    NoteChosen,
    Requested,
    Skipped,
    SnoozeChosen,
)
from bot.outgoing import NudgeMessage, QuestionMessage, SummaryMessage, SummarySection, TextMessage
from bot.questions import Choice
from tests.teams import SAM, TENANT, catalog, load_activity

NOW = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


def question(**overrides: Any) -> QuestionMessage:
    fields: dict[str, Any] = {
        "recipient": SAM.person_id,
        "idempotency_key": "q",
        "thread_key": "t",
        "text": "How heavy was your workload?\n\nThink of the whole week.",
        "choices": tuple(Choice(value=str(n), label=f"{n}") for n in range(1, 6)),
        "action": "answer",
        "round_id": "r1",
        "question_id": "workload",
        "can_skip": True,
        "footer": "Question 1 of 5",
    }
    return QuestionMessage(**{**fields, **overrides})


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return card.get("actions", [])


@pytest.mark.parametrize(
    "message",
    [
        question(),
        question(action="capacity", can_skip=False, question_id=None),
        question(action="note", choices=(Choice(value="none", label="No note"),), can_skip=False),
        question(
            action="snooze", choices=(Choice(value="in_1h", label="In an hour"),), can_skip=False
        ),
        TextMessage(
            recipient="p", idempotency_key="k", text="Thanks.\n\nSee you.", footer="Help: 123"
        ),
        SummaryMessage(
            recipient="m",
            idempotency_key="k",
            title="Check-in summary for #design, 2026-W41",
            suppressed=False,
            sections=(SummarySection(heading="This week", lines=("Checked in: 80%",)),),
            text="…",
        ),
        NudgeMessage(recipient="m", idempotency_key="k", rule="r", text="Heavy.", action="Rest."),
    ],
    ids=["question", "gate", "note", "snooze", "text", "summary", "nudge"],
)
def test_every_card_is_adaptive_card_1_5_with_execute_taps_that_fall_back_to_submit(
    message,
) -> None:
    card = render(message, catalog=catalog())

    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["fallbackText"]
    assert all(block.get("wrap", True) for block in card["body"] if block["type"] == "TextBlock")
    for action in actions(card):
        assert action["type"] == "Action.Execute" and action["verb"] == "ripple"
        assert action["fallback"] == {
            "type": "Action.Submit",
            "title": action["title"],
            "data": action["data"],
            **({"style": action["style"]} if "style" in action else {}),
        }
    assert len(json.dumps(card)) < 28_000  # Teams' message size limit


def test_a_question_card_carries_its_choices_skip_and_progress() -> None:
    card = render(question(), catalog=catalog())

    assert [a["data"] for a in actions(card)][:2] == [
        {"ripple": "answer", "round": "r1", "question": "workload", "value": "1"},
        {"ripple": "answer", "round": "r1", "question": "workload", "value": "2"},
    ]
    assert actions(card)[-1]["title"] == "Skip this one"
    assert actions(card)[-1]["data"]["ripple"] == "skip"
    assert [b["text"] for b in card["body"]] == [
        "How heavy was your workload?",
        "Think of the whole week.",
        "Question 1 of 5",
    ]


def test_the_gate_favours_no_choice_but_marks_yes_as_the_positive_one() -> None:
    gate = question(
        action="capacity",
        choices=tuple(Choice(value=v, label=v) for v in ("now", "later", "rest")),
        can_skip=False,
    )

    styles = [a.get("style") for a in actions(render(gate, catalog=catalog()))]

    assert styles == ["positive", None, None]


def test_labels_of_the_card_itself_follow_the_message_locale() -> None:
    note = question(action="note", choices=(), can_skip=False, locale="es")

    (note_input,) = [
        b for b in render(note, catalog=catalog())["body"] if b.get("id") == NOTE_INPUT
    ]

    assert note_input["label"] == "Tu nota (opcional)"
    assert note_input["maxLength"] == 1000


def test_a_suppressed_summary_says_only_that() -> None:
    summary = SummaryMessage(
        recipient="m",
        idempotency_key="k",
        title="Check-in summary for #research, 2026-W41",
        suppressed=True,
        sections=(),
        text="Not enough responses to share this week.",
    )

    card = render(summary, catalog=catalog())

    assert [b["text"] for b in card["body"]] == [
        "Check-in summary for #research, 2026-W41",
        "Not enough responses to share this week.",
    ]


def tap(data: dict[str, Any], *, invoke: bool = True) -> Activity:
    fields = {
        **SAM.fields(),
        "service_url": "https://smba.trafficmanager.net/emea/",
        "tenant_id": TENANT,
        "app_id": "bot",
        "activity_id": "1:77",
        "conversation_id": SAM.conversation_id,
        "conversation_type": "personal",
        "reply_to_id": "1:70",
        "title": "t",
    }
    if invoke:
        raw = load_activity("card_action_invoke", **fields)
        raw["value"]["action"]["data"] = data
    else:
        raw = load_activity("card_submit_message", **fields)
        raw["value"] = data
    return Activity.model_validate(raw)


@pytest.mark.parametrize("invoke", [True, False], ids=["execute", "submit"])
def test_a_tap_becomes_the_event_its_question_names(invoke: bool) -> None:
    activity = tap(
        {"ripple": "answer", "round": "r1", "question": "energy", "value": "2"}, invoke=invoke
    )

    tapped = card_event(activity, card_data(activity), now=NOW)

    assert isinstance(tapped, Answered)
    assert (tapped.round_id, tapped.question_id, tapped.value) == ("r1", "energy", "2")
    origin = tapped.origin
    assert origin.person_id == SAM.person_id
    assert (origin.locale, origin.timezone) == ("en-US", "Europe/Berlin")
    assert origin.event_id == f"teams:{SAM.conversation_id}:1:77"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"ripple": "note", "value": "none", NOTE_INPUT: "typed anyway"},
            {"type": NoteChosen, "choice": NoteChoice.NONE, "text": ""},  # nothing typed kept
        ),
        (
            {"ripple": "note", "value": "shared", NOTE_INPUT: "Too many meetings"},
            {"type": NoteChosen, "choice": NoteChoice.SHARED, "text": "Too many meetings"},
        ),
        (
            {"ripple": "note", "value": "private"},
            {"type": NoteChosen, "choice": NoteChoice.PRIVATE, "text": ""},
        ),
        ({"ripple": "skip", "question": "covering"}, {"type": Skipped, "question_id": "covering"}),
        (
            {
                "ripple": "snooze",
                "value": "at",
                SNOOZE_DATE_INPUT: "2026-10-06",
                SNOOZE_TIME_INPUT: "08:00",
            },
            # the person's local time
            {"type": SnoozeChosen, "preset": None, "until": datetime(2026, 10, 6, 8, 0)},
        ),
        (
            {"ripple": "snooze", "value": "at", SNOOZE_TIME_INPUT: "08:00"},
            # no date: a time Ripple can't read, asked again
            {"type": SnoozeChosen, "preset": None, "until": None},
        ),
        ({"ripple": "forget", "value": "yes"}, {"type": ForgetAnswered, "confirmed": True}),
        (
            {"ripple": "capacity", "value": "rest"},
            {"type": CapacityChosen, "capacity": Capacity.REST},
        ),
    ],
)
def test_notes_skips_snoozes_and_confirmations(data, expected) -> None:
    activity = tap(data)

    tapped = card_event(activity, card_data(activity), now=NOW)

    assert type(tapped) is expected.pop("type")
    assert {name: getattr(tapped, name) for name in expected} == expected


def test_a_choice_the_card_never_offered_is_no_tap() -> None:
    forged = tap({"ripple": "capacity", "value": "maybe"})
    assert card_event(forged, card_data(forged), now=NOW) is None


def test_data_that_is_not_ripples_is_no_tap() -> None:
    assert card_data(tap({"something": "else"})) is None
    assert card_event(tap({"ripple": "unknown"}), {"ripple": "unknown"}, now=NOW) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("checkin", EventKind.CHECKIN),
        ("  History please", EventKind.HISTORY),
        ("FORGET", EventKind.FORGET),
        ("export\xa0", EventKind.EXPORT),
        ("how do I use this", EventKind.HELP),
        ("", EventKind.HELP),
    ],
)
def test_typed_commands(text: str, kind: EventKind) -> None:
    raw = load_activity(
        "personal_message",
        **SAM.fields(),
        text=text,
        service_url="https://smba.trafficmanager.net/emea/",
        tenant_id=TENANT,
        app_id="bot",
        activity_id="1:5",
        conversation_id=SAM.conversation_id,
    )

    event = command_event(Activity.model_validate(raw), now=NOW)
    assert isinstance(event, Requested) and event.request is kind
