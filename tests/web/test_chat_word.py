"""The word `web` in chat: a private sign-in link for managers and admins, a kind no for others."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.slack.blocks import blocks_text
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.events import COMMAND_EVENTS, EventKind
from bot.memory import MemoryStore
from bot.model import Person
from bot.outgoing import TextMessage
from bot.ripple import Ripple
from tests.engine.conftest import set_up_team
from tests.scripted import Conversation
from tests.slack.test_checkin import SAM, SAM_ID, open_round
from tests.slack.world import slack_world
from tests.teams import ALEX, CHANNEL_ID, teams_harness
from tests.teams import SAM as TEAMS_SAM
from tests.web.world import (
    ADMIN,
    CHANNEL,
    MANAGER,
    PUBLIC_URL,
    SECRET,
    TEAM,
    link_in,
    page_text,
    web_world,
)

NOT_FOR_YOU = "The web view is for the managers and admins of a Ripple channel."
NOT_SET_UP = "The web view isn't set up on this Ripple server."


def test_web_is_a_word_people_can_type_on_every_platform() -> None:
    assert COMMAND_EVENTS["web"] is EventKind.WEB


async def test_managers_and_admins_get_a_private_link_and_others_a_kind_no(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()

        for person in (MANAGER, ADMIN):
            reply = await world.ask(person)
            assert reply.ephemeral  # gone from the outbox once delivered
            assert reply.recipient == person
            assert reply.text.startswith("Here is your link to Ripple's web view: https://")
            assert "It signs you in once and works for 15 minutes." in reply.text
            link_in(reply.text)
        for person in (TEAM[0], "console:stranger"):
            reply = await world.ask(person)
            assert reply.text == NOT_FOR_YOU
            assert "http" not in reply.text


async def test_the_link_signs_in_the_person_who_asked_for_it(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        browser = await world.signed_in(ADMIN, name="Ada")

        overview = page_text(await browser.get("/web/"))

        assert "Signed in as Ada." in overview
        assert "Settings of #design" in overview


async def test_a_manager_of_a_channel_ripple_has_left_gets_no_link(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.ripple.set_channels_active(prefix=CHANNEL, active=False)

        assert (await world.ask(MANAGER)).text == NOT_FOR_YOU


async def test_without_a_public_address_managers_hear_that_it_is_not_set_up() -> None:
    ripple = Ripple(
        store=MemoryStore(),
        catalog=YamlPromptCatalog.load(),
        clock=ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
    )
    await set_up_team(ripple)

    manager = await Conversation(ripple, person_id=MANAGER).send(EventKind.WEB)
    member = await Conversation(ripple, person_id=TEAM[0]).send(EventKind.WEB)

    assert [m.text for m in manager if isinstance(m, TextMessage)] == [
        NOT_SET_UP + " Whoever runs Ripple can turn it on."
    ]
    assert [m.text for m in member if isinstance(m, TextMessage)] == [NOT_FOR_YOU]


async def test_in_german_the_link_comes_in_german(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.set_person(Person(person_id=MANAGER, display_name="Maya", locale="de"))

        reply = await world.ask(MANAGER)

        assert reply.text.startswith("Hier ist dein Link zu Ripples Web-Ansicht: https://")
        assert "gilt 15 Minuten" in reply.text


@pytest.mark.parametrize("typed", ["command", "dm"])
async def test_slack_ripple_web_sends_a_link_that_signs_in(tmp_path: Path, typed: str):
    web = {"public_url": PUBLIC_URL, "web_secret": SECRET}
    async with slack_world(tmp_path, extra_settings=web) as world:
        users = await open_round(world)
        channel_id = "slack:T0001:C0DESIGN"
        async with world.store.unit_of_work() as uow:
            channel = await uow.channels.get(channel_id)
            assert channel is not None
            config = replace(channel.config, managers=frozenset({SAM_ID}))
            await uow.channels.save(replace(channel, config=config))
            await uow.commit()
        sent = len(world.slack.messages(SAM))

        if typed == "command":
            assert await world.answer("web", user=SAM) == "I've sent you a direct message."
        else:
            response, _ = await world.event(
                "event_message_im",
                user_id=SAM,
                channel_id=world.slack.dm_channel_id(SAM),
                text="web",
            )
            assert response.status_code == 200
        await world.eventually(lambda: len(world.slack.messages(SAM)) > sent, what="the link")
        dm = blocks_text(world.latest_message(SAM).blocks)
        link = link_in(dm)

        signed_in = await world.http.get(link.removeprefix(PUBLIC_URL))
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/web/"
        # Someone who manages nothing asks too, and hears no.
        other = users[1]
        before = len(world.slack.messages(other))
        await world.command("web", user=other)
        await world.eventually(lambda: len(world.slack.messages(other)) > before, what="a no")
        assert NOT_FOR_YOU in blocks_text(world.latest_message(other).blocks)


async def test_teams_personal_chat_understands_web() -> None:
    async with teams_harness(store=MemoryStore(), clock=ManualClock(datetime.now(UTC))) as h:
        await h.install_in_team(by=ALEX, roster=[TEAMS_SAM, ALEX], owners=(ALEX,))
        async with h.ripple.store.unit_of_work() as uow:
            channel = await uow.channels.get(CHANNEL_ID)
            assert channel is not None
            config = replace(channel.config, managers=frozenset({ALEX.person_id}))
            await uow.channels.save(replace(channel, config=config))
            await uow.commit()

        await h.say(TEAMS_SAM, "web")
        await h.say(ALEX, "web")

        def text_of(user: object) -> str:
            card = h.connector.last_card(user.conversation_id)  # type: ignore[attr-defined]
            return "\n".join(
                b.get("text", "") for b in card["body"] if b.get("type") == "TextBlock"
            )

        assert NOT_FOR_YOU in text_of(TEAMS_SAM)
        assert NOT_SET_UP in text_of(ALEX)  # this server has no public address
