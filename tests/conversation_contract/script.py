"""The conversation every adapter plays, and the platform-neutral record of what it left.

``play(player)`` drives a :class:`Player` (one adapter, or the core alone) through the
script on a manual clock, every action at a fixed time, and returns a :class:`Transcript`:
what Sam was shown at each step, and :class:`Snapshot` values of the store at checkpoints,
with platform ids replaced by roles ("sam", "admin", "channel").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.erasure import MARKER_PREFIX
from bot.model import ChannelConfig, CheckIn, CheckInState, Round, RoundStatus, RoundTerms
from bot.oneway import tombstone_mark
from bot.ports import Store
from tests.teams import catalog

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # a Monday, at a new channel's default ask time
T1 = T0 + timedelta(weeks=1)  # the next week's round
MINUTE = timedelta(minutes=1)
SNOOZE = "in_1h"  # the one snooze preset whose end does not depend on anyone's time zone
SNOOZED_AT = T0 + 2 * MINUTE
SNOOZE_ENDS = SNOOZED_AT + timedelta(hours=1)
# Every question of the default set, in its order: (signal, value).
ANSWERS: tuple[tuple[str, str], ...] = (
    ("workload", "4"),
    ("energy", "2"),
    ("extra_hours", "some"),
    ("covering", "yes"),
    ("real_rest", "partly"),
)
NOTE = "Release week. Fine, but tired."
NEW_K = 7  # the one setting the admin changes (the anonymity threshold, from the default 5)

CHECKPOINTS = ("snoozed", "checked_in", "rested", "refused", "configured", "forgotten")


@dataclass(frozen=True, kw_only=True)
class Ids:
    """The platform's ids of the people and the channel the script is about."""

    sam: str
    admin: str
    channel: str

    def roles(self) -> dict[str, str]:
        return {self.sam: "sam", self.admin: "admin", self.channel: "channel"}


class Player(Protocol):
    """One way of talking to Ripple. Each action returns what its person was shown."""

    @property
    def ids(self) -> Ids: ...
    @property
    def clock(self) -> ManualClock: ...
    @property
    def store(self) -> Store: ...

    async def open_round(self) -> str:
        """Open this week's round of the channel (``rhythm.open_round_now``) and ask Sam."""
        ...

    async def tick(self) -> str:
        """One beat of the scheduler (``Ripple.tick``), delivering what it queued."""
        ...

    async def choose(self, value: str) -> str:
        """Sam picks the choice ``value`` on the latest question shown to them."""
        ...

    async def note(self, text: str) -> str:
        """Sam finishes the check-in with a private note."""
        ...

    async def command(self, word: str) -> str:
        """Sam types a command (a word of ``bot.events.COMMAND_EVENTS``)."""
        ...

    async def setup(self, *, as_admin: bool, k: int) -> str:
        """Sam (or the admin) tries to set the channel's anonymity threshold to ``k``."""
        ...


# What the store holds, without platform ids.


@dataclass(frozen=True, kw_only=True)
class CheckInRecord:
    period: str
    state: CheckInState
    answers: dict[str, str]
    note: str | None
    note_shared: bool
    due_at: datetime
    delivered: bool
    step: int
    snooze_until: datetime | None
    snoozes: int
    reminders_sent: int
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class SamRecord:
    """Everything stored about Sam: their check-ins, person row, membership and tombstone."""

    checkins: tuple[CheckInRecord, ...]
    known: bool
    paused: bool | None
    member: bool
    forgotten: bool


@dataclass(frozen=True, kw_only=True)
class RoundRecord:
    period: str
    status: RoundStatus
    scheduled_date: date
    opens_at: datetime
    closes_at: datetime
    digest_sent: bool
    terms: RoundTerms
    # What erasure leaves of a respondent in a published round: state and which signals.
    erased_respondents: tuple[tuple[CheckInState, tuple[str, ...]], ...]


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    sam: SamRecord
    rounds: tuple[RoundRecord, ...]
    settings: dict[str, Any]

    def part(self, name: str) -> object:
        return {"sam": self.sam, "rounds": self.rounds, "settings": self.settings}[name]


PARTS = ("sam", "rounds", "settings")


def _checkin_record(checkin: CheckIn, period: str) -> CheckInRecord:
    return CheckInRecord(
        period=period,
        state=checkin.state,
        answers=dict(checkin.answers),
        note=checkin.note,
        note_shared=checkin.note_shared,
        due_at=checkin.due_at,
        delivered=checkin.delivered,
        step=checkin.step,
        snooze_until=checkin.snooze_until,
        snoozes=checkin.snoozes,
        reminders_sent=checkin.reminders_sent,
        updated_at=checkin.updated_at,
        completed_at=checkin.completed_at,
    )


def neutral_settings(config: ChannelConfig, roles: Mapping[str, str]) -> dict[str, Any]:
    """A channel's settings as plain values, people named by role (unknown ids kept as is)."""
    values = dataclasses.asdict(config)
    for name in ("managers", "admins"):
        values[name] = tuple(sorted(roles.get(pid, pid) for pid in getattr(config, name)))
    values["quiet_dates"] = tuple(sorted(config.quiet_dates))
    return values


async def snapshot(store: Store, ids: Ids) -> Snapshot:
    """The stored state the script is about, read through the store's repositories."""
    async with store.unit_of_work() as uow:
        channel = await uow.channels.get(ids.channel)
        assert channel is not None, f"{ids.channel} is not stored"
        rounds: list[Round] = [
            r for r in await uow.rounds.list_open() if r.channel_id == ids.channel
        ]
        rounds += await uow.rounds.recent_closed(ids.channel, limit=10)
        periods = {r.round_id: r.period for r in rounds}
        round_records = []
        for round_ in sorted(rounds, key=lambda r: r.period):
            erased = [
                (c.state, tuple(sorted(c.answers)))
                for c in await uow.checkins.list_for_round(round_.round_id)
                if c.person_id.startswith(MARKER_PREFIX)
            ]
            round_records.append(
                RoundRecord(
                    period=round_.period,
                    status=round_.status,
                    scheduled_date=round_.scheduled_date,
                    opens_at=round_.opens_at,
                    closes_at=round_.closes_at,
                    digest_sent=round_.digest_sent,
                    terms=round_.terms,
                    erased_respondents=tuple(sorted(erased)),
                )
            )
        person = await uow.people.get(ids.sam)
        sam = SamRecord(
            checkins=tuple(
                _checkin_record(c, periods.get(c.round_id, c.round_id))
                for c in await uow.checkins.list_for_person(ids.sam)
            ),
            known=person is not None,
            paused=person.paused if person is not None else None,
            member=ids.sam in await uow.channels.members(ids.channel),
            forgotten=await uow.tombstones.contains(tombstone_mark(ids.sam)),
        )
    return Snapshot(
        sam=sam, rounds=tuple(round_records), settings=neutral_settings(channel.config, ids.roles())
    )


def neutral(value: Any, roles: Mapping[str, str]) -> Any:
    """A JSON value with every platform id in it (also inside round ids) replaced by its role."""
    if isinstance(value, dict):
        return {key: neutral(item, roles) for key, item in value.items()}
    if isinstance(value, list):
        return [neutral(item, roles) for item in value]
    if isinstance(value, str):
        for pid in sorted(roles, key=len, reverse=True):
            value = value.replace(pid, roles[pid])
    return value


# What Sam is shown.


def flat(text: str) -> str:
    """Text with every run of white space (a terminal's wrapping, a card's blocks) as one space."""
    return " ".join(text.split())


SENTINEL = "\x00"


def phrases(key: str) -> tuple[str, ...]:
    """The fixed parts of catalog message ``key`` (English), without its placeholders' values."""
    prompts = catalog()
    assert isinstance(prompts, YamlPromptCatalog)
    params = dict.fromkeys(prompts.placeholders(key), SENTINEL)
    text = prompts.message(key, locale="en", **params)
    return tuple(part for piece in text.split(SENTINEL) if len(part := flat(piece)) >= 4)


def expected_phrases() -> dict[str, tuple[str, ...]]:
    """For each step of the script, text from the prompt catalog its person must be shown."""
    questions = catalog().question_set("default", locale="en").questions
    assert tuple(q.signal.value for q in questions) == tuple(s for s, _ in ANSWERS)

    def say(*keys: str) -> tuple[str, ...]:
        return tuple(p for key in keys for p in phrases(key))

    def asked(index: int) -> tuple[str, ...]:
        if index == len(questions):
            return say("note.ask", "note.none", "note.private", "preview.heading")
        progress = catalog().message(
            "question.progress", locale="en", step=index + 1, total=len(questions)
        )
        return (questions[index].text, progress, *(c.label for c in questions[index].choices))

    workload = questions[0]
    return {
        "gate": say("gate.text", "gate.now", "gate.later", "gate.rest"),
        "later": say("snooze.ask", "snooze.in_1h", "snooze.this_afternoon"),
        "snoozed": say("snooze.ack"),
        "snooze_over": say("gate.text", "gate.now"),
        "yes": asked(0),
        **{f"answer:{signal}": asked(i + 1) for i, (signal, _) in enumerate(ANSWERS)},
        "note": say("done.thanks", "preview.heading"),
        "history": (
            *say("history.heading", "state.done"),
            f"{workload.text.rstrip('?')}: {workload.label_for('4')}",
        ),
        "export": say("export.text"),
        "gate_again": say("gate.text"),
        "rest": say("rest.ack"),
        "setup_refused": say("config.refused"),
        "setup_saved": say("config.saved"),
        "forget": say("forget.confirm", "forget.yes", "forget.no"),
        "erased": say("forget.done"),
    }


# The script.


@dataclass
class Transcript:
    roles: dict[str, str]  # the player's ids, by role
    shown: dict[str, str] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)


async def play(player: Player) -> Transcript:
    """Sam's fortnight with Ripple, each action at its own minute of a manual clock."""
    transcript = Transcript(roles=player.ids.roles())

    async def step(name: str, when: datetime, action: Callable[[], Awaitable[str]]) -> None:
        player.clock.set(when)
        transcript.shown[name] = flat(await action())

    async def checkpoint(name: str) -> None:
        transcript.snapshots[name] = await snapshot(player.store, player.ids)

    # 1-2. The round opens; Sam has no capacity now and snoozes for an hour.
    await step("gate", T0, player.open_round)
    await step("later", T0 + MINUTE, partial(player.choose, "later"))
    await step("snoozed", SNOOZED_AT, partial(player.choose, SNOOZE))
    await checkpoint("snoozed")

    # 3. The snooze ends on the scheduler's tick; Sam answers everything and leaves a note.
    await step("snooze_over", SNOOZE_ENDS, player.tick)
    when = SNOOZE_ENDS + MINUTE
    await step("yes", when, partial(player.choose, "now"))
    for signal, value in ANSWERS:
        when += MINUTE
        await step(f"answer:{signal}", when, partial(player.choose, value))
    await step("note", when + MINUTE, partial(player.note, NOTE))
    await checkpoint("checked_in")

    # 4. Sam looks at their history, then exports their data.
    await step("history", when + 2 * MINUTE, partial(player.command, "history"))
    await step("export", when + 3 * MINUTE, partial(player.command, "export"))

    # 5. A week later: the next round, and Sam would rather rest.
    await step("gate_again", T1, player.open_round)
    await step("rest", T1 + MINUTE, partial(player.choose, "rest"))
    await checkpoint("rested")

    # 6. Sam may not change the channel's settings; an admin may.
    await step("setup_refused", T1 + 2 * MINUTE, partial(player.setup, as_admin=False, k=NEW_K))
    await checkpoint("refused")
    await step("setup_saved", T1 + 3 * MINUTE, partial(player.setup, as_admin=True, k=NEW_K))
    await checkpoint("configured")

    # 7. Sam asks Ripple to forget them, and confirms.
    await step("forget", T1 + 4 * MINUTE, partial(player.command, "forget"))
    await step("erased", T1 + 5 * MINUTE, partial(player.choose, "yes"))
    await checkpoint("forgotten")
    return transcript
