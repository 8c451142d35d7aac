"""The cross-adapter contract: one scripted check-in stores the same through every adapter.

Each player replays ``tests.scripted.STANDARD_CHECKIN`` its own way (Teams over HTTP with
cards, the console by typing, Slack with its signed payloads) on a fresh migrated SQLite
database and returns what the core stored; all must equal the core's own result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.teams.cards import NOTE_INPUT
from bot import rhythm
from bot.clock import ManualClock
from bot.model import CheckInState, Person
from bot.ripple import Ripple
from tests.console import StoredCheckIn, migrated_sqlite_store, stored_checkin
from tests.console.test_chat import chat, console_keystrokes
from tests.scripted import STANDARD_ANSWERS, STANDARD_CHECKIN, STANDARD_NOTE, Conversation
from tests.teams import ALEX, CHANNEL_ID, SAM, catalog, teams_harness

START = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)  # a Monday morning
EXPECTED = StoredCheckIn(
    state=CheckInState.DONE, answers=STANDARD_ANSWERS, note=STANDARD_NOTE, note_shared=False
)
Player = Callable[[Path], Awaitable[StoredCheckIn]]


async def through_the_core(tmp_path: Path) -> StoredCheckIn:
    store = await migrated_sqlite_store(tmp_path / "core.db")
    try:
        ripple = Ripple(store=store, catalog=catalog(), clock=ManualClock(START))
        await ripple.register_channel(channel_id="core:design", name="#design")
        await ripple.sync_members(
            channel_id="core:design", people=[Person(person_id="core:sam", display_name="Sam")]
        )
        await rhythm.open_round_now(ripple.context, channel_id="core:design", now=START)
        await Conversation(ripple, person_id="core:sam", channel_id="core:design").play(
            STANDARD_CHECKIN
        )
        return await stored_checkin(store, person_id="core:sam")
    finally:
        await store.close()


async def through_the_console(tmp_path: Path) -> StoredCheckIn:
    store = await migrated_sqlite_store(tmp_path / "console.db")
    try:
        await chat(store, catalog(), ManualClock(START), console_keystrokes(STANDARD_CHECKIN))
        return await stored_checkin(store, person_id="console:sam")
    finally:
        await store.close()


async def through_teams(tmp_path: Path) -> StoredCheckIn:
    """Sam, installed with the team, checks in from personal chat: typed command, card taps."""
    store = await migrated_sqlite_store(tmp_path / "teams.db")
    async with teams_harness(store=store, clock=ManualClock(START)) as h:
        await h.install_in_team(by=ALEX, roster=[SAM, ALEX])
        await rhythm.open_round_now(h.ripple.context, channel_id=CHANNEL_ID, now=START)
        for verb, argument in STANDARD_CHECKIN:
            if verb == "command":
                await h.say(SAM, argument)
            elif verb == "press":
                await h.tap(SAM, value=argument)
            elif verb == "skip":
                await h.tap(SAM, skip=True)
            elif verb == "note":
                await h.tap(SAM, value="private", inputs={NOTE_INPUT: argument})
            else:
                raise ValueError(f"unknown script step {verb!r}")
        return await stored_checkin(store, person_id=SAM.person_id)


async def through_slack(tmp_path: Path) -> StoredCheckIn:
    """Sam checks in from Slack: the slash command, button taps and the note modal."""
    try:
        from tests.slack.test_checkin import SAM as SLACK_SAM
        from tests.slack.test_checkin import SAM_ID, answer, open_round
        from tests.slack.test_people import label_for_action, label_for_value, write_note
        from tests.slack.world import slack_world
    except ImportError as exc:
        pytest.skip(f"the Slack test harness is not here: {exc}")
    async with slack_world(tmp_path) as world:
        await open_round(world, members=6)
        for verb, argument in STANDARD_CHECKIN:
            if verb == "command":
                asked = len(world.slack.messages(SLACK_SAM))
                assert (await world.command(argument, user=SLACK_SAM)).status_code == 200
                await world.eventually(
                    lambda before=asked: len(world.slack.messages(SLACK_SAM)) > before,
                    what="the reply",
                )
            elif verb == "press":
                await answer(world, SLACK_SAM, label_for_value(world, SLACK_SAM, argument))
            elif verb == "skip":
                await answer(world, SLACK_SAM, label_for_action(world, SLACK_SAM, "ripple_skip"))
            else:
                await write_note(world, SLACK_SAM, argument)

        async def finished() -> bool:
            stored = await stored_checkin(world.store, person_id=SAM_ID)
            return stored.state is CheckInState.DONE

        await world.until_stored(finished, what="the scripted check-in to finish")
        return await stored_checkin(world.store, person_id=SAM_ID)


@pytest.mark.parametrize(
    "player",
    [
        through_the_core,
        through_the_console,
        through_teams,
        through_slack,
    ],
    ids=["core", "console", "teams", "slack"],
)
async def test_the_standard_check_in_stores_the_same_through_every_adapter(
    tmp_path: Path, player: Player
) -> None:
    assert await player(tmp_path) == EXPECTED
