"""`/ripple setup`: the per-channel settings modal, saved by admins and refused to others."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from bot.model import ChannelConfig
from tests.slack.world import CHANNEL, SlackWorld, slack_world

ADMIN, MEMBER = "U0001", "U0002"
CHANNEL_ID = f"slack:T0001:{CHANNEL}"


def state_of(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The ``state`` Slack sends when the modal is submitted: what it showed, plus ``changes``."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        name, element = block["block_id"], block["element"]
        kind, change = element["type"], changes.get(block["block_id"])
        if kind == "static_select":
            if change is not None:
                option = next(o for o in element["options"] if o["value"] == change)
            else:
                option = element.get("initial_option")
            answer = {"type": kind, "selected_option": option}
        elif kind == "multi_users_select":
            answer = {"type": kind, "selected_users": change or element.get("initial_users", [])}
        elif kind == "timepicker":
            answer = {"type": kind, "selected_time": change or element.get("initial_time")}
        else:
            answer = {
                "type": kind,
                "value": change if change is not None else element.get("initial_value"),
            }
        values[name] = {element["action_id"]: answer}
    return {"values": values}


async def config(world: SlackWorld) -> ChannelConfig:
    async with world.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None
    return channel.config


async def open_setup(world: SlackWorld, user: str) -> dict[str, Any]:
    opened = len(world.slack.modals())
    response = await world.command("setup", user=user)
    assert response.status_code == 200
    await world.eventually(lambda: len(world.slack.modals()) > opened, what="the setup modal")
    return world.slack.modals()[-1].payload


async def test_a_workspace_admin_sets_up_the_channel(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await world.add_team(members=6, admins=(ADMIN,))
        view = await open_setup(world, ADMIN)
        assert view["callback_id"] == "ripple_setup"
        state = state_of(
            view,
            weekday="4",
            time="14:00",
            k="7",
            comment_threshold="12",
            managers=["U0006"],
            admins=[MEMBER],
            signpost="Employee assistance: 0800 123 456",
        )
        response = await world.submit_view(ADMIN, view=view, state=state)
        assert response.status_code == 200
        assert response.text in ("", "null")  # the modal closes; the save follows
        await world.until_stored(lambda: _k_is(world, 7), what="the settings, saved")
        saved = await config(world)
        assert (saved.cadence.weekday, saved.cadence.local_time.hour, saved.k) == (4, 14, 7)
        assert saved.managers == {"slack:T0001:U0006"}
        assert saved.admins == {f"slack:T0001:{MEMBER}"}
        assert saved.signpost == "Employee assistance: 0800 123 456"
        await world.eventually(
            lambda: any(
                "Saved the check-in settings" in m.text for m in world.slack.messages(ADMIN)
            ),
            what="the confirmation",
        )

        # Now a Ripple admin for the channel, the member may open and save it too.
        again = await open_setup(world, MEMBER)
        response = await world.submit_view(MEMBER, view=again, state=state_of(again, k="8"))
        assert response.status_code == 200
        await world.until_stored(lambda: _k_is(world, 8), what="the member's change, saved")


async def test_anyone_else_is_refused_and_nothing_changes(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await world.add_team(members=6, admins=(ADMIN,))
        before = await config(world)
        assert await world.answer("setup", user=MEMBER) == (
            "Only admins of the workspace or team, and the Ripple admins of #design, can change its settings. Nothing was changed."
        )
        await asyncio.sleep(0.3)
        assert world.slack.modals() == []

        # Even a submission of the admin's modal by someone else changes nothing.
        view = await open_setup(world, ADMIN)
        response = await world.submit_view(MEMBER, view=view, state=state_of(view, k="9"))
        assert response.status_code == 200
        assert response.text in ("", "null")  # the form is fine; who sent it is checked after
        await world.eventually(
            lambda: any("the Ripple admins of" in m.text for m in world.slack.messages(MEMBER)),
            what="the refusal, by DM",
        )
        assert await config(world) == before


async def test_an_unusable_value_is_pointed_out_in_the_modal(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await world.add_team(members=6, admins=(ADMIN,))
        view = await open_setup(world, ADMIN)
        response = await world.submit_view(ADMIN, view=view, state=state_of(view, k="2"))
        answer = response.json()
        assert answer["response_action"] == "errors"
        assert set(answer["errors"]) == {"k"}
        assert "at least 3" in answer["errors"]["k"]
        assert (await config(world)).k == 5


async def test_setup_belongs_in_a_channel(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        world.slack.add_user("T0001", ADMIN, is_admin=True, locale="en-US")
        answer = await world.answer("setup", user=ADMIN, channel=world.slack.dm_channel_id(ADMIN))
        assert answer == "Run /ripple setup in the channel you want to set up."


async def test_unknown_commands_and_extra_words_get_the_help(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        world.slack.add_user("T0001", ADMIN, locale="es-ES")
        for text in ("", "dance", "pause now", "help"):
            answer = await world.answer(text, user=ADMIN)
            assert answer.startswith("Ripple te pregunta una vez por semana"), text


async def test_a_modal_naming_another_workspaces_channel_changes_nothing(tmp_path: Path):
    """The modal's metadata is the submitter's to edit; the channel it names is only changed
    if the submitter may configure it from the workspace Slack signed the request for."""
    async with slack_world(tmp_path) as world:
        await world.add_team(members=6, admins=(ADMIN,))
        other = await world.ripple.register_channel(
            channel_id="slack:T0002:COTHER", name="#other", scope="slack:T0002"
        )
        view = await open_setup(world, ADMIN)
        for refusals, target in enumerate(("slack:T0002:COTHER", "slack:T0002:CUNKNOWN"), 1):
            forged = {**view, "private_metadata": json.dumps({"channel_id": target})}
            response = await world.submit_view(ADMIN, view=forged, state=state_of(view, k="3"))
            assert response.status_code == 200
            await world.eventually(
                lambda n=refusals: (
                    sum("can change its settings" in m.text for m in world.slack.messages(ADMIN))
                    == n
                ),
                what="the refusal, by DM",
            )
        async with world.store.unit_of_work() as uow:
            assert await uow.channels.get("slack:T0002:COTHER") == other
            assert await uow.channels.get("slack:T0002:CUNKNOWN") is None


async def test_a_setup_modal_slack_no_longer_lets_open_is_explained(tmp_path: Path):
    """Slack keeps a trigger for three seconds; past it, the admin is told to ask again."""
    async with slack_world(tmp_path) as world:
        await world.add_team(members=3, admins=(ADMIN,))
        late = world.slack.trigger_id(age=3.5)  # as if Ripple took longer than Slack allows

        answer = await world.answer("setup", user=ADMIN, trigger_id=late)

        assert answer == (
            "Slack gave me too little time to open the settings. Run /ripple setup again, please."
        )
        assert world.slack.modals() == []
        assert [c.error for c in world.slack.calls("views.open")] == ["expired_trigger_id"]


async def _k_is(world: SlackWorld, k: int) -> bool:
    return (await config(world)).k == k


async def test_a_modal_whose_language_was_tampered_with_is_answered_in_english(tmp_path: Path):
    """The modal's metadata carries the language it was shown in; whatever it says, the
    answer is plain and nothing is saved that shouldn't be."""
    async with slack_world(tmp_path) as world:
        await world.add_team(members=3, admins=(ADMIN,))
        view = await open_setup(world, ADMIN)
        before = await config(world)
        for language in ("xx-<script>", "../../etc/passwd", 5, None):
            metadata = json.dumps({"channel_id": CHANNEL_ID, "locale": language})
            forged = {**view, "private_metadata": metadata}
            response = await world.submit_view(ADMIN, view=forged, state=state_of(view, k="2"))
            assert response.status_code == 200
            if isinstance(language, str):
                assert "at least 3" in response.json()["errors"]["k"]  # English, by the field
            else:
                assert response.text in ("", "null")  # unreadable: acknowledged, ignored
        assert await config(world) == before
