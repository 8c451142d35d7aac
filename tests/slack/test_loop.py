"""Closing the loop and starting now, through Slack: signed requests against the fake."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.slack.blocks import blocks_text
from tests.slack import payloads
from tests.slack.test_charts import ADMIN as ADMIN_ACTOR
from tests.slack.test_charts import MANAGER_ID, answer_and_close
from tests.slack.test_checkin import open_round
from tests.slack.test_setup import open_setup, state_of
from tests.slack.world import SlackWorld, element_labelled, slack_world

MANAGER = "U0006"
ADMIN = "U0001"
HEAVY = ("5", "2", "many", "yes", "no")
RECORD = "Record what the team will do"
CHANNEL_ID = "slack:T0001:C0DESIGN"


async def published_week(world: SlackWorld) -> None:
    users = await open_round(world, members=6)
    await world.ripple.configure_channel(
        actor=ADMIN_ACTOR, channel_id=CHANNEL_ID, config={"managers": frozenset({MANAGER_ID})}
    )
    await answer_and_close(world, users)


def action_state(choice: str | None, text: str) -> dict[str, Any]:
    picked = None if choice is None else {"value": choice}
    return {
        "values": {
            "choice": {"choice": {"type": "radio_buttons", "selected_option": picked}},
            "text": {"text": {"type": "plain_text_input", "value": text}},
        }
    }


async def open_record_form(world: SlackWorld, user: str) -> dict[str, Any]:
    """Press "record" on the manager's digest (as ``user``, who may not be the manager)."""
    opened = len(world.slack.modals())
    digest = next(m for m in world.slack.messages(MANAGER) if "Check-in summary" in m.text)
    element = element_labelled(digest.blocks, RECORD)
    response = await world.interact(_tap(world, user, digest, element))
    assert response.status_code == 200
    await world.eventually(lambda: len(world.slack.modals()) > opened, what="the record form")
    return world.slack.modals()[-1].payload


def _tap(world: SlackWorld, user: str, message: Any, element: dict[str, Any]) -> dict[str, Any]:
    payload = payloads.load(
        "block_actions",
        team_id=world.team_id,
        user_id=user,
        channel_id=message.channel,
        message_ts=message.ts,
        message_text=message.text,
        trigger_id=world.slack.trigger_id(),
    )
    payload["actions"] = [
        {
            "action_id": element["action_id"],
            "block_id": element["block_id"],
            "type": "button",
            "value": element["value"],
            "text": element["text"],
            "action_ts": payload["actions"][0]["action_ts"],
        }
    ]
    payload["message"]["blocks"] = message.blocks
    return payload


async def test_a_manager_records_an_action_and_the_team_hears_it_next_week(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await published_week(world)
        view = await open_record_form(world, MANAGER)
        assert view["callback_id"] == "ripple_action"
        assert "Don't name anyone" in json.dumps(view)

        # An empty form stays open with the problem marked, and records nothing.
        response = await world.submit_view(MANAGER, view=view, state=action_state(None, ""))
        assert response.json()["response_action"] == "errors"
        assert set(response.json()["errors"]) == {"choice"}

        response = await world.submit_view(
            MANAGER, view=view, state=action_state("no_meeting_afternoon", "Fridays from 13:00")
        )
        assert response.status_code == 200 and response.text in ("", "null")
        await world.eventually(
            lambda: "Saved for #design" in world.latest_message(MANAGER).text,
            what="the manager's confirmation",
        )
        assert "A no-meeting afternoon — Fridays from 13:00" in world.latest_message(MANAGER).text

        world.clock.set(datetime(2026, 11, 9, 9, 30, tzinfo=UTC))  # the next Monday
        await world.ripple.tick()
        await world.ripple.drain()
        gate = blocks_text(world.latest_message("U0002").blocks)
        assert gate.startswith(
            "After the last check-in, here's what's changing: "
            "A no-meeting afternoon — Fridays from 13:00."
        )


async def test_someone_who_is_not_a_manager_cannot_record_with_a_forged_form(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await published_week(world)
        view = await open_record_form(world, MANAGER)
        response = await world.submit_view(
            "U0002", view=view, state=action_state("protected_rest", "")
        )
        assert response.status_code == 200
        await world.eventually(
            lambda: "Only a manager" in world.latest_message("U0002").text,
            what="the refusal",
        )
        async with world.store.unit_of_work() as uow:
            assert await uow.actions.recent(CHANNEL_ID, limit=5) == []


async def test_an_admin_starts_this_week_now_with_the_slash_command(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        users = await world.add_team(members=6, admins=(ADMIN,))
        world.clock.set(datetime(2026, 11, 4, 14, 0, tzinfo=UTC))  # a Wednesday
        answer = await world.answer("start", user=ADMIN)
        assert answer == (
            "This week's check-in for #design has started: everyone will be asked in the "
            "next few minutes."
        )
        await world.ripple.drain()
        for user in users:
            assert "check-in time for #design" in world.latest_message(user).text
        assert (await world.answer("start", user=ADMIN)).startswith(
            "This week's check-in for #design has already started"
        )
        assert (await world.answer("start", user=ADMIN, channel="D0DM")).startswith(
            "Run /ripple start in the channel"
        )


async def test_a_member_who_is_not_an_admin_cannot_start_it(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        users = await world.add_team(members=6, admins=(ADMIN,))
        world.clock.set(datetime(2026, 11, 4, 14, 0, tzinfo=UTC))
        answer = await world.answer("start", user=users[1])
        assert answer == "Only an admin of #design can start its check-in."
        await world.ripple.drain()
        assert all(world.slack.messages(user) == [] for user in users)


async def test_the_setup_form_can_start_this_week_at_once(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        users = await world.add_team(members=6, admins=(ADMIN,))
        world.clock.set(datetime(2026, 11, 4, 14, 0, tzinfo=UTC))
        view = await open_setup(world, ADMIN)
        response = await world.submit_view(ADMIN, view=view, state=state_of(view, start="now"))
        assert response.status_code == 200
        await world.eventually(
            lambda: any("has started" in m.text for m in world.slack.messages(ADMIN)),
            what="the start confirmation",
        )
        await world.ripple.drain()
        for user in users[1:]:
            assert "check-in time for #design" in world.latest_message(user).text
