"""Installs, uninstalls and roster changes keep Ripple's addresses and memberships in step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.scheduler import RippleClock
from adapters.teams.references import Route
from bot import rhythm
from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.outgoing import TextMessage
from bot.ports import Address, SendOutcome
from tests.teams import (
    ALEX,
    APP_ID,
    CHANNEL_ID,
    SAM,
    TEAM_ID,
    Harness,
    TeamsUser,
    teams_harness,
    user,
)
from tests.teams.fake_connector import Failure, Member

NOW = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)
TEAM = [user(200 + n) for n in range(230)]


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with teams_harness(store=MemoryStore(), clock=ManualClock(NOW)) as h:
        yield h


async def address(h: Harness, owner_id: str) -> Address | None:
    async with h.ripple.store.unit_of_work() as uow:
        return await uow.addresses.get(owner_id)


async def members(h: Harness) -> frozenset[str]:
    async with h.ripple.store.unit_of_work() as uow:
        return await uow.channels.members(CHANNEL_ID)


def team_event(
    h: Harness, event_type: str, *, added: list[dict] = (), removed: list[dict] = ()
) -> dict:
    activity = h.activity(
        "team_conversation_update",
        team_id=TEAM_ID,
        team_name="Design",
        team_group_id=h.connector.team_group_id,
        event_type=event_type,
        user_id=ALEX.teams_id,
        user_aad=ALEX.aad,
    )
    activity["membersAdded"] = list(added)
    activity["membersRemoved"] = list(removed)
    return activity


async def test_a_personal_install_stores_the_conversation_reference(harness: Harness) -> None:
    await harness.install_personally(SAM)

    found = await address(harness, SAM.person_id)
    assert found is not None and found.reachable
    route = Route.from_json(found.data)
    assert route.conversation_id == SAM.conversation_id
    assert route.service_url == harness.connector.service_url
    assert route.bot.id == f"28:{APP_ID}"
    assert route.reference is not None and route.reference.user.aad_object_id == SAM.aad


async def test_uninstalling_marks_the_person_unreachable_until_they_come_back(
    harness: Harness,
) -> None:
    h = harness
    await h.install_personally(SAM)

    await h.install_personally(SAM, action="remove")
    result = await h.platform.sender.send(
        TextMessage(recipient=SAM.person_id, idempotency_key="k", text="Hi"), replaces=None
    )
    assert result.outcome is SendOutcome.UNREACHABLE
    assert h.connector.calls == []

    await h.say(SAM, "help")
    found = await address(h, SAM.person_id)
    assert found is not None and found.reachable


async def test_a_team_install_pages_the_roster_skips_bots_and_registers_the_channel(
    harness: Harness,
) -> None:
    h = harness
    other_bot = Member(id="28:another-bot", aad_object_id="0000-bot", name="Another bot")

    h.connector.roster = [p.member() for p in TEAM] + [other_bot]
    activity = team_event(h, "teamMemberAdded", added=[{"id": f"28:{APP_ID}"}])
    await h.post(activity)

    pages = [c for c in h.connector.calls if c.path.endswith("/pagedmembers")]
    assert len(pages) == 3  # 231 members, 100 a page
    assert await members(h) == {p.person_id for p in TEAM}
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None and channel.name == "Design"
    roster_only = Route.from_json((await address(h, TEAM[0].person_id)).data)
    assert roster_only.conversation_id is None and roster_only.user.id == TEAM[0].teams_id
    assert (await address(h, CHANNEL_ID)) is not None


async def test_someone_known_from_the_roster_gets_a_personal_chat_created_once(
    harness: Harness,
) -> None:
    h = harness
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    sender = h.platform.sender

    for n in range(2):
        message = TextMessage(recipient=SAM.person_id, idempotency_key=f"k{n}", text="Hi")
        assert (await sender.send(message, replaces=None)).outcome is SendOutcome.SENT

    creates = [c for c in h.connector.calls if c.path.endswith("/v3/conversations")]
    assert len(creates) == 1
    assert creates[0].body["members"] == [
        {"id": SAM.teams_id, "name": "Sam", "aadObjectId": SAM.aad}
    ]
    assert creates[0].body["tenantId"] == CHANNEL_ID.split(":")[1]
    assert len(h.connector.sent(SAM.conversation_id)) == 2
    # Later roster syncs keep the personal chat.
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    assert (
        Route.from_json((await address(h, SAM.person_id)).data).conversation_id
        == SAM.conversation_id
    )


async def test_people_joining_and_leaving_the_team_join_and_leave_its_ripple_channels(
    harness: Harness,
) -> None:
    h = harness
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    await rhythm.open_round_now(h.ripple.context, channel_id=CHANNEL_ID, now=h.clock.now())
    noor = TeamsUser(name="Noor", aad="00000000-0000-4000-8000-000000000303")

    await h.post(
        team_event(h, "teamMemberAdded", added=[{"id": noor.teams_id, "aadObjectId": noor.aad}])
    )
    assert await members(h) == {SAM.person_id, ALEX.person_id, noor.person_id}
    async with h.ripple.store.unit_of_work() as uow:
        assert len(await uow.checkins.list_for_person(noor.person_id)) == 1  # asked this week too

    await h.post(
        team_event(h, "teamMemberRemoved", removed=[{"id": SAM.teams_id, "aadObjectId": SAM.aad}])
    )
    assert await members(h) == {ALEX.person_id, noor.person_id}


async def test_removing_ripple_from_the_team_stops_its_channels_until_it_returns(
    harness: Harness,
) -> None:
    h = harness
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])

    await h.post(team_event(h, "teamMemberRemoved", removed=[{"id": f"28:{APP_ID}"}]))

    found = await address(h, CHANNEL_ID)
    assert found is not None and not found.reachable
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None and not channel.active  # no more rounds open there

    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None and channel.active


async def test_renaming_the_team_renames_its_general_channel_in_ripple(harness: Harness) -> None:
    h = harness
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    activity = team_event(h, "teamRenamed")
    activity["channelData"]["team"]["name"] = "Design & Research"

    await h.post(activity)

    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None and channel.name == "Design & Research"


async def test_a_roster_sync_does_not_bring_back_someone_who_blocked_ripple(
    harness: Harness,
) -> None:
    h = harness
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    h.connector.blocked.add(SAM.conversation_id)
    message = TextMessage(recipient=SAM.person_id, idempotency_key="k", text="Hi")
    assert (await h.platform.sender.send(message, replaces=None)).outcome is SendOutcome.UNREACHABLE

    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])

    found = await address(h, SAM.person_id)
    assert found is not None and not found.reachable


async def test_a_roster_teams_refused_at_install_is_read_again_by_the_scheduler(
    harness: Harness,
) -> None:
    h = harness
    # Teams refuses the roster's first page on every retry; Ripple gives up for now.
    h.connector.failures.append(
        Failure(status=503, times=5, matches=lambda method, _: method == "GET")
    )
    await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
    assert await members(h) == frozenset()
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None and channel.members_failures == 1
    assert channel.members_due_at is not None

    h.clock.set(channel.members_due_at)
    await RippleClock(ripple=h.ripple, interval=60).read_members()

    assert await members(h) == {SAM.person_id, ALEX.person_id}
    sam = await address(h, SAM.person_id)
    assert sam is not None and Route.from_json(sam.data).user is not None
