"""A person's own data and controls: history, export, forget; managers' summaries; settings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.events import EventKind
from bot.model import Actor, ChannelConfig, ConfigError, Role
from bot.outgoing import QuestionMessage, SummaryMessage, TextMessage
from bot.ripple import Ripple
from tests.engine.conftest import ADMIN, CHANNEL, MANAGER, TEAM
from tests.scripted import STANDARD_CHECKIN, Conversation

ADMIN_ROLES = frozenset({Role.WORKSPACE_ADMIN})


async def test_history_lists_the_persons_own_check_ins_with_their_answers(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.play(STANDARD_CHECKIN)
    await chat.send(EventKind.HISTORY)
    text = chat.last_text
    assert "Your recent check-ins" in text
    assert "2026-W45 in #design: checked in" in text
    assert "4 — heavy" in text


async def test_history_for_someone_new_is_empty_and_kind(ripple: Ripple):
    chat = Conversation(ripple, person_id="console:new")
    await chat.send(EventKind.HISTORY)
    assert "don't have any check-ins yet" in chat.last_text


async def test_export_contains_everything_kept_about_the_person_and_nobody_else(team: Ripple):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.play(STANDARD_CHECKIN)
    await Conversation(team, person_id=TEAM[1]).play(STANDARD_CHECKIN)
    await chat.send(EventKind.EXPORT)
    message = chat.last
    assert isinstance(message, TextMessage)
    assert message.data is not None
    data = json.loads(message.data)
    assert data["person"]["id"] == TEAM[0]
    assert data["channels"] == [CHANNEL]
    assert len(data["checkins"]) == 1
    assert data["checkins"][0]["answers"]["workload"] == "4"
    assert data["checkins"][0]["note"] == "Release week. Fine, but tired."
    assert TEAM[1] not in message.data


async def test_forget_asks_first_and_then_erases_everything(team: Ripple, clock: ManualClock):
    chat = Conversation(team, person_id=TEAM[0])
    await chat.play(STANDARD_CHECKIN)
    await chat.send(EventKind.FORGET)
    confirm = chat.last
    assert isinstance(confirm, QuestionMessage)
    assert confirm.action == "forget"
    clock.advance(timedelta(seconds=1))
    await chat.press("no")
    assert "Nothing was erased" in chat.last_text
    async with team.store.unit_of_work() as uow:
        assert await uow.checkins.list_for_person(TEAM[0])
    await chat.send(EventKind.FORGET)
    clock.advance(timedelta(seconds=1))
    await chat.press("yes")
    assert "erased" in chat.last_text
    async with team.store.unit_of_work() as uow:
        assert await uow.checkins.list_for_person(TEAM[0]) == []
        assert await uow.people.get(TEAM[0]) is None
        assert await uow.channels.channels_of(TEAM[0]) == []
        queued = await uow.outbox.list_for_recipient(TEAM[0])
    assert [m.payload.text for m in queued if isinstance(m.payload, TextMessage)] == [
        "Done. Ripple has erased everything it kept about you, and won't add you back "
        "to a channel unless you write to it again."
    ]
    farewell = queued[0]
    assert farewell.payload.farewell and farewell.payload.ephemeral
    assert TEAM[0] not in farewell.idempotency_key


async def test_summary_is_for_managers_only_and_waits_for_the_round_to_close(
    team: Ripple, clock: ManualClock
):
    manager = Conversation(team, person_id=MANAGER)
    await manager.send(EventKind.SUMMARY)
    assert "No summaries yet" in manager.last_text
    member = Conversation(team, person_id=TEAM[0])
    await member.send(EventKind.SUMMARY)
    assert "not listed as a manager" in member.last_text

    for pid in TEAM[:5]:
        await Conversation(team, person_id=pid).play(STANDARD_CHECKIN)
    clock.advance(timedelta(days=4))
    await team.tick()
    await manager.send(EventKind.SUMMARY)
    summary = manager.last
    assert isinstance(summary, SummaryMessage)
    assert not summary.suppressed
    assert "Release week" not in summary.text  # a private note never reaches a manager


async def test_only_admins_change_settings_and_bad_values_are_refused(team: Ripple):
    refused = await team.configure_channel(
        actor=Actor(person_id=TEAM[0], place="console"), channel_id=CHANNEL, config={"k": 7}
    )
    assert not refused.saved
    assert "the Ripple admins of" in refused.message
    saved = await team.configure_channel(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, config={"k": 7}
    )
    assert saved.saved
    assert saved.channel is not None and saved.channel.config.k == 7
    too_small = await team.configure_channel(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, config={"k": 2}
    )
    assert not too_small.saved
    assert "at least 3" in too_small.message
    by_workspace_admin = await team.configure_channel(
        actor=Actor(person_id="console:owner", place="console", roles=ADMIN_ROLES),
        channel_id=CHANNEL,
        config={"reminders": 2},
    )
    assert by_workspace_admin.saved
    async with team.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL)
    assert channel is not None
    assert (channel.config.k, channel.config.reminders) == (7, 2)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"k": 2}, "at least 3"),
        ({"reminders": 3}, "reminders"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"comment_threshold": 4}, "comment threshold"),
    ],
)
def test_channel_settings_validate_themselves(values: dict[str, object], problem: str):
    with pytest.raises(ConfigError, match=problem):
        ChannelConfig(**values)  # type: ignore[arg-type]
