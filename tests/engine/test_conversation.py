"""The check-in conversation through the engine: gate, questions, note, done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.events import Capacity, CapacityChosen, EventKind, Origin, Requested, tapped
from bot.model import CheckInState
from bot.outgoing import QuestionMessage, TextMessage
from bot.ripple import Ripple
from tests.engine.conftest import CHANNEL, TEAM
from tests.scripted import STANDARD_ANSWERS, STANDARD_CHECKIN, STANDARD_NOTE, Conversation


async def stored(ripple: Ripple, person: str):
    async with ripple.store.unit_of_work() as uow:
        mine = await uow.checkins.list_for_person(person)
    assert mine, f"{person} has no check-in"
    return mine[0]


async def test_a_whole_checkin_stores_the_answers_and_previews_what_is_shared(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.play(STANDARD_CHECKIN)

    checkin = await stored(team, TEAM[0])
    assert checkin.state is CheckInState.DONE
    assert dict(checkin.answers) == STANDARD_ANSWERS
    assert checkin.note == STANDARD_NOTE
    assert checkin.note_shared is False
    done = chat.last
    assert isinstance(done, TextMessage)
    assert "Thank you" in done.text
    assert "What your manager will see" in done.text
    assert "workload: heavy" in done.text
    assert "at least 5 people respond" in done.text
    assert "Your note stays private" in done.text


async def test_the_gate_comes_first_and_questions_follow_in_order(team: Ripple):
    chat = Conversation(team, person_id=TEAM[1])
    await chat.send(EventKind.CHECKIN)
    gate = chat.last_question
    assert gate.action == "capacity"
    assert [c.value for c in gate.choices] == ["now", "later", "rest"]
    await chat.press("now")
    assert chat.last_question.question_id == "workload"
    assert chat.last_question.footer == "Question 1 of 5"
    await chat.press("3")
    assert chat.last_question.question_id == "energy"


async def test_the_preview_is_shown_before_the_person_finishes(team: Ripple):
    chat = Conversation(team, person_id=TEAM[1])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    for value in ("4", "2", "some", "no", "partly"):
        await chat.press(value)
    note_prompt = chat.last_question
    assert note_prompt.action == "note"
    assert "What your manager will see" in note_prompt.text
    assert "never your answers" in note_prompt.text


@pytest.mark.parametrize("bad", ["0", "6", "lots", "", "4.5"])
async def test_an_out_of_range_answer_is_refused_and_asked_again(team: Ripple, bad: str):
    chat = Conversation(team, person_id=TEAM[2])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    replies = await chat.press(bad)
    assert len(replies) == 1
    again = replies[0]
    assert isinstance(again, QuestionMessage)
    assert again.question_id == "workload"
    assert "isn't one of the choices" in again.text
    checkin = await stored(team, TEAM[2])
    assert checkin.step == 0
    assert "workload" not in checkin.answers


async def test_pressing_the_same_button_twice_changes_nothing(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    first = await stored(team, TEAM[0])
    assert await chat.send(EventKind.CAPACITY, value="now", round_id=first.round_id) == []
    await chat.press("4")
    after_one = await stored(team, TEAM[0])
    again = await chat.send(
        EventKind.ANSWER, value="4", question_id="workload", round_id=first.round_id
    )
    assert again == []
    assert await stored(team, TEAM[0]) == after_one


async def test_a_replayed_platform_event_is_ignored(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    round_id = chat.last_question.round_id
    first = await chat.send(EventKind.CAPACITY, value="now", round_id=round_id, event_id="Ev1")
    assert len(first) == 1
    assert await chat.send(EventKind.CAPACITY, value="now", round_id=round_id, event_id="Ev1") == []
    assert await chat.send(EventKind.HELP, event_id="Ev2") != []
    assert await chat.send(EventKind.HELP, event_id="Ev2") == []


async def test_an_answer_for_an_earlier_question_is_ignored(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    round_id = chat.last_question.round_id
    await chat.press("4")
    before = await stored(team, TEAM[0])
    late = await chat.send(EventKind.ANSWER, value="1", question_id="workload", round_id=round_id)
    assert late == []
    assert await stored(team, TEAM[0]) == before


async def test_questions_can_be_skipped(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    for _ in range(5):
        await chat.skip()
    await chat.send(EventKind.NOTE, value="none", round_id=chat.last_question.round_id)
    checkin = await stored(team, TEAM[0])
    assert checkin.state is CheckInState.DONE
    assert dict(checkin.answers) == {}
    assert checkin.note is None


async def test_choosing_rest_is_a_kind_and_complete_response(team: Ripple):
    chat = Conversation(team, person_id=TEAM[3])
    await chat.send(EventKind.CHECKIN)
    await chat.press("rest")
    checkin = await stored(team, TEAM[3])
    assert checkin.state is CheckInState.RESTED
    assert checkin.responded
    assert "Rest well" in chat.last_text
    assert "never who" in chat.last_text
    # Nothing more is asked, and asking again is answered warmly.
    assert await chat.send(EventKind.CAPACITY, value="now", round_id=checkin.round_id) == []
    await chat.send(EventKind.CHECKIN)
    assert "You chose rest this week" in chat.last_text


async def test_rest_midway_discards_the_partial_answers(team: Ripple):
    chat = Conversation(team, person_id=TEAM[3])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    await chat.press("5")
    await chat.send(EventKind.CAPACITY, value="rest", round_id=chat.last_question.round_id)
    checkin = await stored(team, TEAM[3])
    assert checkin.state is CheckInState.RESTED
    assert dict(checkin.answers) == {}


async def test_a_shared_note_is_marked_shared_and_the_preview_says_when_it_shows(team: Ripple):
    chat = Conversation(team, person_id=TEAM[4])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    for value in ("3", "3", "none", "no", "yes"):
        await chat.press(value)
    await chat.note("The new rota helps.", shared=True)
    checkin = await stored(team, TEAM[4])
    assert checkin.note_shared is True
    assert "at least 10 people share notes" in chat.last_text


async def test_a_note_that_is_too_long_is_refused_without_losing_the_answers(team: Ripple):
    chat = Conversation(team, person_id=TEAM[4])
    await chat.send(EventKind.CHECKIN)
    await chat.press("now")
    for value in ("3", "3", "none", "no", "yes"):
        await chat.press(value)
    await chat.note("x" * 1001)
    assert "longer than 1000 characters" in chat.last_text
    checkin = await stored(team, TEAM[4])
    assert checkin.state is CheckInState.ANSWERING
    assert len(checkin.answers) == 5


async def test_checkin_with_nothing_open_says_so(ripple: Ripple):
    chat = Conversation(ripple, person_id="console:stranger")
    await chat.send(EventKind.CHECKIN)
    assert "no check-in open" in chat.last_text


async def test_buttons_after_the_round_closed_get_a_clear_answer(team: Ripple, clock: ManualClock):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.send(EventKind.CHECKIN)
    clock.advance(timedelta(days=4))
    await team.tick()
    checkin = await stored(team, TEAM[0])
    assert checkin.state is CheckInState.EXPIRED
    await chat.press("now")
    assert "has closed" in chat.last_text
    assert (await stored(team, TEAM[0])).state is CheckInState.EXPIRED


async def test_the_persons_language_is_used(team: Ripple, clock: ManualClock):
    async with team.store.unit_of_work() as uow:
        person = await uow.people.get(TEAM[5])
        assert person is not None
    chat = Conversation(team, person_id=TEAM[5])
    await chat.send(EventKind.CHECKIN)
    assert "capacity" in chat.last_text
    await team.handle(
        Requested(
            origin=Origin(person_id=TEAM[5], occurred_at=clock.now(), locale="es-ES"),
            request=EventKind.HELP,
        )
    )
    clock.advance(timedelta(minutes=1))
    await chat.send(EventKind.CHECKIN)
    assert "capacidad" in chat.last_text.lower()


async def test_late_joiners_join_the_open_round(team: Ripple, clock: ManualClock):
    clock.advance(timedelta(hours=2))
    chat = Conversation(team, person_id="console:newbie", channel_id=CHANNEL)
    await chat.send(EventKind.MEMBER_JOINED)
    report = await team.tick()
    assert report.asked == 1
    await chat.send(EventKind.CHECKIN)
    assert chat.last_question.action == "capacity"


def test_an_unknown_capacity_choice_is_no_event_at_all() -> None:
    """Events are typed: a tap naming a capacity the gate doesn't offer never reaches the core."""
    origin = Origin(person_id=TEAM[0], occurred_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    assert tapped(origin, action="capacity", value="maybe") is None
    chosen = tapped(origin, action="capacity", value="rest")
    assert isinstance(chosen, CapacityChosen) and chosen.capacity is Capacity.REST
