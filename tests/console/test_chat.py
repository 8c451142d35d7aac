"""The interactive console check-in, typed line by line over a migrated SQLite store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleChat
from adapters.console.sender import ConsoleSender
from bot import rhythm
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.model import Channel, CheckInState, Person
from bot.outgoing import TextMessage
from bot.ports import PromptCatalog
from bot.ripple import Ripple
from storage.store import SqlStore
from tests.console import StoredCheckIn, migrated_sqlite_store, stored_checkin
from tests.scripted import STANDARD_ANSWERS, STANDARD_CHECKIN, STANDARD_NOTE, Conversation

START = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)  # a Monday morning
SAM = "console:sam"
KEYSTROKE = timedelta(seconds=5)

# A person typing the standard check-in by number: yes, workload 4, energy 2,
# some extra hours (2), skip covering, partly rested (2), a private note (2) and its text.
TYPED_BY_NUMBER = ("1", "4", "2", "2", "s", "2", "2", STANDARD_NOTE)


@dataclass
class Terminal:
    """A person at a terminal: types ``lines`` one at a time, then closes the input."""

    clock: ManualClock
    lines: list[str]
    screen: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)

    def read(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        self.clock.advance(KEYSTROKE)  # people take a moment to type
        return self.lines.pop(0)

    def write(self, text: str) -> None:
        self.screen.append(text)

    @property
    def text(self) -> str:
        """Everything shown, with the terminal's line wrapping undone."""
        return " ".join(" ".join(self.screen).split())


@pytest.fixture(scope="module")
def catalog() -> PromptCatalog:
    return YamlPromptCatalog.load()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    store = await migrated_sqlite_store(tmp_path / "ripple.db")
    yield store
    await store.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def chat(
    store: SqlStore,
    catalog: PromptCatalog,
    clock: ManualClock,
    lines: Sequence[str],
    *,
    person: str = "sam",
    admin: bool = False,
) -> tuple[Terminal, ConsoleSender]:
    """Run one `ripple chat` session in #design until the typed lines run out."""
    terminal = Terminal(clock=clock, lines=list(lines))
    sender = ConsoleSender(write=terminal.write)
    ripple = Ripple(store=store, catalog=catalog, clock=clock, senders={sender.platform: sender})
    console = ConsoleChat(
        ripple=ripple,
        sender=sender,
        channel="design",
        person=person,
        read=terminal.read,
        write=terminal.write,
        admin=admin,
    )
    await console.run()
    return terminal, sender


def say(catalog: PromptCatalog, key: str, **params: object) -> str:
    return catalog.message(key, locale="en", **params)


async def test_a_check_in_typed_by_number_is_stored(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    terminal, _ = await chat(store, catalog, clock, TYPED_BY_NUMBER)

    assert say(catalog, "gate.text", name="Sam", channel="#design") in terminal.text
    assert "[s] skip" in "\n".join(terminal.screen)
    assert "Question 5 of 5" in terminal.text
    assert "Your note: " in terminal.prompts
    assert say(catalog, "done.thanks") in terminal.text
    assert await stored_checkin(store, person_id=SAM) == StoredCheckIn(
        state=CheckInState.DONE, answers=STANDARD_ANSWERS, note=STANDARD_NOTE, note_shared=False
    )


async def test_choices_can_be_typed_as_words(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    lines = ["yes, let's go", "4 — heavy", "2 — low", "many", "yes", "no", "no note, i'm done"]

    await chat(store, catalog, clock, lines)

    assert await stored_checkin(store, person_id=SAM) == StoredCheckIn(
        state=CheckInState.DONE,
        answers={
            "workload": "4",
            "energy": "2",
            "extra_hours": "many",
            "covering": "yes",
            "real_rest": "no",
        },
        note=None,
        note_shared=False,
    )


async def test_an_out_of_range_answer_is_refused_and_asked_again(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    terminal, _ = await chat(store, catalog, clock, ["1", "9"])

    workload = "How heavy was your workload this week?"
    refusal = terminal.text.index("isn't one of the choices")
    assert workload in terminal.text[refusal:], "the question is shown again after the refusal"
    assert terminal.text.count(workload) == 2
    assert await stored_checkin(store, person_id=SAM) == StoredCheckIn(
        state=CheckInState.ANSWERING, answers={}, note=None, note_shared=False
    )


async def test_a_stray_word_at_the_gate_is_not_taken_as_a_choice(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    terminal, _ = await chat(store, catalog, clock, ["9", "maybe"])

    assert terminal.text.count("Please type one of the numbers 1 to 3.") == 2
    gate = say(catalog, "gate.text", name="Sam", channel="#design")
    assert terminal.text.count(gate) == 3, "asked once, then shown again after each stray word"
    assert (await stored_checkin(store, person_id=SAM)).state is CheckInState.ASKED


async def test_a_note_typed_without_choosing_first_is_not_lost(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    # Typing the note straight at the note prompt used to finish the check-in without it.
    lines = ["1", "s", "s", "s", "s", "s", "Busy week", "2", "Busy week"]

    terminal, _ = await chat(store, catalog, clock, lines)

    assert "Please type one of the numbers 1 to 3." in terminal.text
    stored = await stored_checkin(store, person_id=SAM)
    assert (stored.state, stored.answers, stored.note) == (CheckInState.DONE, {}, "Busy week")


async def test_input_ending_at_the_note_prompt_leaves_the_check_in_open(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    await chat(store, catalog, clock, ["1", "4", "2", "1", "1", "1", "2"])  # then EOF

    stored = await stored_checkin(store, person_id=SAM)
    assert (stored.state, stored.note) == (CheckInState.ANSWERING, None)
    assert stored.answers == {
        "workload": "4",
        "energy": "2",
        "extra_hours": "none",
        "covering": "no",
        "real_rest": "yes",
    }


async def test_choosing_rest_is_stored_as_rest(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    terminal, _ = await chat(store, catalog, clock, ["3"])

    assert say(catalog, "rest.ack") in terminal.text
    assert await stored_checkin(store, person_id=SAM) == StoredCheckIn(
        state=CheckInState.RESTED, answers={}, note=None, note_shared=False
    )


async def test_quit_stops_reading(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    terminal, _ = await chat(store, catalog, clock, ["quit", "1"])

    assert terminal.lines == ["1"]
    assert (await stored_checkin(store, person_id=SAM)).state is CheckInState.ASKED


async def person(store: SqlStore, person_id: str) -> Person:
    async with store.unit_of_work() as uow:
        found = await uow.people.get(person_id)
    assert found is not None
    return found


async def test_history_pause_resume_export_and_help(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    await chat(store, catalog, clock, TYPED_BY_NUMBER)

    terminal, _ = await chat(store, catalog, clock, ["history", "pause"])
    assert say(catalog, "done.already") in terminal.text, "a second chat the same week"
    history = terminal.text[terminal.text.index(say(catalog, "history.heading")) :]
    assert "in #design: checked in" in history
    assert "How heavy was your workload this week: 4 — heavy" in history
    assert say(catalog, "pause.ack") in terminal.text
    assert (await person(store, SAM)).paused

    terminal, sender = await chat(store, catalog, clock, ["resume", "export", "help"])
    assert say(catalog, "resume.ack") in terminal.text
    assert not (await person(store, SAM)).paused
    assert say(catalog, "help.text") in terminal.text
    (export,) = [m for m in sender.to(SAM) if isinstance(m, TextMessage) and m.data is not None]
    assert export.data is not None
    assert export.data in "\n".join(terminal.screen), "the export is printed in full"
    (checkin,) = json.loads(export.data)["checkins"]
    assert (checkin["answers"], checkin["note"], checkin["state"]) == (
        STANDARD_ANSWERS,
        STANDARD_NOTE,
        "done",
    )


async def test_someone_else_in_the_channel_sees_nothing_of_sams_check_in(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    _, sams = await chat(store, catalog, clock, TYPED_BY_NUMBER)
    terminal, lees = await chat(store, catalog, clock, ["history"], person="lee")

    assert all(d.message.recipient == SAM for d in sams.delivered)
    assert all(d.message.recipient == "console:lee" for d in lees.delivered)
    assert STANDARD_NOTE not in terminal.text
    assert say(catalog, "gate.text", name="Lee", channel="#design") in terminal.text


# The cross-adapter contract, console part.


def console_keystrokes(script: Sequence[tuple[str, str]]) -> list[str]:
    """What a person types in `ripple chat` to play ``script``: commands and choices by name."""
    keys: list[str] = []
    for verb, argument in script:
        if verb in ("command", "press"):
            keys.append(argument)
        elif verb == "skip":
            keys.append("s")
        elif verb == "note":
            keys += ["private", argument]
        else:
            raise ValueError(f"unknown script step {verb!r}")
    return keys


async def test_the_standard_check_in_stores_the_same_through_the_console_and_the_core(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    core_store = await migrated_sqlite_store(tmp_path / "core.db")
    console_store = await migrated_sqlite_store(tmp_path / "console.db")
    try:
        clock = ManualClock(START)
        ripple = Ripple(store=core_store, catalog=catalog, clock=clock)
        await ripple.register_channel(channel_id="console:design", name="#design")
        await ripple.sync_members(
            channel_id="console:design", people=[Person(person_id=SAM, display_name="Sam")]
        )
        await rhythm.open_round_now(ripple.context, channel_id="console:design", now=clock.now())
        await Conversation(ripple, person_id=SAM, channel_id="console:design").play(
            STANDARD_CHECKIN
        )
        through_core = await stored_checkin(core_store, person_id=SAM)

        await chat(console_store, catalog, ManualClock(START), console_keystrokes(STANDARD_CHECKIN))
        through_console = await stored_checkin(console_store, person_id=SAM)
    finally:
        await core_store.close()
        await console_store.close()

    assert through_core == StoredCheckIn(
        state=CheckInState.DONE, answers=STANDARD_ANSWERS, note=STANDARD_NOTE, note_shared=False
    )
    assert through_console == through_core


async def test_setup_shows_and_changes_the_settings_for_the_admin_only(
    store: SqlStore, catalog: PromptCatalog, clock: ManualClock
) -> None:
    terminal, _ = await chat(store, catalog, clock, ["setup k=7"])
    assert "Nothing was changed" in terminal.text
    assert (await channel(store)).config.k == 5

    terminal, _ = await chat(
        store, catalog, clock, ["setup", "setup k=7 weekday=3", "setup k"], person="ada", admin=True
    )
    assert "Check-in settings for #design" in terminal.text
    assert "k = 5" in terminal.text and "3 Thursday" in terminal.text
    assert "Saved the check-in settings" in terminal.text
    assert "Please write each change as name=value" in terminal.text
    config = (await channel(store)).config
    assert (config.k, config.cadence.weekday) == (7, 3)


async def channel(store: SqlStore) -> Channel:
    async with store.unit_of_work() as uow:
        found = await uow.channels.get("console:design")
    assert found is not None
    return found
