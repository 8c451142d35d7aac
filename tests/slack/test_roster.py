"""A Slack channel whose member list couldn't be read is read again later, and daily."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from adapters.scheduler import RippleClock
from adapters.slack.directory import MEMBERS_PAGE, Directory
from bot.roster import READ_EVERY
from tests.slack.fake_slack import FakeSlack
from tests.slack.world import CHANNEL, SlackWorld, slack_world

CHANNEL_ID = f"slack:T0001:{CHANNEL}"


async def members(world: SlackWorld) -> frozenset[str]:
    async with world.store.unit_of_work() as uow:
        return await uow.channels.members(CHANNEL_ID)


async def invite_ripple(world: SlackWorld, users: list[str]) -> None:
    for user in users:
        world.slack.add_user(world.team_id, user, locale="en-US")
    world.slack.add_channel(world.team_id, CHANNEL, name="design", members=[*users, "U0BOT"])
    response, _ = await world.event(
        "event_member_joined_channel", user_id="U0BOT", channel_id=CHANNEL
    )
    assert response.status_code == 200


async def test_a_failed_first_read_is_retried_by_the_scheduler(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        world.slack.fail_next("conversations.members", count=2, status=503)
        await invite_ripple(world, ["U0001", "U0002", "U0003"])
        await world.until_stored(
            lambda: _registered(world), what="the channel, registered without its members"
        )
        await world.eventually(
            lambda: len(world.slack.calls("conversations.members")) >= 1, what="a first read"
        )
        await asyncio.sleep(0.2)
        assert await members(world) == frozenset()

        scheduler = RippleClock(ripple=world.ripple, interval=60)
        world.clock.advance(timedelta(minutes=1))
        await scheduler.read_members()  # Slack fails once more
        assert await members(world) == frozenset()
        world.clock.advance(timedelta(minutes=2))
        await scheduler.read_members()

        assert await members(world) == {f"slack:T0001:{u}" for u in ("U0001", "U0002", "U0003")}


async def test_a_member_no_event_told_ripple_about_is_found_the_next_day(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        await invite_ripple(world, ["U0001", "U0002"])
        await world.until_stored(lambda: _has(world, 2), what="two members")
        world.slack.add_user(world.team_id, "U0003", locale="en-US")
        world.slack.state.channels[(world.team_id, CHANNEL)].members.append("U0003")

        scheduler = RippleClock(ripple=world.ripple, interval=60)
        await scheduler.read_members()
        assert len(await members(world)) == 2  # read an hour ago: not due
        world.clock.advance(READ_EVERY)
        await scheduler.read_members()

        assert "slack:T0001:U0003" in await members(world)


async def _registered(world: SlackWorld) -> bool:
    async with world.store.unit_of_work() as uow:
        return await uow.channels.get(CHANNEL_ID) is not None


async def _has(world: SlackWorld, count: int) -> bool:
    return len(await members(world)) == count


async def test_every_page_of_a_channels_members_is_read_and_bots_left_out() -> None:
    people = [f"U{n:05d}" for n in range(2 * MEMBERS_PAGE + 10)]
    async with FakeSlack() as slack:
        slack.add_workspace(team_id="T0001", team_name="Ripple Test")
        for user_id in people:
            slack.add_user("T0001", user_id)
        slack.add_user("T0001", "U0BOT", is_bot=True)
        slack.add_channel("T0001", "C0001", name="big", members=[*people, "U0BOT"])
        client = AsyncWebClient(base_url=slack.api_url, token=slack.workspace().bot_token)

        read = await Directory().channel_people(client, team_id="T0001", channel_id="C0001")

        assert [p.person_id for p in read] == [f"slack:T0001:{u}" for u in people]
        assert len(slack.calls("conversations.members")) == 3


async def test_a_burst_from_someone_not_yet_seen_asks_slack_about_them_once() -> None:
    async with FakeSlack() as slack:
        workspace = slack.add_workspace("T0001")
        slack.add_user("T0001", "U0001", locale="en-US")
        client = AsyncWebClient(base_url=slack.api_url, token=workspace.bot_token)
        directory = Directory()

        users = await asyncio.gather(
            *(directory.user(client, team_id="T0001", user_id="U0001") for _ in range(50))
        )

        assert {u.user_id for u in users if u is not None} == {"U0001"}
        assert len(slack.calls("users.info")) == 1
