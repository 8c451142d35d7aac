"""A whole check-in in Teams' personal chat, over HTTP: install, cards, answers, snooze, rest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.teams.cards import NOTE_INPUT, SNOOZE_DATE_INPUT, SNOOZE_TIME_INPUT
from bot import rhythm
from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import CheckInState
from tests.console import StoredCheckIn, stored_checkin
from tests.scripted import STANDARD_ANSWERS, STANDARD_NOTE
from tests.teams import ALEX, CHANNEL_ID, SAM, Harness, teams_harness

MONDAY_0930 = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)  # 09:30 in Berlin


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with teams_harness(store=MemoryStore(), clock=ManualClock(MONDAY_0930)) as h:
        yield h


async def open_round(h: Harness) -> None:
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX], owners=(ALEX,))
    await rhythm.open_round_now(h.ripple.context, channel_id=CHANNEL_ID, now=h.clock.now())


def texts(card: dict) -> str:
    return "\n".join(
        block.get("text", "") for block in card["body"] if block.get("type") == "TextBlock"
    )


async def test_install_then_a_full_check_in_is_stored_and_the_card_updates_in_place(
    harness: Harness,
) -> None:
    h = harness
    await open_round(h)
    await h.install_personally(SAM)

    await h.say(SAM, "checkin")
    gate = h.connector.last_card(SAM.conversation_id)
    assert "Do you have the capacity" in texts(gate)
    assert [a["type"] for a in gate["actions"]] == ["Action.Execute"] * 3
    assert all(a["fallback"]["type"] == "Action.Submit" for a in gate["actions"])

    await h.tap(SAM, value="now")
    await h.tap(SAM, value="4")
    await h.tap(SAM, value="2")
    await h.tap(SAM, value="some")
    await h.tap(SAM, skip=True)
    await h.tap(SAM, value="partly")
    note_card = h.connector.last_card(SAM.conversation_id)
    assert "What your manager will see" in texts(note_card)
    # What sharing a note means, with the channel's threshold, before Sam chooses.
    assert "only once at least 10 people share notes in a week" in texts(note_card)
    await h.tap(SAM, value="private", inputs={NOTE_INPUT: STANDARD_NOTE})

    assert await stored_checkin(h.ripple.store, person_id=SAM.person_id) == StoredCheckIn(
        state=CheckInState.DONE, answers=STANDARD_ANSWERS, note=STANDARD_NOTE, note_shared=False
    )
    # One message in Sam's chat, updated in place after every answer.
    assert len(h.connector.sent(SAM.conversation_id)) == 1
    assert len(h.connector.updates(SAM.conversation_id)) == 7
    done = h.connector.last_card(SAM.conversation_id)
    assert "Thank you" in texts(done)
    assert "What your manager will see" in texts(done)


async def stored(h: Harness):
    async with h.ripple.store.unit_of_work() as uow:
        (checkin,) = await uow.checkins.list_for_person(SAM.person_id)
    return checkin


async def test_later_offers_times_and_a_snooze_is_told_in_the_persons_own_zone(
    harness: Harness,
) -> None:
    h = harness
    await open_round(h)
    await h.say(SAM, "checkin")

    await h.tap(SAM, value="later")
    options = h.connector.last_card(SAM.conversation_id)
    assert "When suits you?" in texts(options)
    assert [a["data"]["value"] for a in options["actions"]] == [
        "in_1h",
        "this_afternoon",
        "tomorrow_morning",
        "at",
    ]
    await h.tap(SAM, value="this_afternoon")

    checkin = await stored(h)
    assert checkin.state is CheckInState.SNOOZED
    assert checkin.snooze_until == datetime(2026, 10, 5, 12, 0, tzinfo=UTC)  # 14:00 in Berlin
    assert "I'll ask again 2026-10-05 14:00" in texts(h.connector.last_card(SAM.conversation_id))


async def test_a_snooze_to_a_time_picked_on_the_card(harness: Harness) -> None:
    h = harness
    await open_round(h)
    await h.say(SAM, "checkin")
    await h.tap(SAM, value="later")

    await h.tap(
        SAM, value="at", inputs={SNOOZE_DATE_INPUT: "2026-10-06", SNOOZE_TIME_INPUT: "10:15"}
    )

    checkin = await stored(h)
    assert checkin.state is CheckInState.SNOOZED
    assert checkin.snooze_until == datetime(2026, 10, 6, 8, 15, tzinfo=UTC)


async def test_choosing_rest_is_stored_as_rest_and_answered_kindly(harness: Harness) -> None:
    h = harness
    await open_round(h)
    await h.say(SAM, "checkin")

    await h.tap(SAM, value="rest")

    assert await stored_checkin(h.ripple.store, person_id=SAM.person_id) == StoredCheckIn(
        state=CheckInState.RESTED, answers={}, note=None, note_shared=False
    )
    card = h.connector.last_card(SAM.conversation_id)
    assert "Rest well" in texts(card)
    assert "actions" not in card


async def test_action_submit_taps_from_clients_without_universal_actions_work_too(
    harness: Harness,
) -> None:
    h = harness
    await open_round(h)
    await h.say(SAM, "checkin")

    response = await h.tap(SAM, value="now", submit=True)
    await h.tap(SAM, value="5", submit=True)

    assert response.status_code == 202
    assert (await stored(h)).answers == {"workload": "5"}


async def test_an_invoke_delivered_three_times_changes_the_check_in_once(harness: Harness) -> None:
    h = harness
    await open_round(h)
    await h.say(SAM, "checkin")
    await h.tap(SAM, value="now")
    card = h.connector.last_card(SAM.conversation_id)
    action = h.find_action(card, lambda d: d.get("value") == "4")
    invoke = h.card_activity(SAM, action["data"], title=action["title"])
    updates_before = len(h.connector.updates())

    responses = [await h.post(invoke) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    first, *repeats = [r.json() for r in responses]
    assert first["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Question 2 of 5" in texts(first["value"])
    assert all(
        r == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": ""}
        for r in repeats
    )
    checkin = await stored(h)
    assert (checkin.step, dict(checkin.answers)) == (1, {"workload": "4"})
    assert len(h.connector.updates()) == updates_before + 1


async def test_texts_and_buttons_come_in_the_persons_language(harness: Harness) -> None:
    h = harness
    await open_round(h)
    sam_de = replace(SAM, locale="de-DE")

    await h.say(sam_de, "checkin")
    await h.tap(sam_de, value="later")
    snooze = h.connector.last_card(SAM.conversation_id)
    assert "Wann passt es dir?" in texts(snooze)
    assert "Oder wähl selbst Tag und Uhrzeit:" in texts(snooze)
    assert snooze["actions"][-1]["title"] == "Frag mich dann"


async def test_a_tap_edited_to_a_choice_the_card_never_offered_changes_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await open_round(h)
    await h.install_personally(SAM)
    await h.say(SAM, "checkin")
    gate = h.connector.last_card(SAM.conversation_id)
    action = h.find_action(gate, lambda d: d.get("value") == "now")
    updates = len(h.connector.updates(SAM.conversation_id))

    forged = {**action["data"], "value": "maybe"}
    response = await h.post(h.card_activity(SAM, forged, title=action["title"]))

    assert response.status_code == 200  # acknowledged, as Teams expects
    checkin = await stored_checkin(h.ripple.store, person_id=SAM.person_id)
    assert checkin.state is CheckInState.ASKED
    assert len(h.connector.updates(SAM.conversation_id)) == updates
    assert "names no choice" in caplog.text
