"""Complementary suppression: a manager never gets two digests that differ by fewer than k."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.events import EventKind
from bot.memory import MemoryStore
from bot.model import Cadence, ChannelConfig, Person
from bot.outgoing import SummaryMessage
from bot.ripple import Ripple
from tests.scripted import Conversation

CATALOG = YamlPromptCatalog.load()
START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
MANAGER = "console:boss"


async def digests_for_two_channels(
    *, big: int, removed: int, k: int, other_manager: bool
) -> dict[str, SummaryMessage]:
    clock, sender = ManualClock(START), ConsoleSender()
    ripple = Ripple(store=MemoryStore(), catalog=CATALOG, clock=clock, senders={"console": sender})
    people = [Person(person_id=f"console:p{i}", display_name=f"P{i}") for i in range(big)]
    groups = {"console:all": people, "console:most": people[removed:]}
    for channel_id, members in groups.items():
        managers = {MANAGER}
        if other_manager and channel_id == "console:most":
            managers = {"console:other"}
        config = ChannelConfig(
            cadence=Cadence(weekday=0, local_time=time(9, 30)),
            k=k,
            comment_threshold=max(k, 10),
            managers=frozenset(managers),
        )
        await ripple.register_channel(channel_id=channel_id, name=channel_id, config=config)
        await ripple.sync_members(channel_id=channel_id, people=members)
    await ripple.tick()
    for person in people:
        for channel_id, members in groups.items():
            if person not in members:
                continue
            chat = Conversation(ripple, person_id=person.person_id, channel_id=channel_id)
            await chat.send(EventKind.CHECKIN)
            if chat.last_question.action == "capacity":
                await chat.press("rest")
            clock.advance(timedelta(seconds=1))
    clock.set(START + timedelta(days=4))
    await ripple.tick()
    await ripple.drain()
    return {m.title: m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage)}


@settings(max_examples=25, deadline=None)
@given(
    k=st.integers(min_value=3, max_value=7),
    extra=st.integers(min_value=0, max_value=6),
    removed=st.integers(min_value=0, max_value=9),
)
def test_a_manager_never_sees_two_groups_that_differ_by_fewer_than_k(
    k: int, extra: int, removed: int
) -> None:
    big = k + removed + extra  # the smaller group still has at least k people
    digests = asyncio.run(
        digests_for_two_channels(big=big, removed=removed, k=k, other_manager=False)
    )
    assert len(digests) == 2
    shown = [title for title, digest in digests.items() if not digest.suppressed]
    if 0 < removed < k:
        assert len(shown) == 1
        assert "console:all" in shown[0]  # the larger group is the one kept
        held = next(d for d in digests.values() if d.suppressed)
        assert "held back" in held.text
    else:
        assert len(shown) == 2


def test_groups_seen_by_different_managers_are_not_held_back() -> None:
    digests = asyncio.run(digests_for_two_channels(big=6, removed=1, k=5, other_manager=True))
    assert len(digests) == 1
    assert not next(iter(digests.values())).suppressed
