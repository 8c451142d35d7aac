"""One scripted conversation through the console, Slack and Teams leaves the same stored state.

The script (``script.play``), for Sam in one channel, each action at its own minute of a
manual clock, on a fresh migrated SQLite database per adapter:

1. the week's round opens (``rhythm.open_round_now``) and a scheduler tick asks Sam;
2. at the capacity gate Sam chooses "Later", then the "In an hour" preset. The console
   offers only the presets (Slack adds a date-time picker, Teams a date and time input),
   and "In an hour" is the one preset whose end does not depend on a time zone, which
   each platform reports differently (Slack and Teams: Europe/Berlin; the console: none);
3. the snooze ends with the next tick; Sam says yes, answers every question of the
   default set and adds a private note;
4. Sam asks for their history, then for an export of their data;
5. a week later the next round opens, and Sam would rather rest;
6. Sam, not an admin, tries to set the anonymity threshold k to 7 and is refused; an
   admin (Slack: a workspace admin; Teams: the team's owner in the fake Graph; the
   console: `ripple chat --admin`, typing ``setup k=7``) sets it;
7. Sam says forget and confirms.

The core alone (``core_player``) plays the same script and gives the expected records.
At six checkpoints each adapter's store is read through its repositories into a
platform-neutral ``Snapshot`` (Sam's check-ins, person row, membership and tombstone; the
channel's rounds; its settings) that must equal the core's, part by part; what Sam (or
the admin) was shown at each step must hold the words the prompt catalog has for it.

A step an adapter cannot do would be listed in ``KNOWN_GAPS`` as a strict expected
failure, with the reason; today there is none.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.model import CheckInState, RoundStatus
from tests.conversation_contract.console_player import console_player
from tests.conversation_contract.core_player import core_player
from tests.conversation_contract.script import (
    ANSWERS,
    CHECKPOINTS,
    NEW_K,
    NOTE,
    PARTS,
    SNOOZE_ENDS,
    Player,
    SamRecord,
    Transcript,
    expected_phrases,
    neutral,
    play,
)
from tests.conversation_contract.slack_player import slack_player
from tests.conversation_contract.teams_player import teams_player

pytestmark = pytest.mark.asyncio(loop_scope="module")

PLAYERS: dict[str, Callable[[Path], AbstractAsyncContextManager[Player]]] = {
    "core": core_player,
    "console": console_player,
    "slack": slack_player,
    "teams": teams_player,
}
ADAPTERS = ("console", "slack", "teams")

KNOWN_GAPS: dict[tuple[str, ...], str] = {}


def cases(*grid: tuple[str, ...]) -> list[Any]:
    """Every combination of ``grid``'s values, the known gaps marked as strict xfails."""
    combos: list[tuple[str, ...]] = [()]
    for values in grid:
        combos = [(*combo, value) for combo in combos for value in values]
    return [
        pytest.param(
            *combo,
            id="-".join(combo),
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[combo])]
            if combo in KNOWN_GAPS
            else [],
        )
        for combo in combos
    ]


class Transcripts:
    """Each player's transcript of the script, played once per module, when first asked for."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.played: dict[str, Transcript | Exception] = {}

    async def of(self, name: str) -> Transcript:
        if name not in self.played:
            folder = self.folder / name
            folder.mkdir()
            try:
                async with PLAYERS[name](folder) as player:
                    self.played[name] = await play(player)
            except Exception as exc:  # reported by every test that needs this transcript
                self.played[name] = exc
        played = self.played[name]
        if isinstance(played, Exception):
            raise AssertionError(f"the script did not play through {name}") from played
        return played


@pytest.fixture(scope="module")
def clean_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Settings from the players alone: no RIPPLE_ or SLACK_ variables, no .env file."""
    folder = tmp_path_factory.mktemp("contract")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(folder)
        for name in [n for n in os.environ if n.startswith(("RIPPLE_", "SLACK_"))]:
            monkeypatch.delenv(name)
        yield folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def transcripts(clean_environment: Path) -> AsyncIterator[Transcripts]:
    yield Transcripts(clean_environment)


async def test_the_core_stores_what_the_script_says(transcripts: Transcripts) -> None:
    core = (await transcripts.of("core")).snapshots

    (snoozed,) = core["snoozed"].sam.checkins
    assert (snoozed.state, snoozed.snooze_until) == (CheckInState.SNOOZED, SNOOZE_ENDS)
    (done,) = core["checked_in"].sam.checkins
    assert (done.state, done.answers, done.note, done.note_shared, done.snooze_until) == (
        CheckInState.DONE,
        dict(ANSWERS),
        NOTE,
        False,
        SNOOZE_ENDS,
    )
    rested, first = core["rested"].sam.checkins
    assert (rested.state, rested.answers, first) == (CheckInState.RESTED, {}, done)
    assert core["refused"] == core["rested"], "a refused settings change changes nothing"
    assert core["configured"].sam == core["rested"].sam
    assert core["configured"].settings == {**core["rested"].settings, "k": NEW_K}
    assert core["forgotten"].sam == SamRecord(
        checkins=(), known=False, paused=None, member=False, forgotten=True
    )
    last_week, this_week = core["forgotten"].rounds
    assert (last_week.status, this_week.status) == (RoundStatus.CLOSED, RoundStatus.OPEN)
    # Sam's answered round was published, so erasure leaves an anonymous respondent there.
    assert last_week.erased_respondents == (
        (CheckInState.DONE, tuple(sorted(signal for signal, _ in ANSWERS))),
    )


@pytest.mark.parametrize(("adapter", "checkpoint", "part"), cases(ADAPTERS, CHECKPOINTS, PARTS))
async def test_each_adapter_stores_what_the_core_stores(
    transcripts: Transcripts, adapter: str, checkpoint: str, part: str
) -> None:
    expected = (await transcripts.of("core")).snapshots[checkpoint].part(part)

    stored = (await transcripts.of(adapter)).snapshots[checkpoint].part(part)

    assert stored == expected


@pytest.mark.parametrize(("adapter", "step"), cases(("core", *ADAPTERS), tuple(expected_phrases())))
async def test_each_step_shows_the_catalogs_words(
    transcripts: Transcripts, adapter: str, step: str
) -> None:
    shown = (await transcripts.of(adapter)).shown[step]

    missing = [phrase for phrase in expected_phrases()[step] if phrase not in shown]

    assert not missing, f"{adapter} showed, at {step}: {shown!r}"


def exported(transcript: Transcript) -> dict[str, Any]:
    """The export Sam was shown, its ids replaced by roles (display name, zone, locale left out:
    each platform reports its own)."""
    shown = transcript.shown["export"]
    document: dict[str, Any] = json.loads(shown[shown.index("{") : shown.rindex("}") + 1])
    person = document["person"]
    neutral_document: dict[str, Any] = neutral(
        {
            "person": {"id": person["id"], "paused": person["paused"]},
            "channels": document["channels"],
            "checkins": document["checkins"],
        },
        transcript.roles,
    )
    return neutral_document


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_the_export_holds_what_the_core_exports(
    transcripts: Transcripts, adapter: str
) -> None:
    core = exported(await transcripts.of("core"))

    mine = exported(await transcripts.of(adapter))

    assert core["checkins"][0]["answers"] == dict(ANSWERS)
    assert mine == core
