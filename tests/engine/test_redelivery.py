"""Platforms deliver events again, late and out of order: a repeat never changes anything.

A Hypothesis state machine plays fresh events from two people through the real core
(memory twins), and at any point redelivers any earlier event, however long ago it was
first handled. The repeat must change no stored state and queue no message.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import count
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.events import (
    Event,
    EventKind,
    ForgetAnswered,
    Origin,
    Requested,
    Skipped,
    SnoozeChosen,
    SnoozePreset,
    tapped,
)
from bot.memory import MemoryStore
from bot.oneway import tombstone_mark
from bot.ripple import Ripple
from tests.engine.conftest import CHANNEL, MANAGER, MONDAY, set_up_team
from tests.security import EXAMPLES

PEOPLE = ("console:p0", "console:p1")
CATALOG = YamlPromptCatalog.load()
# Requests a person can make by name (erasure included: asked, then confirmed or not).
ASKED = (
    EventKind.CHECKIN,
    EventKind.PAUSE,
    EventKind.RESUME,
    EventKind.HISTORY,
    EventKind.FORGET,
    EventKind.HELP,
)
# Taps: (action, value), answered against whatever question the person is on.
TAPS = (
    ("capacity", "now"),
    ("capacity", "later"),
    ("capacity", "rest"),
    ("answer", "1"),
    ("answer", "3"),
    ("answer", "5"),
    ("answer", "some"),
    ("answer", "partly"),
    ("answer", "no"),
    ("note", "private"),
    ("note", "shared"),
    ("note", "none"),
)
QUESTIONS = ("workload", "energy", "extra_hours", "covering", "real_rest", None)


class Redelivery(RuleBasedStateMachine):
    delivered = Bundle("delivered")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = ManualClock(MONDAY)
        self.ripple = Ripple(store=MemoryStore(), catalog=CATALOG, clock=self.clock, senders={})
        self.ids = count()

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.loop.close()

    @initialize()
    def open_the_week(self) -> None:
        self.run(set_up_team(self.ripple, people=PEOPLE))
        self.clock.set(MONDAY.replace(minute=30))
        self.run(self.ripple.tick())

    def origin(self, person: str) -> Origin:
        return Origin(
            person_id=person,
            channel_id=CHANNEL,
            occurred_at=self.clock.advance(timedelta(minutes=1)),
            event_id=f"ev-{next(self.ids)}",
        )

    async def round_id(self, person: str) -> str | None:
        async with self.ripple.store.unit_of_work() as uow:
            mine = await uow.checkins.list_for_person(person)
        return mine[0].round_id if mine else None

    def handle(self, event: Event) -> Event:
        self.run(self.ripple.handle(event))
        return event

    @rule(target=delivered, person=st.sampled_from(PEOPLE), asked=st.sampled_from(ASKED))
    def ask(self, person: str, asked: EventKind) -> Event:
        return self.handle(Requested(origin=self.origin(person), request=asked))

    @rule(
        target=delivered,
        person=st.sampled_from(PEOPLE),
        tap=st.sampled_from(TAPS),
        question=st.sampled_from(QUESTIONS),
        text=st.sampled_from(("", "Too many meetings")),
    )
    def tap(self, person: str, tap: tuple[str, str], question: str | None, text: str) -> Event:
        action, value = tap
        event = tapped(
            self.origin(person),
            action=action,
            value=value,
            round_id=self.run(self.round_id(person)),
            question_id=question,
            text=text,
        )
        assert event is not None
        return self.handle(event)

    @rule(target=delivered, person=st.sampled_from(PEOPLE), question=st.sampled_from(QUESTIONS))
    def skip(self, person: str, question: str | None) -> Event:
        round_id = self.run(self.round_id(person))
        return self.handle(
            Skipped(origin=self.origin(person), round_id=round_id, question_id=question)
        )

    @rule(target=delivered, person=st.sampled_from(PEOPLE), preset=st.sampled_from(SnoozePreset))
    def snooze(self, person: str, preset: SnoozePreset) -> Event:
        round_id = self.run(self.round_id(person))
        return self.handle(
            SnoozeChosen(origin=self.origin(person), round_id=round_id, preset=preset)
        )

    @rule(target=delivered, person=st.sampled_from(PEOPLE), confirmed=st.booleans())
    def confirm_forget(self, person: str, confirmed: bool) -> Event:
        return self.handle(ForgetAnswered(origin=self.origin(person), confirmed=confirmed))

    @rule()
    def time_passes(self) -> None:
        self.clock.advance(timedelta(hours=3))
        self.run(self.ripple.tick())

    @rule(earlier=delivered)
    def redeliver(self, earlier: Event) -> None:
        before = self.run(self.state())
        queued = self.run(self.ripple.handle(earlier))
        assert queued == []
        assert self.run(self.state()) == before

    async def state(self) -> dict[str, object]:
        """Everything a repeat could change: people, their check-ins, members, the outbox."""
        async with self.ripple.store.unit_of_work() as uow:
            return {
                "people": [await uow.people.get(p) for p in PEOPLE],
                "checkins": [await uow.checkins.list_for_person(p) for p in PEOPLE],
                "members": await uow.channels.members(CHANNEL),
                "outbox": [await uow.outbox.list_for_recipient(p) for p in (*PEOPLE, MANAGER)],
                "rounds": await uow.rounds.list_open(),
            }

    @invariant()
    def nobody_is_asked_twice_in_a_round(self) -> None:
        for checkins in self.run(self.state())["checkins"]:
            rounds = [c.round_id for c in checkins]
            assert len(rounds) == len(set(rounds))


TestRedelivery = Redelivery.TestCase
TestRedelivery.settings = settings(
    max_examples=max(EXAMPLES // 4, 25),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


async def test_a_repeated_yes_to_erase_does_not_erase_someone_who_came_back(team: Ripple) -> None:
    """A double tap on "erase": the second tap arrives after the erasure, the platform
    retries it after the person has come back; it must not erase them again."""
    person = PEOPLE[0]
    clock = team.clock
    assert isinstance(clock, ManualClock)

    def origin(event_id: str) -> Origin:
        return Origin(person_id=person, occurred_at=clock.now(), event_id=event_id)

    await team.handle(ForgetAnswered(origin=origin("tap-1"), confirmed=True))
    second = ForgetAnswered(origin=origin("tap-2"), confirmed=True)
    await team.handle(second)  # they are already erased: nothing happens
    await team.handle(Requested(origin=origin("back"), request=EventKind.CHECKIN))
    async with team.store.unit_of_work() as uow:
        assert await uow.people.get(person) is not None

    assert await team.handle(second) == []  # the retry, late

    async with team.store.unit_of_work() as uow:
        assert await uow.people.get(person) is not None
        assert not await uow.tombstones.contains(tombstone_mark(person))
