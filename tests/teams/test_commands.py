"""Typed commands in personal chat, answered as cards; a channel @mention gets a short help."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import rhythm
from bot.clock import ManualClock
from bot.memory import MemoryStore
from tests.teams import ALEX, CHANNEL_ID, SAM, TEAM_ID, Harness, teams_harness

NOW = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with teams_harness(store=MemoryStore(), clock=ManualClock(NOW)) as h:
        await h.install_in_team(by=ALEX, roster=[SAM, ALEX], owners=(ALEX,))
        yield h


def card_text(h: Harness) -> str:
    card = h.connector.last_card(SAM.conversation_id)
    return "\n".join(b.get("text", "") for b in card["body"] if b.get("type") == "TextBlock")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("help", "Commands: checkin"),
        ("what is this?", "Commands: checkin"),
        ("summary", "you're not listed as a manager"),
        ("history", "You don't have any check-ins yet."),
        ("resume", "Check-ins are already on for you."),
        ("checkin", "There's no check-in open for you right now."),
    ],
)
async def test_a_command_gets_its_answer_as_a_card(
    harness: Harness, command: str, expected: str
) -> None:
    await harness.say(SAM, command)

    assert expected in card_text(harness)


async def test_pause_then_resume(harness: Harness) -> None:
    await harness.say(SAM, "pause")
    paused = card_text(harness)
    await harness.say(SAM, "resume")

    assert "Paused." in paused
    assert "Welcome back." in card_text(harness)


async def test_export_attaches_the_persons_data(harness: Harness) -> None:
    await harness.say(SAM, "export")

    card = harness.connector.last_card(SAM.conversation_id)
    (data,) = [b["text"] for b in card["body"] if b.get("fontType") == "Monospace"]
    assert json.loads(data)["person"]["id"] == SAM.person_id
    assert json.loads(data)["channels"] == [CHANNEL_ID]


async def test_forget_asks_first_and_erases_on_yes(harness: Harness) -> None:
    h = harness
    await rhythm.open_round_now(h.ripple.context, channel_id=CHANNEL_ID, now=h.clock.now())
    await h.say(SAM, "checkin")
    await h.tap(SAM, value="rest")

    await h.say(SAM, "forget")
    assert "Are you sure?" in card_text(h)
    await h.tap(SAM, value="yes")

    assert "Done. Ripple has erased everything it kept about you" in card_text(h)
    async with h.ripple.store.unit_of_work() as uow:
        assert await uow.checkins.list_for_person(SAM.person_id) == []
        assert await uow.people.get(SAM.person_id) is None


async def test_keeping_the_data_on_no(harness: Harness) -> None:
    await harness.say(SAM, "forget")
    await harness.tap(SAM, value="no")

    assert "Nothing was erased." in card_text(harness)


async def test_a_mention_in_a_channel_other_than_setup_gets_a_short_channel_help(
    harness: Harness,
) -> None:
    h = harness
    activity = h.activity(
        "channel_mention", text="hello", channel_id=TEAM_ID, team_id=TEAM_ID, **SAM.fields()
    )

    await h.post(activity)

    (reply,) = [
        c
        for c in h.connector.calls
        if c.method == "POST" and c.conversation_id and c.conversation_id.startswith(TEAM_ID)
    ]
    assert reply.body["text"].startswith("In a channel I do two things")
    assert reply.body["replyToId"] == activity["id"]  # threaded under the mention
