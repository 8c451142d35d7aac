"""A whole weekly check-in in Slack, through /slack/events, against the fake Web API."""

from __future__ import annotations

from pathlib import Path

from adapters.slack.blocks import blocks_text
from bot.model import CheckInState
from tests.console import StoredCheckIn, stored_checkin
from tests.scripted import STANDARD_ANSWERS
from tests.slack.world import MONDAY_0930, SlackWorld, slack_world

SAM = "U0001"
SAM_ID = f"slack:T0001:{SAM}"


async def open_round(world: SlackWorld, members: int = 6) -> list[str]:
    users = await world.add_team(members=members)
    world.clock.set(MONDAY_0930)
    report = await world.ripple.tick()
    assert report.opened == 1
    await world.ripple.drain()
    return users


async def answer(world: SlackWorld, user: str, label: str) -> None:
    before = world.latest_message(user)
    state = (before.ts, before.updated, len(world.slack.messages(user)))
    response = await world.press(user, label)
    assert response.status_code == 200
    await world.eventually(
        lambda: (
            (
                world.latest_message(user).ts,
                world.latest_message(user).updated,
                len(world.slack.messages(user)),
            )
            != state
        ),
        what=f"{user}'s message to change after {label!r}",
    )


async def test_a_whole_checkin_from_the_slash_command_to_the_stored_answers(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        gate = world.latest_message(SAM)
        assert "check-in time for #design" in gate.text
        assert gate.channel == world.slack.dm_channel_id(SAM)

        assert await world.answer("checkin", user=SAM) == "I've sent you a direct message."
        await world.eventually(
            lambda: len(world.slack.messages(SAM)) == 2, what="the gate, shown again"
        )

        await answer(world, SAM, "Yes, let's go")
        question = world.latest_message(SAM)
        assert "How heavy was your workload this week?" in blocks_text(question.blocks)
        for label in ("4 — heavy", "2 — low", "Some extra hours"):
            await answer(world, SAM, label)
        await answer(world, SAM, world_skip_label(world, SAM))
        await answer(world, SAM, "Partly")

        # The note: a modal opens, and its submission finishes the check-in.
        opened = len(world.slack.modals())
        await world.press(SAM, "Add a private note")
        await world.eventually(lambda: len(world.slack.modals()) > opened, what="the note modal")
        modal = world.slack.modals()[-1].payload
        block = next(b for b in modal["blocks"] if b["type"] == "input")
        state = {
            "values": {
                block["block_id"]: {
                    block["element"]["action_id"]: {
                        "type": "plain_text_input",
                        "value": "Release week. Fine, but tired.",
                    }
                }
            }
        }
        response = await world.submit_view(SAM, view=modal, state=state)
        assert response.status_code == 200

        async def done() -> bool:
            async with world.store.unit_of_work() as uow:
                mine = await uow.checkins.list_for_person(SAM_ID)
            return bool(mine) and mine[0].state is CheckInState.DONE

        await world.until_stored(done, what="Sam's finished check-in")
        assert await stored_checkin(world.store, person_id=SAM_ID) == StoredCheckIn(
            state=CheckInState.DONE,
            answers=STANDARD_ANSWERS,
            note="Release week. Fine, but tired.",
            note_shared=False,
        )
        await world.eventually(
            lambda: "Thank you" in blocks_text(world.latest_message(SAM).blocks),
            what="the completion message",
        )
        final = blocks_text(world.latest_message(SAM).blocks)
        assert "Your note stays private" in final
        # One conversation, edited in place: the asks and the completion, not a post per step.
        assert len(world.slack.messages(SAM)) <= 3
        assert sum(m.updated for m in world.slack.messages(SAM)) >= 6


def world_skip_label(world: SlackWorld, user: str) -> str:
    message = world.latest_message(user)
    for block in message.blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == "ripple_skip":
                label: str = element["text"]["text"]
                return label
    raise AssertionError("the question has no skip button")


async def test_rest_is_one_tap_and_kind(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        await answer(world, SAM, "I'd rather rest this week")
        assert "Rest well" in blocks_text(world.latest_message(SAM).blocks)
        async with world.store.unit_of_work() as uow:
            (checkin,) = await uow.checkins.list_for_person(SAM_ID)
        assert checkin.state is CheckInState.RESTED
        assert checkin.answers == {}


async def test_later_offers_times_and_a_picker_and_snoozes(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        await answer(world, SAM, "Later")
        text = blocks_text(world.latest_message(SAM).blocks)
        assert "When suits you?" in text or "suits" in text
        kinds = {
            e["type"] for b in world.latest_message(SAM).blocks for e in b.get("elements") or []
        }
        assert "datetimepicker" in kinds
        await answer(world, SAM, "In an hour")
        async with world.store.unit_of_work() as uow:
            (checkin,) = await uow.checkins.list_for_person(SAM_ID)
        assert checkin.state is CheckInState.SNOOZED
        assert checkin.snooze_until is not None
        assert (checkin.snooze_until - world.clock.now()).total_seconds() == 3600


async def test_a_check_in_message_that_is_gone_or_frozen_is_posted_anew(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        gate = world.latest_message(SAM)
        tap = world.action_payload(SAM, "Yes, let's go")
        world.slack.delete_message(gate)  # Sam deleted the DM, then tapped an old copy

        assert (await world.interact(tap)).status_code == 200
        await world.eventually(lambda: len(world.slack.messages(SAM)) == 1, what="a new post")
        question = world.latest_message(SAM)
        assert question.ts != gate.ts
        assert "How heavy was your workload this week?" in blocks_text(question.blocks)

        question.editable = False  # Slack no longer lets Ripple edit it
        await answer(world, SAM, "4 — heavy")

        updates = [c for c in world.slack.calls("chat.update") if c.error is None]
        refused = [c.error for c in world.slack.calls("chat.update") if c.error]
        assert refused == ["message_not_found", "cant_update_message"]
        assert updates == []
        assert len(world.slack.messages(SAM)) == 2
        assert "energy" in blocks_text(world.latest_message(SAM).blocks).lower()


async def test_a_profile_lookup_slack_rate_limits_is_retried(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world)
        world.platform.directory.forget(team_id="T0001", user_id=SAM)
        world.slack.fail_next("users.info", retry_after=1)

        assert await world.answer("history", user=SAM) == "I've sent you a direct message."

        assert [c.status for c in world.slack.calls("users.info")][-2:] == [429, 200]
        await world.eventually(lambda: len(world.slack.messages(SAM)) == 2, what="the history")
