"""Members, App Home and the scripted check-in every adapter must store the same way."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.slack.actions import decode_tap
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import Person
from bot.ripple import Ripple
from tests.console import stored_checkin
from tests.engine.conftest import team_config
from tests.scripted import STANDARD_CHECKIN, Conversation
from tests.slack.test_checkin import SAM, SAM_ID, answer, open_round
from tests.slack.world import CHANNEL, MONDAY_0930, SlackWorld, slack_world

CHANNEL_ID = f"slack:T0001:{CHANNEL}"


async def members(world: SlackWorld) -> frozenset[str]:
    async with world.store.unit_of_work() as uow:
        return await uow.channels.members(CHANNEL_ID)


def members_are(world: SlackWorld, expected: set[str]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await members(world) == expected

    return check


def member(world: SlackWorld, person_id: str, *, present: bool) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return (person_id in await members(world)) is present

    return check


async def test_inviting_ripple_registers_the_humans_of_the_channel(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        for user, extra in (
            ("U0001", {"tz": "America/New_York", "locale": "es-MX"}),
            ("U0002", {}),
            ("U0003", {"deleted": True}),
            ("U0004", {"is_bot": True}),
        ):
            world.slack.add_user("T0001", user, real_name=f"Person {user}", **extra)
        people = [f"U{i:04d}" for i in range(5, 260)]
        for user in people:
            world.slack.add_user("T0001", user)
        world.slack.add_channel(
            "T0001",
            CHANNEL,
            name="design",
            members=["U0001", "U0002", "U0003", "U0004", "U0BOT", *people],
        )
        response, _ = await world.event(
            "event_member_joined_channel", user_id="U0BOT", channel_id=CHANNEL
        )
        assert response.status_code == 200
        expected = {f"slack:T0001:{u}" for u in ("U0001", "U0002", *people)}
        await world.until_stored(members_are(world, expected), what="the members")
        assert len(world.slack.calls("conversations.members")) == 2  # 259 members, 200 a page
        async with world.store.unit_of_work() as uow:
            channel = await uow.channels.get(CHANNEL_ID)
            sam = await uow.people.get("slack:T0001:U0001")
        assert channel is not None and channel.name == "#design"
        assert sam is not None
        assert (sam.timezone, sam.locale, sam.display_name) == (
            "America/New_York",
            "es-MX",
            "Person U0001",
        )


async def test_people_joining_and_leaving_follow_the_channel(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world, members=6)
        world.slack.add_user("T0001", "U0100", locale="en-GB")
        response, _ = await world.event(
            "event_member_joined_channel", user_id="U0100", channel_id=CHANNEL
        )
        assert response.status_code == 200
        await world.until_stored(
            member(world, "slack:T0001:U0100", present=True), what="the newcomer"
        )
        # A late joiner joins the open round and is asked like everyone else, on the next tick.
        await world.ripple.tick()
        await world.ripple.drain()
        assert "check-in time" in world.latest_message("U0100").text
        world.slack.add_user("T0001", "U0101", is_bot=True)
        await world.event("event_member_joined_channel", user_id="U0101", channel_id=CHANNEL)
        await world.event("event_member_left_channel", user_id="U0002", channel_id=CHANNEL)
        await world.until_stored(
            member(world, "slack:T0001:U0002", present=False), what="the leaver to go"
        )
        assert "slack:T0001:U0101" not in await members(world)


async def test_app_home_shows_my_check_ins_and_lets_me_pause(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world, members=6)
        await answer(world, SAM, "I'd rather rest this week")
        await world.event("event_app_home_opened", user_id=SAM, tab="home")
        await world.eventually(lambda: world.slack.home_view(SAM) is not None, what="the home tab")
        home = json.dumps(world.slack.home_view(SAM), ensure_ascii=False)
        assert "Your check-ins" in home
        assert "chose rest" in home
        assert "Channels you configure" not in home  # not an admin

        before = len(world.slack.calls("views.publish"))
        payload = world.action_payload_from_view(SAM, world.slack.home_view(SAM), "Pause check-ins")
        assert (await world.interact(payload)).status_code == 200
        await world.eventually(
            lambda: len(world.slack.calls("views.publish")) > before, what="the home tab again"
        )
        assert "Resume check-ins" in json.dumps(world.slack.home_view(SAM), ensure_ascii=False)
        async with world.store.unit_of_work() as uow:
            sam = await uow.people.get(SAM_ID)
        assert sam is not None and sam.paused


async def test_the_scripted_checkin_stores_what_the_console_stores(tmp_path: Path):
    console = Ripple(
        store=MemoryStore(), catalog=YamlPromptCatalog.load(), clock=ManualClock(MONDAY_0930)
    )
    await console.register_channel(
        channel_id="console:design", name="#design", config=team_config()
    )
    await console.sync_members(
        channel_id="console:design", people=[Person(person_id="console:sam", display_name="Sam")]
    )
    await console.tick()
    await Conversation(console, person_id="console:sam").play(STANDARD_CHECKIN)
    expected = await stored_checkin(console.store, person_id="console:sam")

    async with slack_world(tmp_path) as world:
        await open_round(world, members=6)
        for verb, argument in STANDARD_CHECKIN:
            if verb == "command":
                assert (await world.command(argument, user=SAM)).status_code == 200
                await world.eventually(lambda: len(world.slack.messages(SAM)) == 2, what="reply")
            elif verb == "press":
                await answer(world, SAM, label_for_value(world, SAM, argument))
            elif verb == "skip":
                await answer(world, SAM, label_for_action(world, SAM, "ripple_skip"))
            else:
                await write_note(world, SAM, argument)
        await world.until_stored(lambda: _done(world), what="the scripted check-in to finish")
        assert await stored_checkin(world.store, person_id=SAM_ID) == expected


async def _done(world: SlackWorld) -> bool:
    async with world.store.unit_of_work() as uow:
        mine = await uow.checkins.list_for_person(SAM_ID)
    return bool(mine) and mine[0].state.value == "done"


def label_for_value(world: SlackWorld, user: str, value: str) -> str:
    """The label of the button whose tap carries ``value``, as a person sees it."""
    for block in world.latest_message(user).blocks:
        for element in block.get("elements") or []:
            if (
                element.get("type") == "button"
                and element["action_id"].startswith("ripple_choice")
                and decode_tap(element["value"]).value == value
            ):
                label: str = element["text"]["text"]
                return label
    raise AssertionError(f"no button for {value!r}")


def label_for_action(world: SlackWorld, user: str, action_id: str) -> str:
    for block in world.latest_message(user).blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                label: str = element["text"]["text"]
                return label
    raise AssertionError(f"no {action_id} on the message")


async def write_note(world: SlackWorld, user: str, note: str) -> None:
    opened = len(world.slack.modals())
    await world.press(user, label_for_value(world, user, "private"))
    await world.eventually(lambda: len(world.slack.modals()) > opened, what="the note modal")
    modal = world.slack.modals()[-1].payload
    block = next(b for b in modal["blocks"] if b["type"] == "input")
    state = {
        "values": {
            block["block_id"]: {
                block["element"]["action_id"]: {"type": "plain_text_input", "value": note}
            }
        }
    }
    assert (await world.submit_view(user, view=modal, state=state)).status_code == 200
