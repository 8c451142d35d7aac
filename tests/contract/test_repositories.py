"""One contract for every store: the same repository behaviour on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.model import (
    Cadence,
    Channel,
    ChannelConfig,
    CheckIn,
    CheckInState,
    Person,
    Round,
    RoundStatus,
    freeze,
)
from bot.outgoing import (
    NudgeMessage,
    Outgoing,
    QuestionMessage,
    SummaryMessage,
    SummarySection,
    TextMessage,
)
from bot.ports import OutboxStatus, Store
from bot.questions import Choice
from storage.store import SqlStore

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
PLATFORMS = frozenset({"slack", "teams"})


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def assert_utc(store: Store, *values: datetime | None) -> None:
    """Every stored time comes back aware; SQL stores hand it back in UTC."""
    for value in values:
        if value is not None:
            assert value.utcoffset() is not None
            if isinstance(store, SqlStore):
                assert value.tzinfo is UTC


def channel(channel_id: str = "slack:T1:C1", **changes: Any) -> Channel:
    return replace(Channel(channel_id=channel_id, name=f"#{channel_id}"), **changes)


def round_(channel_id: str = "slack:T1:C1", period: str = "2026-W10", **changes: Any) -> Round:
    week = int(period.rsplit("W", 1)[1])
    scheduled = date(2026, 1, 5) + timedelta(weeks=week - 2)
    opens = datetime.combine(scheduled, time(9, 30), tzinfo=UTC)
    value = Round(
        round_id=Round.make_id(channel_id, period),
        channel_id=channel_id,
        period=period,
        scheduled_date=scheduled,
        opens_at=opens,
        closes_at=opens + timedelta(hours=72),
    )
    return replace(value, **changes)


def checkin(person_id: str = "slack:T1:U1", rnd: Round | None = None, **changes: Any) -> CheckIn:
    rnd = rnd or round_()
    value = CheckIn(
        round_id=rnd.round_id,
        person_id=person_id,
        channel_id=rnd.channel_id,
        due_at=T0,
        updated_at=T0,
    )
    return replace(value, **changes)


def text(key: str, recipient: str = "slack:T1:U1", thread_key: str | None = None) -> TextMessage:
    return TextMessage(recipient=recipient, idempotency_key=key, thread_key=thread_key, text=key)


async def setup_rounds(store: Store, *rounds: Round) -> None:
    async with store.unit_of_work() as uow:
        for channel_id in sorted({r.channel_id for r in rounds}):
            await uow.channels.save(channel(channel_id))
        for r in rounds:
            assert await uow.rounds.create(r)
        await uow.commit()


async def queue(store: Store, *messages: Outgoing, now: datetime = T0) -> list[int]:
    async with store.unit_of_work() as uow:
        for message in messages:
            assert await uow.outbox.add(message, now=now)
        ids = []
        for message in messages:
            row = await uow.outbox.get(message.idempotency_key)
            assert row is not None
            assert row.message_id is not None
            ids.append(row.message_id)
        await uow.commit()
    return ids


# Channels and membership


async def test_channel_round_trip_keeps_the_whole_config(store: Store) -> None:
    config = ChannelConfig(
        cadence=Cadence(weekday=3, local_time=time(14, 5), every_weeks=2, anchor=date(2025, 6, 2)),
        timezone="Europe/Berlin",
        question_set="short",
        locale="de",
        k=4,
        comment_threshold=12,
        managers=frozenset({"slack:T1:M2", "slack:T1:M1"}),
        admins=frozenset({"slack:T1:A1"}),
        reminders=2,
        nudges=False,
        quiet_dates=frozenset({date(2026, 12, 24), date(2026, 1, 1)}),
        signpost="Talk to someone: 0800 111 0 111 – free, day and night 🌙",
        response_window_hours=48,
    )
    saved = channel(config=config, active=False, name="Équipe ünd Team")
    async with store.unit_of_work() as uow:
        assert await uow.channels.get(saved.channel_id) is None
        await uow.channels.save(saved)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.channels.get(saved.channel_id) == saved


async def test_channel_save_replaces_the_stored_channel(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel())
        await uow.channels.save(channel(name="renamed", config=ChannelConfig(k=7, reminders=0)))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.channels.get("slack:T1:C1") == channel(
            name="renamed", config=ChannelConfig(k=7, reminders=0)
        )
        assert len(await uow.channels.list_all()) == 1


async def test_channel_lists_are_ordered_by_id(store: Store) -> None:
    ids = ["teams:x:b", "slack:T1:C2", "slack:T1:c1", "slack:T1:C1"]
    async with store.unit_of_work() as uow:
        for channel_id in ids:
            await uow.channels.save(channel(channel_id, active=channel_id != "slack:T1:C2"))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert [c.channel_id for c in await uow.channels.list_all()] == sorted(ids)
        assert [c.channel_id for c in await uow.channels.list_active()] == [
            "slack:T1:C1",
            "slack:T1:c1",
            "teams:x:b",
        ]


async def test_membership_add_remove_and_channels_of(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.channels.members("slack:T1:C1") == frozenset()
        assert await uow.channels.add_member("slack:T1:C1", "slack:T1:U1")
        assert not await uow.channels.add_member("slack:T1:C1", "slack:T1:U1")
        assert await uow.channels.add_member("slack:T1:C1", "slack:T1:U2")
        assert await uow.channels.add_member("slack:T1:C0", "slack:T1:U1")
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.channels.members("slack:T1:C1") == {"slack:T1:U1", "slack:T1:U2"}
        assert await uow.channels.channels_of("slack:T1:U1") == ["slack:T1:C0", "slack:T1:C1"]
        assert await uow.channels.channels_of("slack:T1:nobody") == []
        assert await uow.channels.remove_member("slack:T1:C1", "slack:T1:U1")
        assert not await uow.channels.remove_member("slack:T1:C1", "slack:T1:U1")
        assert not await uow.channels.remove_member("slack:T1:C9", "slack:T1:U1")
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.channels.members("slack:T1:C1") == {"slack:T1:U2"}
        assert await uow.channels.channels_of("slack:T1:U1") == ["slack:T1:C0"]


# People


async def test_person_round_trip_overwrite_and_delete(store: Store) -> None:
    person = Person(person_id="teams:t:u1", display_name="Ana María", timezone="America/Bogota")
    async with store.unit_of_work() as uow:
        assert await uow.people.get(person.person_id) is None
        await uow.people.save(person)
        await uow.people.save(Person(person_id="slack:T1:U2", display_name="Bo"))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.people.get(person.person_id) == person
        changed = replace(person, locale="es", paused=True, timezone=None)
        await uow.people.save(changed)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.people.get(person.person_id) == changed
        assert await uow.people.delete(person.person_id)
        assert not await uow.people.delete(person.person_id)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.people.get(person.person_id) is None
        assert await uow.people.get("slack:T1:U2") is not None


# Rounds


async def test_round_round_trip_returns_aware_utc(store: Store) -> None:
    opens = datetime(2026, 3, 30, 9, 30, 0, 123456, tzinfo=BERLIN)
    rnd = round_(opens_at=opens, closes_at=opens + timedelta(days=3))
    await setup_rounds(store, rnd)
    async with store.unit_of_work() as uow:
        got = await uow.rounds.get(rnd.round_id)
        assert await uow.rounds.get("slack:T1:C1/2026-W11") is None
    assert got == rnd
    assert_utc(store, got.opens_at, got.closes_at)
    assert got.opens_at.astimezone(BERLIN).hour == 9


async def test_round_create_is_idempotent_and_never_overwrites(store: Store) -> None:
    rnd = round_()
    await setup_rounds(store, rnd)
    async with store.unit_of_work() as uow:
        assert not await uow.rounds.create(replace(rnd, status=RoundStatus.CLOSED))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.rounds.get(rnd.round_id) == rnd


async def test_rounds_are_unique_per_channel_and_period(store: Store) -> None:
    rnd = round_()
    await setup_rounds(store, rnd, round_("slack:T1:C2"))
    other_id = replace(rnd, round_id="another-id-for-the-same-week")
    async with store.unit_of_work() as uow:
        assert not await uow.rounds.create(other_id)
        assert await uow.rounds.create(round_(period="2026-W11"))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.rounds.get(other_id.round_id) is None
        assert [r.period for r in await uow.rounds.list_open()] == [
            "2026-W10",
            "2026-W10",
            "2026-W11",
        ]


async def test_round_save_updates_status_and_digest(store: Store) -> None:
    rnd = round_()
    await setup_rounds(store, rnd)
    closed = replace(rnd, status=RoundStatus.CLOSED, closes_at=at(60))
    async with store.unit_of_work() as uow:
        await uow.rounds.save(closed)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.rounds.get(rnd.round_id) == closed
        assert await uow.rounds.list_open() == []
        assert await uow.rounds.list_closed_without_digest() == [closed]
        await uow.rounds.save(replace(closed, digest_sent=True))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.rounds.list_closed_without_digest() == []


async def test_list_open_is_ordered_by_opening_then_id(store: Store) -> None:
    b = round_("slack:T1:B", opens_at=at(0))
    a = round_("slack:T1:A", opens_at=at(0))
    early = round_("slack:T1:Z", opens_at=at(-60))
    done = round_("slack:T1:D", status=RoundStatus.CLOSED)
    await setup_rounds(store, b, a, early, done)
    async with store.unit_of_work() as uow:
        assert await uow.rounds.list_open() == [early, a, b]


async def test_list_closed_without_digest_is_ordered_by_closing_then_id(store: Store) -> None:
    closed = {"status": RoundStatus.CLOSED}
    late = round_("slack:T1:A", closes_at=at(120), **closed)
    b = round_("slack:T1:B", closes_at=at(60), **closed)
    a = round_("slack:T1:a", closes_at=at(60), **closed)
    digested = round_("slack:T1:C", closes_at=at(0), digest_sent=True, **closed)
    still_open = round_("slack:T1:D", closes_at=at(0))
    await setup_rounds(store, late, b, a, digested, still_open)
    async with store.unit_of_work() as uow:
        assert await uow.rounds.list_closed_without_digest() == [b, a, late]


async def test_recent_closed_is_newest_first_per_channel_with_limit(store: Store) -> None:
    closed = [
        round_(period=f"2026-W{week:02d}", status=RoundStatus.CLOSED) for week in (3, 5, 4, 7)
    ]
    open_round = round_(period="2026-W08")
    elsewhere = round_("slack:T1:C2", period="2026-W09", status=RoundStatus.CLOSED)
    await setup_rounds(store, *closed, open_round, elsewhere)
    async with store.unit_of_work() as uow:
        recent = await uow.rounds.recent_closed("slack:T1:C1", limit=3)
        assert [r.period for r in recent] == ["2026-W07", "2026-W05", "2026-W04"]
        assert len(await uow.rounds.recent_closed("slack:T1:C1", limit=10)) == 4
        assert await uow.rounds.recent_closed("slack:T1:C1", limit=0) == []
        assert await uow.rounds.recent_closed("slack:T1:none", limit=5) == []


# Check-ins


async def test_checkin_round_trip_keeps_every_field(store: Store) -> None:
    rnd = round_()
    await setup_rounds(store, rnd)
    full = checkin(
        state=CheckInState.DONE,
        due_at=datetime(2026, 3, 2, 9, 30, tzinfo=BERLIN),
        delivered=True,
        step=5,
        answers=freeze({"workload": "4", "energy": "2", "note": "ça va – 😴"}),
        note="Private words\nover two lines",
        note_shared=True,
        snooze_until=datetime(2026, 3, 2, 15, 0, 0, 1, tzinfo=BERLIN),
        snoozes=2,
        reminders_sent=1,
        updated_at=at(10.5),
        completed_at=at(11),
    )
    async with store.unit_of_work() as uow:
        assert await uow.checkins.get(rnd.round_id, full.person_id) is None
        assert await uow.checkins.create(full)
        await uow.commit()
    async with store.unit_of_work() as uow:
        got = await uow.checkins.get(rnd.round_id, full.person_id)
    assert got == full
    assert dict(got.answers) == dict(full.answers)
    assert_utc(store, got.due_at, got.snooze_until, got.updated_at, got.completed_at)


async def test_checkin_create_is_idempotent_and_save_updates(store: Store) -> None:
    await setup_rounds(store, round_())
    first = checkin()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.create(first)
        assert not await uow.checkins.create(replace(first, state=CheckInState.RESTED))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.get(first.round_id, first.person_id) == first
        answering = replace(
            first, state=CheckInState.ANSWERING, step=1, answers=freeze({"workload": "3"})
        )
        await uow.checkins.save(answering)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.get(first.round_id, first.person_id) == answering


async def test_count_for_round_counts_only_that_round(store: Store) -> None:
    w10, w11 = round_(), round_(period="2026-W11")
    await setup_rounds(store, w10, w11)
    async with store.unit_of_work() as uow:
        assert await uow.checkins.count_for_round(w10.round_id) == 0
        for i in range(3):
            await uow.checkins.create(checkin(f"slack:T1:U{i}", w10))
        await uow.checkins.create(checkin("slack:T1:U9", w11))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.count_for_round(w10.round_id) == 3
        assert await uow.checkins.count_for_round(w11.round_id) == 1
        locked = await uow.checkins.get(w10.round_id, "slack:T1:U0", for_update=True)
        assert locked == await uow.checkins.get(w10.round_id, "slack:T1:U0")


async def test_checkin_lists_for_round_and_person(store: Store) -> None:
    w10, w11, other = round_(), round_(period="2026-W11"), round_("slack:T1:C2")
    await setup_rounds(store, w10, w11, other)
    rows = [
        checkin("slack:T1:U2", w10),
        checkin("slack:T1:U1", w10, due_at=at(1)),
        checkin("slack:T1:u0", w10),
        checkin("slack:T1:U1", w11, due_at=at(60 * 24 * 7)),
        checkin("slack:T1:U1", other, due_at=at(1)),
    ]
    async with store.unit_of_work() as uow:
        for row in rows:
            assert await uow.checkins.create(row)
        await uow.commit()
    async with store.unit_of_work() as uow:
        in_round = await uow.checkins.list_for_round(w10.round_id)
        assert [c.person_id for c in in_round] == ["slack:T1:U1", "slack:T1:U2", "slack:T1:u0"]
        mine = await uow.checkins.list_for_person("slack:T1:U1")
        assert [c.round_id for c in mine] == [w11.round_id, other.round_id, w10.round_id]
        assert await uow.checkins.list_for_round("nothing") == []
        assert await uow.checkins.list_for_person("nobody") == []


NOW = at(0)
NEEDS_ATTENTION = [
    ("asked, undelivered, due now", {"state": CheckInState.ASKED, "due_at": NOW}, True),
    ("asked, undelivered, due earlier", {"due_at": at(-5)}, True),
    ("asked, undelivered, due later", {"due_at": at(1)}, False),
    ("asked, delivered, due later", {"delivered": True, "due_at": at(30)}, True),
    ("answering, delivered", {"state": CheckInState.ANSWERING, "delivered": True}, True),
    ("answering, undelivered", {"state": CheckInState.ANSWERING, "due_at": at(-5)}, False),
    ("snoozed until now", {"state": CheckInState.SNOOZED, "snooze_until": NOW}, True),
    ("snoozed until later", {"state": CheckInState.SNOOZED, "snooze_until": at(1)}, False),
    ("snoozed, no time", {"state": CheckInState.SNOOZED, "due_at": at(-5)}, False),
    ("snoozed, delivered", {"state": CheckInState.SNOOZED, "delivered": True}, False),
    ("done", {"state": CheckInState.DONE, "delivered": True, "due_at": at(-5)}, False),
    ("rested", {"state": CheckInState.RESTED, "due_at": at(-5)}, False),
    ("expired", {"state": CheckInState.EXPIRED, "delivered": True}, False),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [pytest.param(changes, expected, id=name) for name, changes, expected in NEEDS_ATTENTION],
)
async def test_list_needing_attention_case(
    store: Store, changes: dict[str, Any], expected: bool
) -> None:
    await setup_rounds(store, round_())
    row = checkin(**changes)
    async with store.unit_of_work() as uow:
        await uow.checkins.create(row)
        assert await uow.checkins.list_needing_attention(NOW) == ([row] if expected else [])


async def test_list_needing_attention_order_and_zones(store: Store) -> None:
    a, b = round_("slack:T1:A"), round_("slack:T1:B")
    await setup_rounds(store, a, b)
    rows = [
        checkin("slack:T1:U2", b, due_at=at(-10)),
        checkin("slack:T1:U1", b, due_at=at(-10)),
        checkin("slack:T1:U9", a, due_at=at(-10)),
        checkin("slack:T1:U5", a, due_at=at(-30).astimezone(BERLIN)),
        checkin("slack:T1:U6", a, state=CheckInState.SNOOZED, snooze_until=at(-1), due_at=at(-20)),
        checkin("slack:T1:U7", a, due_at=at(10)),
    ]
    async with store.unit_of_work() as uow:
        for row in rows:
            await uow.checkins.create(row)
        found = await uow.checkins.list_needing_attention(NOW.astimezone(BERLIN))
    assert [(c.round_id, c.person_id) for c in found] == [
        (a.round_id, "slack:T1:U5"),
        (a.round_id, "slack:T1:U6"),
        (a.round_id, "slack:T1:U9"),
        (b.round_id, "slack:T1:U1"),
        (b.round_id, "slack:T1:U2"),
    ]


async def test_delete_for_person_removes_only_their_checkins(store: Store) -> None:
    w10, w11 = round_(), round_(period="2026-W11")
    await setup_rounds(store, w10, w11)
    async with store.unit_of_work() as uow:
        for rnd in (w10, w11):
            await uow.checkins.create(checkin("slack:T1:U1", rnd))
            await uow.checkins.create(checkin("slack:T1:U2", rnd))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.delete_for_person("slack:T1:U1") == 2
        assert await uow.checkins.delete_for_person("slack:T1:U1") == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.list_for_person("slack:T1:U1") == []
        assert len(await uow.checkins.list_for_person("slack:T1:U2")) == 2


# Outbox

PAYLOADS: list[Outgoing] = [
    QuestionMessage(
        recipient="slack:T1:U1",
        idempotency_key="checkin:r:u:capacity",
        thread_key="checkin:r:u",
        text="Do you have the capacity to check in now?",
        choices=(Choice(value="yes", label="Yes"), Choice(value="rest", label="Rest 🌿")),
        action="capacity",
        round_id="slack:T1:C1/2026-W10",
        question_id="capacity",
        step=0,
        total_steps=5,
        can_skip=True,
        footer="Need help now? Call 116 123.",
    ),
    TextMessage(recipient="teams:t:u", idempotency_key="text", text="Danke! ✨", footer=None),
    SummaryMessage(
        recipient="slack:T1:M1",
        idempotency_key="digest",
        title="Week 10",
        suppressed=False,
        sections=(SummarySection(heading="Load", lines=("high: 40%", "ok: 60%")),),
        text="Week 10\nLoad: high 40%",
    ),
    NudgeMessage(
        recipient="slack:T1:M1",
        idempotency_key="nudge",
        rule="rest_deficit",
        text="Rest is part of the work.",
        action="quiet afternoon",
        personal=False,
    ),
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.kind)
async def test_outbox_add_and_get_round_trip(store: Store, payload: Outgoing) -> None:
    created = datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)
    async with store.unit_of_work() as uow:
        assert await uow.outbox.get(payload.idempotency_key) is None
        assert await uow.outbox.add(payload, now=created)
        await uow.commit()
    async with store.unit_of_work() as uow:
        row = await uow.outbox.get(payload.idempotency_key)
    assert row is not None
    assert row.message_id is not None
    assert row.payload == payload
    assert (row.platform, row.recipient) == (payload.recipient.split(":")[0], payload.recipient)
    assert row.thread_key == payload.thread_key
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.created_at == created
    assert row.next_attempt_at == created
    assert (row.platform_message_id, row.last_error, row.sent_at) == (None, None, None)
    assert_utc(store, row.created_at, row.next_attempt_at)


async def test_outbox_duplicate_key_is_refused_and_keeps_the_first(store: Store) -> None:
    await queue(store, text("k1"))
    async with store.unit_of_work() as uow:
        other = TextMessage(recipient="slack:T1:U9", idempotency_key="k1", text="different")
        assert not await uow.outbox.add(other, now=at(5))
        await uow.commit()
    async with store.unit_of_work() as uow:
        row = await uow.outbox.get("k1")
        assert row is not None
        assert (row.payload, row.created_at) == (text("k1"), T0)
        assert len(await uow.outbox.list_for_recipient("slack:T1:U1")) == 1


async def test_claim_due_takes_oldest_first_up_to_the_limit(store: Store) -> None:
    ids = await queue(store, *(text(f"m{i}") for i in range(5)))
    assert ids == sorted(ids)
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim_due(
            now=at(1), platforms=PLATFORMS, limit=3, lease_seconds=60
        )
        await uow.commit()
    assert [m.message_id for m in claimed] == ids[:3]
    for message in claimed:
        assert message.status is OutboxStatus.SENDING
        assert message.attempts == 1
        assert message.next_attempt_at == at(2)
        assert_utc(store, message.next_attempt_at)
    async with store.unit_of_work() as uow:
        stored = await uow.outbox.get("m0")
        assert stored == claimed[0]
        rest = await uow.outbox.claim_due(
            now=at(1), platforms=PLATFORMS, limit=10, lease_seconds=60
        )
        assert [m.message_id for m in rest] == ids[3:]


async def test_claim_due_filters_platform_and_due_time(store: Store) -> None:
    await queue(
        store,
        text("slack-now"),
        TextMessage(recipient="teams:t:u", idempotency_key="teams-now", text="x"),
    )
    await queue(store, text("slack-later"), now=at(10))
    async with store.unit_of_work() as uow:
        nothing = await uow.outbox.claim_due(
            now=at(1), platforms=frozenset({"console"}), limit=10, lease_seconds=30
        )
        assert nothing == []
        assert (
            await uow.outbox.claim_due(now=at(1), platforms=frozenset(), limit=10, lease_seconds=30)
            == []
        )
        slack = await uow.outbox.claim_due(
            now=at(1), platforms=frozenset({"slack"}), limit=10, lease_seconds=30
        )
        assert [m.idempotency_key for m in slack] == ["slack-now"]
        teams = await uow.outbox.claim_due(
            now=at(1), platforms=PLATFORMS, limit=10, lease_seconds=30
        )
        assert [m.idempotency_key for m in teams] == ["teams-now"]


async def test_claim_due_reclaims_only_expired_leases(store: Store) -> None:
    await queue(store, text("m"))
    async with store.unit_of_work() as uow:
        first = await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=1, lease_seconds=30)
        assert [m.attempts for m in first] == [1]
        held = await uow.outbox.claim_due(
            now=at(0.25), platforms=PLATFORMS, limit=1, lease_seconds=30
        )
        assert held == []
        again = await uow.outbox.claim_due(
            now=at(0.5), platforms=PLATFORMS, limit=1, lease_seconds=30
        )
        await uow.commit()
    assert [(m.status, m.attempts, m.next_attempt_at) for m in again] == [
        (OutboxStatus.SENDING, 2, at(1))
    ]


async def test_mark_sent_records_the_platform_id_and_stops_claims(store: Store) -> None:
    [message_id] = await queue(store, text("m"))
    async with store.unit_of_work() as uow:
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=1, lease_seconds=30)
        await uow.outbox.mark_retry(message_id, next_attempt_at=T0, error="boom")
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=1, lease_seconds=30)
        await uow.outbox.mark_sent(message_id, platform_message_id="1700000000.0001", now=at(1))
        await uow.commit()
    async with store.unit_of_work() as uow:
        row = await uow.outbox.get("m")
        assert row is not None
        assert row.status is OutboxStatus.SENT
        assert (row.platform_message_id, row.last_error, row.sent_at) == (
            "1700000000.0001",
            None,
            at(1),
        )
        assert row.attempts == 2
        assert (
            await uow.outbox.claim_due(now=at(600), platforms=PLATFORMS, limit=10, lease_seconds=30)
            == []
        )


async def test_mark_retry_returns_the_message_to_pending(store: Store) -> None:
    [message_id] = await queue(store, text("m"))
    async with store.unit_of_work() as uow:
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=1, lease_seconds=30)
        await uow.outbox.mark_retry(message_id, next_attempt_at=at(5), error="429 Retry-After 300")
        await uow.commit()
    async with store.unit_of_work() as uow:
        row = await uow.outbox.get("m")
        assert row is not None
        assert (row.status, row.next_attempt_at, row.last_error, row.attempts) == (
            OutboxStatus.PENDING,
            at(5),
            "429 Retry-After 300",
            1,
        )
        assert (
            await uow.outbox.claim_due(now=at(4), platforms=PLATFORMS, limit=1, lease_seconds=30)
            == []
        )
        retried = await uow.outbox.claim_due(
            now=at(5), platforms=PLATFORMS, limit=1, lease_seconds=30
        )
        assert [(m.attempts, m.last_error) for m in retried] == [(2, "429 Retry-After 300")]


async def test_mark_failed_is_final(store: Store) -> None:
    [message_id] = await queue(store, text("m"))
    async with store.unit_of_work() as uow:
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=1, lease_seconds=30)
        await uow.outbox.mark_failed(message_id, error="channel_not_found", now=at(1))
        await uow.commit()
    async with store.unit_of_work() as uow:
        row = await uow.outbox.get("m")
        assert row is not None
        assert (row.status, row.last_error, row.sent_at) == (
            OutboxStatus.FAILED,
            "channel_not_found",
            at(1),
        )
        assert (
            await uow.outbox.claim_due(now=at(600), platforms=PLATFORMS, limit=1, lease_seconds=30)
            == []
        )


async def test_marking_an_unknown_message_raises_key_error(store: Store) -> None:
    async with store.unit_of_work() as uow:
        with pytest.raises(KeyError):
            await uow.outbox.mark_sent(4242, platform_message_id="x", now=T0)
        with pytest.raises(KeyError):
            await uow.outbox.mark_retry(4242, next_attempt_at=T0, error="x")
        with pytest.raises(KeyError):
            await uow.outbox.mark_failed(4242, error="x", now=T0)


async def test_thread_message_id_is_the_latest_sent_of_the_thread(store: Store) -> None:
    ids = await queue(
        store,
        text("a1", thread_key="thread-a"),
        text("a2", thread_key="thread-a"),
        text("a3", thread_key="thread-a"),
        text("a4", thread_key="thread-a"),
        text("b1", thread_key="thread-b"),
    )
    async with store.unit_of_work() as uow:
        assert await uow.outbox.thread_message_id("thread-a") is None
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=10, lease_seconds=30)
        await uow.outbox.mark_sent(ids[1], platform_message_id="a2-id", now=at(2))
        await uow.outbox.mark_sent(ids[0], platform_message_id="a1-id", now=at(3))
        await uow.outbox.mark_sent(ids[2], platform_message_id=None, now=at(3))
        await uow.outbox.mark_failed(ids[3], error="gone", now=at(3))
        await uow.outbox.mark_sent(ids[4], platform_message_id="b1-id", now=at(3))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.thread_message_id("thread-a") == "a2-id"
        assert await uow.outbox.thread_message_id("thread-b") == "b1-id"
        assert await uow.outbox.thread_message_id("thread-c") is None


async def test_list_and_delete_for_recipient(store: Store) -> None:
    await queue(
        store,
        text("u1-a"),
        text("u2-a", recipient="slack:T1:U2"),
        text("u1-b"),
    )
    async with store.unit_of_work() as uow:
        mine = await uow.outbox.list_for_recipient("slack:T1:U1")
        assert [m.idempotency_key for m in mine] == ["u1-a", "u1-b"]
        assert await uow.outbox.list_for_recipient("slack:T1:nobody") == []
        assert await uow.outbox.delete_for_recipient("slack:T1:U1") == 2
        assert await uow.outbox.delete_for_recipient("slack:T1:U1") == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.list_for_recipient("slack:T1:U1") == []
        assert await uow.outbox.get("u1-a") is None
        assert [m.idempotency_key for m in await uow.outbox.list_for_recipient("slack:T1:U2")] == [
            "u2-a"
        ]
        assert await uow.outbox.add(text("u1-a"), now=at(1))


async def test_count_by_status_reports_every_status(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.outbox.count_by_status() == dict.fromkeys(OutboxStatus, 0)
    ids = await queue(store, *(text(f"m{i}") for i in range(5)))
    async with store.unit_of_work() as uow:
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=3, lease_seconds=30)
        await uow.outbox.mark_sent(ids[0], platform_message_id="x", now=T0)
        await uow.outbox.mark_failed(ids[1], error="x", now=T0)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.count_by_status() == {
            OutboxStatus.PENDING: 2,
            OutboxStatus.SENDING: 1,
            OutboxStatus.SENT: 1,
            OutboxStatus.FAILED: 1,
        }


# Processed events


async def test_events_record_once(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.events.record("Ev01", now=T0)
        assert not await uow.events.record("Ev01", now=at(1))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert not await uow.events.record("Ev01", now=at(2))
        assert await uow.events.record("ev01", now=at(2))


# Units of work


async def test_leaving_without_commit_rolls_back(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel())
        await uow.channels.add_member("slack:T1:C1", "slack:T1:U1")
        await uow.people.save(Person(person_id="slack:T1:U1", display_name="U"))
        await uow.rounds.create(round_())
        await uow.checkins.create(checkin())
        await uow.outbox.add(text("m"), now=T0)
        await uow.events.record("Ev1", now=T0)
        assert await uow.channels.get("slack:T1:C1") == channel()
        assert await uow.checkins.get(round_().round_id, "slack:T1:U1") == checkin()
    async with store.unit_of_work() as uow:
        assert await uow.channels.list_all() == []
        assert await uow.channels.members("slack:T1:C1") == frozenset()
        assert await uow.people.get("slack:T1:U1") is None
        assert await uow.rounds.list_open() == []
        assert await uow.checkins.list_for_person("slack:T1:U1") == []
        assert await uow.outbox.get("m") is None
        assert await uow.events.record("Ev1", now=T0)


async def test_an_error_inside_a_unit_of_work_keeps_nothing(store: Store) -> None:
    async def fail_mid_way() -> None:
        async with store.unit_of_work() as uow:
            await uow.channels.save(channel())
            raise RuntimeError("mid-way")

    with pytest.raises(RuntimeError, match="mid-way"):
        await fail_mid_way()
    async with store.unit_of_work() as uow:
        assert await uow.channels.get("slack:T1:C1") is None


async def test_commit_persists_and_the_unit_of_work_stays_usable(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.channels.save(channel())
        await uow.commit()
        await uow.channels.save(channel("slack:T1:C2"))
        await uow.commit()
        await uow.channels.save(channel("slack:T1:C3"))
    async with store.unit_of_work() as uow:
        assert [c.channel_id for c in await uow.channels.list_all()] == [
            "slack:T1:C1",
            "slack:T1:C2",
        ]


async def test_store_is_ready_once_migrated(store: Store) -> None:
    assert await store.is_ready()


# Concurrency


async def claim_until_empty(store: Store, started: asyncio.Barrier | None = None) -> list[int]:
    claimed: list[int] = []
    while True:
        async with store.unit_of_work() as uow:
            batch = await uow.outbox.claim_due(
                now=T0, platforms=PLATFORMS, limit=3, lease_seconds=30
            )
            await asyncio.sleep(0.001)
            await uow.commit()
        if started is not None:
            # Every worker holds a claim before any goes on, so the rest of
            # the queue is contended by all of them, whoever the lock favours.
            await started.wait()
            started = None
        if not batch:
            return claimed
        claimed.extend(m.message_id or 0 for m in batch)


async def test_concurrent_workers_never_claim_the_same_row(store: Store) -> None:
    if not isinstance(store, SqlStore):
        pytest.skip("the memory twin has no concurrent transactions")
    ids = await queue(store, *(text(f"m{i:02d}") for i in range(30)))
    started = asyncio.Barrier(4)
    results = await asyncio.gather(*(claim_until_empty(store, started) for _ in range(4)))
    everything = [message_id for result in results for message_id in result]
    assert sorted(everything) == ids
    assert all(results), "every worker claimed its own first batch"


# PostgreSQL only


@pytest.mark.postgres
async def test_a_held_claim_is_skipped_not_waited_for(postgres_store: SqlStore) -> None:
    ids = await queue(postgres_store, *(text(f"m{i:02d}") for i in range(12)))
    async with postgres_store.unit_of_work() as first, postgres_store.unit_of_work() as second:
        held = await first.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=5, lease_seconds=30)
        skipped = await asyncio.wait_for(
            second.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=5, lease_seconds=30),
            timeout=5,
        )
        assert [m.message_id for m in held] == ids[:5]
        assert [m.message_id for m in skipped] == ids[5:10]
        await second.commit()
        await first.commit()
    async with postgres_store.unit_of_work() as uow:
        rest = await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=5, lease_seconds=30)
        assert [m.message_id for m in rest] == ids[10:]


@pytest.mark.postgres
async def test_a_check_in_read_for_update_waits_for_the_other_writer(
    postgres_store: SqlStore,
) -> None:
    await setup_rounds(postgres_store, round_())
    first_checkin = checkin()
    async with postgres_store.unit_of_work() as uow:
        await uow.checkins.create(first_checkin)
        await uow.commit()
    key = (first_checkin.round_id, first_checkin.person_id)
    async with postgres_store.unit_of_work() as first, postgres_store.unit_of_work() as second:
        held = await first.checkins.get(*key, for_update=True)
        assert held is not None
        waiting = asyncio.ensure_future(second.checkins.get(*key, for_update=True))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # the second writer waits instead of overwriting
        await first.checkins.save(replace(held, step=1))
        await first.commit()
        seen = await asyncio.wait_for(waiting, timeout=5)
        assert seen is not None
        assert seen.step == 1
        await second.commit()
