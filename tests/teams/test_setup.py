"""`@Ripple setup` in a channel: the settings card, saved by a team owner, refused to a member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import ChannelConfig
from tests.teams import ALEX, CHANNEL_ID, SAM, TEAM_ID, Harness, TeamsUser, teams_harness, user

NOW = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)
NOOR = user(3, "Noor")


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with teams_harness(store=MemoryStore(), clock=ManualClock(NOW)) as h:
        await h.install_in_team(by=ALEX, roster=[SAM, ALEX, NOOR], owners=(ALEX,))
        yield h


async def mention(h: Harness, who: TeamsUser, text: str) -> dict[str, Any]:
    activity = h.activity(
        "channel_mention", text=text, channel_id=TEAM_ID, team_id=TEAM_ID, **who.fields()
    )
    response = await h.post(activity)
    assert response.status_code == 202
    return last_channel_post(h)


def last_channel_post(h: Harness) -> dict[str, Any]:
    """The latest message Ripple posted in a channel thread (not a roster read)."""
    posts = [
        c
        for c in h.connector.calls
        if c.method == "POST" and (c.conversation_id or "").startswith("19:")
    ]
    return posts[-1].body


def form_values(card: dict[str, Any]) -> dict[str, Any]:
    return {item["id"]: item.get("value") for item in card["body"] if item.get("id")}


async def press_save(
    h: Harness,
    who: TeamsUser,
    card: dict[str, Any],
    changes: dict[str, str],
    *,
    submit: bool = False,
) -> dict[str, Any]:
    (save,) = card["actions"]
    data = {
        **save["data"],
        **{k: "" if v is None else str(v) for k, v in form_values(card).items()},
    }
    data.update({f"setup_{name}": value for name, value in changes.items()})
    fields = {
        **who.fields(),
        "channel_id": TEAM_ID,
        "team_id": TEAM_ID,
        "reply_to_id": "act-1",
    }
    if submit:
        activity = h.activity(
            "card_submit_message",
            conversation_type="channel",
            conversation_id=f"{TEAM_ID};messageid=act-1",
            **{k: v for k, v in fields.items() if k not in ("channel_id", "team_id")},
        )
        activity["channelData"].update({"channel": {"id": TEAM_ID}, "team": {"id": TEAM_ID}})
        activity["value"] = data
    else:
        activity = h.activity("channel_card_invoke", title=save["title"], **fields)
        activity["value"]["action"]["data"] = data
    response = await h.post(activity)
    return response.json() if response.status_code == 200 else {"status": response.status_code}


async def config(h: Harness) -> ChannelConfig:
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
    assert channel is not None
    return channel.config


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = reply["attachments"]
    return attachment["content"]


async def test_a_team_owner_gets_the_settings_card_and_saves_it(harness: Harness) -> None:
    h = harness
    reply = await mention(h, ALEX, "setup")
    card = card_of(reply)
    assert card["body"][0]["text"] == "Check-in settings for Design"
    inputs = form_values(card)
    assert inputs["setup_weekday"] == "0" and inputs["setup_time"] == "09:30"
    people = next(i for i in card["body"] if i.get("id") == "setup_managers")
    assert (
        people["isMultiSelect"] and people["choices.data"]["dataset"] == "graph.microsoft.com/users"
    )

    answer = await press_save(
        h, ALEX, card, {"weekday": "2", "time": "10:15", "k": "6", "managers": SAM.aad}
    )

    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert answer["value"]["body"][1]["text"] == "Saved the check-in settings for Design."
    saved = await config(h)
    assert (saved.cadence.weekday, saved.cadence.local_time, saved.k) == (2, time(10, 15), 6)
    assert saved.managers == frozenset({SAM.person_id})


async def test_the_card_speaks_the_owners_language_else_the_channels(harness: Harness) -> None:
    """The core picks the language: the sender's if Ripple speaks it, else the channel's."""
    h = harness
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL_ID)
        assert channel is not None
        await uow.channels.save(replace(channel, config=replace(channel.config, locale="de")))
        await uow.commit()

    spanish = card_of(await mention(h, replace(ALEX, locale="es-ES"), "setup"))
    french = card_of(await mention(h, replace(ALEX, locale="fr-FR"), "setup"))

    assert spanish["body"][0]["text"] == "Ajustes del check-in de Design"
    assert french["body"][0]["text"] == "Check-in-Einstellungen für Design"


async def test_a_member_is_refused_and_nothing_changes(harness: Harness) -> None:
    h = harness
    before = await config(h)
    refusal = await mention(h, SAM, "setup")
    assert (
        refusal["text"]
        == "Only admins of the workspace or team, and the Ripple admins of Design, can change its settings. Nothing was changed."
    )

    owner_card = card_of(await mention(h, ALEX, "setup"))
    answer = await press_save(h, SAM, owner_card, {"k": "3", "admins": SAM.aad})

    assert answer["value"]["body"][1]["text"] == (
        "Only admins of the workspace or team, and the Ripple admins of Design, can change its settings. Nothing was changed."
    )
    assert answer["value"]["body"][1]["color"] == "Attention"
    assert await config(h) == before


async def test_a_ripple_admin_who_does_not_own_the_team_may_save(harness: Harness) -> None:
    h = harness
    card = card_of(await mention(h, ALEX, "setup"))
    await press_save(h, ALEX, card, {"admins": NOOR.aad})

    answer = await press_save(h, NOOR, card, {"reminders": "2", "admins": NOOR.aad})

    assert answer["value"]["body"][1]["text"] == "Saved the check-in settings for Design."
    assert (await config(h)).reminders == 2


async def test_a_value_the_core_refuses_is_explained_and_not_saved(harness: Harness) -> None:
    h = harness
    card = card_of(await mention(h, ALEX, "setup"))

    answer = await press_save(h, ALEX, card, {"k": "2"})

    assert answer["value"]["body"][1]["text"].startswith("The settings weren't saved:")
    assert (await config(h)).k == 5


async def test_a_submit_from_a_client_without_universal_actions_is_answered_in_the_thread(
    harness: Harness,
) -> None:
    h = harness
    card = card_of(await mention(h, ALEX, "setup"))

    answer = await press_save(h, ALEX, card, {"every_weeks": "2"}, submit=True)

    assert answer == {"status": 202}
    assert last_channel_post(h)["text"] == "Saved the check-in settings for Design."
    assert (await config(h)).cadence.every_weeks == 2


async def test_setup_in_another_channel_registers_it_by_its_name_with_the_team_roster(
    harness: Harness,
) -> None:
    h = harness
    research = "19:5d1e7a0c2b4f4e6a9c8d0b1a2f3e4d5c@thread.tacv2"
    h.connector.channels[research] = "Research"
    activity = h.activity(
        "channel_mention", text="setup", channel_id=research, team_id=TEAM_ID, **ALEX.fields()
    )

    await h.post(activity)

    ref = f"teams:{CHANNEL_ID.split(':')[1]}:{research}"
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(ref)
        members = await uow.channels.members(ref)
    assert channel is not None and channel.name == "Research"
    assert members == {SAM.person_id, ALEX.person_id, NOOR.person_id}
    assert card_of(last_channel_post(h))["body"][0]["text"] == "Check-in settings for Research"


async def test_a_member_cannot_bring_ripple_into_another_channel(harness: Harness) -> None:
    """Only a team owner makes a channel a Ripple channel; a member asking is refused and
    nothing about the channel is stored or read."""
    h = harness
    research = "19:5d1e7a0c2b4f4e6a9c8d0b1a2f3e4d5c@thread.tacv2"
    h.connector.channels[research] = "Research"
    roster_reads = len([c for c in h.connector.calls if c.method == "GET"])
    activity = h.activity(
        "channel_mention", text="setup", channel_id=research, team_id=TEAM_ID, **SAM.fields()
    )

    assert (await h.post(activity)).status_code == 202

    ref = f"teams:{CHANNEL_ID.split(':')[1]}:{research}"
    async with h.ripple.store.unit_of_work() as uow:
        assert await uow.channels.get(ref) is None
        assert await uow.addresses.get(ref) is None
    refusal = last_channel_post(h)
    assert "Nothing was changed" in refusal["text"] and "Research" in refusal["text"]
    assert "attachments" not in refusal or not refusal["attachments"]
    reads = [c for c in h.connector.calls if c.method == "GET"]
    assert all("members" not in (c.path or "") for c in reads[roster_reads:])


async def test_a_card_naming_another_teams_channel_changes_only_its_own(
    harness: Harness,
) -> None:
    """An owner of one team edits the card's data to name another team's channel: that
    channel keeps its settings, whatever the card says; only the card's own channel saves."""
    h = harness
    before = await config(h)
    other_team = "19:7a1c3e5b9d2f4a6c8e0b1d3f5a7c9e2b@thread.tacv2"
    h.connector.channels[other_team] = "Elsewhere"
    activity = h.activity(
        "channel_mention", text="setup", channel_id=other_team, team_id=other_team, **ALEX.fields()
    )
    await h.post(activity)
    card = card_of(last_channel_post(h))
    (save,) = card["actions"]
    data = {
        **save["data"],
        **{k: "" if v is None else str(v) for k, v in form_values(card).items()},
        "channel": CHANNEL_ID,  # the forged part: this team's General channel
        "setup_k": "3",
        "setup_admins": ALEX.aad,
    }
    forged = h.activity(
        "channel_card_invoke",
        title=save["title"],
        **ALEX.fields(),
        channel_id=other_team,
        team_id=other_team,
        reply_to_id="act-1",
    )
    forged["value"]["action"]["data"] = data

    response = await h.post(forged)

    assert response.status_code == 200
    assert await config(h) == before
    elsewhere = f"teams:{CHANNEL_ID.split(':')[1]}:{other_team}"
    async with h.ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(elsewhere)
    assert channel is not None and channel.config.k == 3  # the card's own channel
