"""Closing the loop and starting now, through Teams: JWT-signed activities against the fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.memory import MemoryStore
from tests.teams import ALEX, CHANNEL_ID, Harness, teams_harness, user
from tests.teams.test_charts import check_in_and_close, managed_team
from tests.teams.test_delivery import ASK_TIME, drain_until_settled
from tests.teams.test_setup import NOOR, mention


def digest_card(h: Harness, conversation_id: str) -> dict[str, Any]:
    cards = [
        call.body["attachments"][0]["content"]
        for call in h.connector.sent(conversation_id)
        if call.body["attachments"][0]["content"]["body"][0]["text"].startswith(
            "Check-in summary for"
        )
    ]
    return cards[-1]


@pytest.mark.parametrize("submit", [False, True], ids=["execute", "submit"])
async def test_a_manager_records_an_action_from_the_digest_card(submit: bool) -> None:
    team = [user(600 + n) for n in range(6)]
    manager = team[0]
    async with teams_harness(store=MemoryStore(), clock=ManualClock(ASK_TIME)) as h:
        await managed_team(h, team)
        await check_in_and_close(h, team[1:])
        (record,) = digest_card(h, manager.conversation_id)["actions"]
        assert record["type"] == "Action.ShowCard"
        assert record["title"] == "Record what the team will do"
        form = record["card"]
        (save,) = form["actions"]
        inputs = {item["id"] for item in form["body"] if "id" in item}
        assert inputs == {"ripple_action_choice", "ripple_action_text"}
        data = {
            **save["data"],
            "ripple_action_choice": "protected_rest",
            "ripple_action_text": "Quiet Friday afternoons",
        }

        # Someone else pressing the same card's button records nothing.
        response = await h.post(h.card_activity(team[1], data, title=save["title"], submit=submit))
        assert response.status_code in (200, 202)
        async with h.ripple.store.unit_of_work() as uow:
            assert await uow.actions.recent(CHANNEL_ID, limit=5) == []

        response = await h.post(h.card_activity(manager, data, title=save["title"], submit=submit))
        assert response.status_code in (200, 202)
        async with h.ripple.store.unit_of_work() as uow:
            (action,) = await uow.actions.recent(CHANNEL_ID, limit=5)
        assert action.text == "Quiet Friday afternoons"

        h.clock.set(ASK_TIME + timedelta(weeks=1))
        await h.ripple.tick()
        await drain_until_settled(h, step=timedelta(seconds=5))
        gate = h.connector.sent(team[2].conversation_id)[-1].body
        text = gate["attachments"][0]["content"]["body"][0]["text"]
        assert text.startswith(
            "After the last check-in, here's what's changing: "
            "Protected time to rest — Quiet Friday afternoons."
        )


async def test_a_team_owner_starts_this_week_now_and_a_member_cannot() -> None:
    wednesday = datetime(2026, 10, 7, 12, 0, tzinfo=UTC)
    async with teams_harness(store=MemoryStore(), clock=ManualClock(wednesday)) as h:
        sam = user(2, "Sam")
        await h.install_in_team(by=ALEX, roster=[sam, ALEX, NOOR], owners=(ALEX,))
        refused = await mention(h, NOOR, "<at>Ripple</at> start")
        assert refused["text"].endswith("can start its check-in.")
        async with h.ripple.store.unit_of_work() as uow:
            assert await uow.rounds.list_open() == []
        started = await mention(h, ALEX, "<at>Ripple</at> start")
        assert started["text"].startswith("This week's check-in for")
        assert "has started" in started["text"]
        async with h.ripple.store.unit_of_work() as uow:
            assert len(await uow.rounds.list_open()) == 1
        again = await mention(h, ALEX, "<at>Ripple</at> start")
        assert "has already started" in again["text"]
