"""The contract for published summaries, tombstones and retention: memory, SQLite, PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.insights.aggregate import RoundCounts, SignalCounts
from bot.insights.published import Outcome, Published, View
from bot.model import Channel, CheckIn, Round, RoundStatus, RoundTerms
from bot.oneway import tombstone_mark
from bot.outgoing import Outgoing, SummaryMessage, SummarySection, TextMessage
from bot.ports import Address, OutboxStatus, Store
from bot.questions import SIGNAL_VALUES, Signal
from storage.store import SqlStore

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
PLATFORMS = frozenset({"slack", "teams"})
NOISY = RoundTerms(k=4, comment_threshold=12, epsilon=0.4 / 13, noise_budget=0.4)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def monday(week: int) -> date:
    return date.fromisocalendar(2026, week, 1)


def round_(channel_id: str = "slack:T1:C1", week: int = 10, **changes: Any) -> Round:
    period = f"2026-W{week:02d}"
    opens = datetime.combine(monday(week), time(9, 30), tzinfo=UTC)
    value = Round(
        round_id=Round.make_id(channel_id, period),
        channel_id=channel_id,
        period=period,
        scheduled_date=monday(week),
        opens_at=opens,
        closes_at=opens + timedelta(hours=72),
        status=RoundStatus.CLOSED,
    )
    return replace(value, **changes)


def counts(*, respondents: int = 7, notes: tuple[str, ...] = ()) -> RoundCounts:
    return RoundCounts(
        respondents=respondents,
        rested=1,
        signals=tuple(
            SignalCounts(
                signal=signal,
                values=tuple((value, (3 * i + 1) % 5) for i, value in enumerate(values)),
            )
            for signal, values in SIGNAL_VALUES.items()
        ),
        shared_notes=notes,
    )


def published(rnd: Round, **changes: Any) -> Published:
    value = Published(
        round_id=rnd.round_id,
        channel_id=rnd.channel_id,
        period=rnd.period,
        scheduled_date=rnd.scheduled_date,
        published_at=rnd.closes_at,
        terms=rnd.terms,
        members=9,
        counts=counts(),
    )
    return replace(value, **changes)


def view(rnd: Round, viewer: str = "slack:T1:M1", **changes: Any) -> View:
    return replace(View(round_id=rnd.round_id, viewer=viewer, outcome=Outcome.SHOWN), **changes)


def assert_utc(store: Store, value: datetime) -> None:
    assert value.utcoffset() is not None
    if isinstance(store, SqlStore):
        assert value.tzinfo is UTC


async def setup_rounds(store: Store, *rounds: Round) -> None:
    async with store.unit_of_work() as uow:
        for channel_id in sorted({r.channel_id for r in rounds}):
            await uow.channels.save(Channel(channel_id=channel_id, name=channel_id))
        for r in rounds:
            assert await uow.rounds.create(r)
        await uow.commit()


async def publish(store: Store, *summaries: Published, views: tuple[View, ...] = ()) -> None:
    """Store summaries whose rounds exist already; ``views`` go with the first one."""
    async with store.unit_of_work() as uow:
        for index, summary in enumerate(summaries):
            assert await uow.summaries.add(summary, views if index == 0 else ())
        await uow.commit()


async def rounds_and_summaries(store: Store, *summaries: Published) -> None:
    rounds = [
        round_(
            s.channel_id,
            int(s.period.rsplit("W", 1)[1]),
            round_id=s.round_id,
            scheduled_date=s.scheduled_date,
        )
        for s in summaries
    ]
    await setup_rounds(store, *rounds)
    await publish(store, *summaries)


async def queue(store: Store, *messages: Outgoing, now: datetime = T0) -> list[int]:
    async with store.unit_of_work() as uow:
        for message in messages:
            assert await uow.outbox.add(message, now=now)
        rows = [await uow.outbox.get(message.idempotency_key) for message in messages]
        await uow.commit()
    return [row.message_id for row in rows if row is not None and row.message_id is not None]


def text(key: str, recipient: str = "slack:T1:U1") -> TextMessage:
    return TextMessage(recipient=recipient, idempotency_key=key, text=key)


# Published summaries


async def test_a_committed_summary_and_its_views_are_read_back_by_a_new_unit_of_work(
    store: Store,
) -> None:
    rnd = round_(terms=NOISY)
    summary = published(
        rnd,
        published_at=datetime(2026, 3, 5, 10, 30, 0, 250000, tzinfo=BERLIN),
        counts=counts(notes=("Ça va – 😴", "too many\nmeetings")),
        spent=0.4 / 13,
    )
    shown = view(
        rnd,
        hidden=frozenset({Signal.REAL_REST, Signal.WORKLOAD}),
        notes=True,
        nudges=("rest_deficit", "covering_load"),
    )
    withheld = view(rnd, "slack:T1:M2", outcome=Outcome.OVERLAP, withheld_k=7)
    await setup_rounds(store, rnd)
    async with store.unit_of_work() as uow:
        assert await uow.summaries.add(summary, [shown, withheld])
        await uow.commit()
    async with store.unit_of_work() as uow:
        got = await uow.summaries.get(rnd.round_id)
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M1") == shown
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M2") == withheld
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M3") is None
        assert await uow.summaries.get("slack:T1:C1/2026-W11") is None
    assert got == summary
    assert got is not None
    assert got.terms.epsilon == 0.4 / 13
    assert got.noisy
    assert_utc(store, got.published_at)


async def test_a_summary_without_counts_round_trips(store: Store) -> None:
    rnd = round_()
    summary = published(rnd, counts=None, members=3)
    too_few = view(rnd, outcome=Outcome.TOO_FEW)
    await setup_rounds(store, rnd)
    await publish(store, summary, views=(too_few,))
    async with store.unit_of_work() as uow:
        got = await uow.summaries.get(rnd.round_id)
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M1") == too_few
    assert got == summary
    assert got is not None
    assert (got.counts, got.spent, got.noisy) == (None, 0.0, False)
    assert got.terms == RoundTerms()


async def test_a_round_is_published_once_and_keeps_the_first_views(store: Store) -> None:
    rnd = round_()
    first = published(rnd)
    await setup_rounds(store, rnd)
    await publish(store, first, views=(view(rnd),))
    async with store.unit_of_work() as uow:
        again = published(rnd, members=20, counts=None, published_at=at(60 * 24 * 5))
        changed_views = [view(rnd, outcome=Outcome.BUDGET), view(rnd, "slack:T1:M2")]
        assert not await uow.summaries.add(again, changed_views)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.summaries.get(rnd.round_id) == first
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M1") == view(rnd)
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M2") is None


async def test_leaving_without_commit_keeps_no_summary(store: Store) -> None:
    rnd = round_()
    await setup_rounds(store, rnd)
    async with store.unit_of_work() as uow:
        assert await uow.summaries.add(published(rnd), [view(rnd)])
        await uow.tombstones.add(tombstone_mark("slack:T1:U1"), now=T0)
        assert await uow.summaries.get(rnd.round_id) == published(rnd)
    async with store.unit_of_work() as uow:
        assert await uow.summaries.get(rnd.round_id) is None
        assert await uow.summaries.view(rnd.round_id, "slack:T1:M1") is None
        assert await uow.summaries.for_period(rnd.period) == []
        assert not await uow.tombstones.contains(tombstone_mark("slack:T1:U1"))
        assert await uow.summaries.add(published(rnd), [])


async def test_recent_is_newest_first_up_to_the_date_and_limit(store: Store) -> None:
    mine = [published(round_(week=week)) for week in (3, 5, 4, 7, 9)]
    same_day = published(round_(week=6), scheduled_date=monday(5))
    elsewhere = published(round_("slack:T1:C2", week=6))
    await rounds_and_summaries(store, *mine, same_day, elsewhere)
    async with store.unit_of_work() as uow:
        recent = await uow.summaries.recent("slack:T1:C1", until=monday(7), limit=4)
        assert [p.period for p in recent] == ["2026-W07", "2026-W06", "2026-W05", "2026-W04"]
        day_before = await uow.summaries.recent(
            "slack:T1:C1", until=monday(7) - timedelta(1), limit=9
        )
        assert [p.period for p in day_before] == ["2026-W06", "2026-W05", "2026-W04", "2026-W03"]
        everything = await uow.summaries.recent("slack:T1:C1", until=monday(52), limit=10)
        assert len(everything) == 6
        assert everything[0] == mine[4]
        assert await uow.summaries.recent("slack:T1:C1", until=monday(9), limit=0) == []
        assert await uow.summaries.recent("slack:T1:C1", until=monday(2), limit=5) == []
        assert await uow.summaries.recent("slack:T1:none", until=monday(9), limit=5) == []


async def test_for_period_is_ordered_by_publication_then_round_id(store: Store) -> None:
    late = published(round_("slack:T1:A"), published_at=at(10))
    tied_b = published(round_("slack:T1:C"), published_at=at(5))
    tied_a = published(round_("slack:T1:B"), published_at=at(5).astimezone(BERLIN))
    early = published(round_("slack:T1:D"), published_at=at(-5))
    other_week = published(round_("slack:T1:A", week=11))
    await rounds_and_summaries(store, late, tied_b, tied_a, early, other_week)
    async with store.unit_of_work() as uow:
        assert await uow.summaries.for_period("2026-W10") == [early, tied_a, tied_b, late]
        assert await uow.summaries.for_period("2026-W11") == [other_week]
        assert await uow.summaries.for_period("2026-W12") == []


async def test_spent_sums_one_channel_over_a_half_open_date_window(store: Store) -> None:
    spent_by_week = {1: 8.0, 2: 0.25, 7: 0.5, 9: 0.0, 13: 0.125, 14: 4.0}
    mine = [published(round_(week=w), spent=spent) for w, spent in spent_by_week.items()]
    without_counts = published(round_(week=8), counts=None)
    elsewhere = published(round_("slack:T1:C2", week=7), spent=2.0)
    await rounds_and_summaries(store, *mine, without_counts, elsewhere)
    async with store.unit_of_work() as uow:
        spent = await uow.summaries.spent("slack:T1:C1", start=monday(2), end=monday(14))
        assert spent == 0.875
        assert await uow.summaries.spent("slack:T1:C1", start=monday(1), end=monday(2)) == 8.0
        assert await uow.summaries.spent("slack:T1:C2", start=monday(1), end=monday(14)) == 2.0
        nothing = await uow.summaries.spent("slack:T1:none", start=monday(1), end=monday(14))
    assert nothing == 0.0
    assert isinstance(nothing, float)


async def test_delete_views_of_removes_only_that_viewers_views(store: Store) -> None:
    w10, w11 = round_(week=10), round_(week=11)
    await setup_rounds(store, w10, w11)
    async with store.unit_of_work() as uow:
        for rnd in (w10, w11):
            assert await uow.summaries.add(
                published(rnd), [view(rnd, "slack:T1:M1"), view(rnd, "slack:T1:M2")]
            )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.summaries.delete_views_of("slack:T1:M1") == 2
        assert await uow.summaries.delete_views_of("slack:T1:M1") == 0
        assert await uow.summaries.delete_views_of("slack:T1:nobody") == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        for rnd in (w10, w11):
            assert await uow.summaries.view(rnd.round_id, "slack:T1:M1") is None
            assert await uow.summaries.view(rnd.round_id, "slack:T1:M2") == view(rnd, "slack:T1:M2")
            assert await uow.summaries.get(rnd.round_id) == published(rnd)


async def test_clear_notes_drops_the_notes_and_keeps_the_figures(store: Store) -> None:
    with_notes = published(round_(week=10), counts=counts(notes=("a", "b")), spent=0.5)
    no_notes = published(round_(week=11))
    no_counts = published(round_(week=12), counts=None)
    await rounds_and_summaries(store, with_notes, no_notes, no_counts)
    async with store.unit_of_work() as uow:
        assert await uow.summaries.clear_notes(with_notes.round_id)
        assert not await uow.summaries.clear_notes(with_notes.round_id)
        assert not await uow.summaries.clear_notes(no_notes.round_id)
        assert not await uow.summaries.clear_notes(no_counts.round_id)
        assert not await uow.summaries.clear_notes("slack:T1:C1/2026-W40")
        await uow.commit()
    assert with_notes.counts is not None
    async with store.unit_of_work() as uow:
        assert await uow.summaries.get(with_notes.round_id) == replace(
            with_notes, counts=replace(with_notes.counts, shared_notes=())
        )
        assert await uow.summaries.get(no_notes.round_id) == no_notes
        assert await uow.summaries.get(no_counts.round_id) == no_counts


async def test_clear_notes_before_clears_only_summaries_published_strictly_earlier(
    store: Store,
) -> None:
    notes = counts(notes=("kept for now",))
    before = published(round_(week=7), counts=notes, published_at=at(-1))
    before_berlin = published(round_(week=8), counts=notes, published_at=at(-60).astimezone(BERLIN))
    before_without_notes = published(round_(week=9), published_at=at(-1))
    at_cutoff = published(round_(week=10), counts=notes, published_at=T0)
    after = published(round_(week=11), counts=notes, published_at=at(1))
    everything = (before, before_berlin, before_without_notes, at_cutoff, after)
    await rounds_and_summaries(store, *everything)
    async with store.unit_of_work() as uow:
        assert await uow.summaries.clear_notes_before(T0.astimezone(BERLIN)) == 2
        assert await uow.summaries.clear_notes_before(T0) == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        stored = {s.round_id: await uow.summaries.get(s.round_id) for s in everything}
    cleared = replace(notes, shared_notes=())
    assert stored == {
        before.round_id: replace(before, counts=cleared),
        before_berlin.round_id: replace(before_berlin, counts=cleared),
        before_without_notes.round_id: before_without_notes,
        at_cutoff.round_id: at_cutoff,
        after.round_id: after,
    }


# Round terms


async def test_round_terms_round_trip_and_save_updates_them(store: Store) -> None:
    noisy = round_(week=10, terms=NOISY, status=RoundStatus.OPEN)
    exact = round_(week=11, terms=RoundTerms(k=6, comment_threshold=15))
    await setup_rounds(store, noisy, exact)
    async with store.unit_of_work() as uow:
        assert await uow.rounds.get(noisy.round_id) == noisy
        assert await uow.rounds.get(exact.round_id) == exact
        assert await uow.rounds.list_open() == [noisy]
        tightened = replace(noisy, terms=replace(NOISY, k=8, epsilon=None, noise_budget=None))
        await uow.rounds.save(tightened)
        await uow.commit()
    async with store.unit_of_work() as uow:
        got = await uow.rounds.get(noisy.round_id)
    assert got == tightened
    assert got is not None
    assert (got.terms.epsilon, got.terms.noise_budget) == (None, None)


# Tombstones


async def test_tombstones_are_added_once_and_removed_once(store: Store) -> None:
    gone, other = tombstone_mark("slack:T1:U1"), tombstone_mark("slack:T1:U2")
    async with store.unit_of_work() as uow:
        assert not await uow.tombstones.contains(gone)
        await uow.tombstones.add(gone, now=T0)
        await uow.tombstones.add(gone, now=at(1))
        await uow.tombstones.add(other, now=T0)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.tombstones.contains(gone)
        assert await uow.tombstones.remove(gone)
        assert not await uow.tombstones.remove(gone)
        assert not await uow.tombstones.remove(tombstone_mark("slack:T1:U3"))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert not await uow.tombstones.contains(gone)
        assert await uow.tombstones.contains(other)


# Check-in purges


def checkin(rnd: Round, person_id: str) -> CheckIn:
    return CheckIn(
        round_id=rnd.round_id,
        person_id=person_id,
        channel_id=rnd.channel_id,
        due_at=rnd.opens_at,
        updated_at=rnd.opens_at,
    )


async def add_checkins(store: Store, *checkins: CheckIn) -> None:
    async with store.unit_of_work() as uow:
        for value in checkins:
            assert await uow.checkins.create(value)
        await uow.commit()


async def test_purge_closed_before_takes_rounds_closed_strictly_before(store: Store) -> None:
    old = round_(week=7, closes_at=at(-1))
    edge = round_(week=8, closes_at=T0)
    later = round_(week=9, closes_at=at(1), status=RoundStatus.OPEN)
    await setup_rounds(store, old, edge, later)
    people = ("slack:T1:U1", "teams:t:u2")
    await add_checkins(store, *(checkin(r, p) for r in (old, edge, later) for p in people))
    async with store.unit_of_work() as uow:
        assert await uow.checkins.purge_closed_before(T0.astimezone(BERLIN)) == 2
        assert await uow.checkins.purge_closed_before(T0) == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.checkins.list_for_round(old.round_id) == []
        assert len(await uow.checkins.list_for_round(edge.round_id)) == 2
        assert len(await uow.checkins.list_for_round(later.round_id)) == 2
        assert await uow.rounds.get(old.round_id) == old


async def test_purge_closed_before_with_a_person_prefix_matches_it_exactly(store: Store) -> None:
    old, later = round_(week=7, closes_at=at(-1)), round_(week=9, closes_at=at(1))
    await setup_rounds(store, old, later)
    people = ("slack:T1:U1", "slack:T1:U2", "slack:T10:U1", "slack:T2:U1", "Slack:T1:U3")
    await add_checkins(store, *(checkin(old, p) for p in people), checkin(later, "slack:T1:U1"))
    async with store.unit_of_work() as uow:
        assert await uow.checkins.purge_closed_before(T0, person_prefix="slack:T_:") == 0
        assert await uow.checkins.purge_closed_before(T0, person_prefix="slack:T1:") == 2
        await uow.commit()
    async with store.unit_of_work() as uow:
        left = [c.person_id for c in await uow.checkins.list_for_round(old.round_id)]
        assert left == ["Slack:T1:U3", "slack:T10:U1", "slack:T2:U1"]
        assert await uow.checkins.get(later.round_id, "slack:T1:U1") is not None


# Outbox


async def test_outbox_delete_removes_one_message_and_frees_its_key(store: Store) -> None:
    first, second = await queue(store, text("m1"), text("m2"))
    async with store.unit_of_work() as uow:
        await uow.outbox.delete(first)
        with pytest.raises(KeyError):
            await uow.outbox.delete(first)
        with pytest.raises(KeyError):
            await uow.outbox.delete(second + 1000)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.get("m1") is None
        kept = await uow.outbox.get("m2")
        assert kept is not None
        assert kept.message_id == second
        assert await uow.outbox.add(text("m1"), now=at(1))


async def test_list_with_key_prefix_matches_the_prefix_exactly_oldest_first(store: Store) -> None:
    keys = [
        "digest:a/1:m2",
        "digest:a/10:m1",
        "digest:a/1:m1",
        "digest:a/1",
        "DIGEST:a/1:m3",
        "digest:a/1:",
        "digest:b/1:m1",
        "digest:a/1:😴",
    ]
    await queue(store, *(text(key) for key in keys))
    async with store.unit_of_work() as uow:
        found = await uow.outbox.list_with_key_prefix("digest:a/1:")
        assert [m.idempotency_key for m in found] == [
            "digest:a/1:m2",
            "digest:a/1:m1",
            "digest:a/1:",
            "digest:a/1:😴",
        ]
        assert found == sorted(found, key=lambda m: m.message_id or 0)
        ten = await uow.outbox.list_with_key_prefix("digest:a/10:")
        assert [m.idempotency_key for m in ten] == ["digest:a/10:m1"]
        assert await uow.outbox.list_with_key_prefix("digest:a/_:") == []
        assert await uow.outbox.list_with_key_prefix("digest:a%") == []
        assert await uow.outbox.list_with_key_prefix("nudge:") == []


def digest(title: str) -> SummaryMessage:
    return SummaryMessage(
        recipient="slack:T1:M1",
        idempotency_key="digest:slack:T1:C1/2026-W10:slack:T1:M1",
        thread_key="digest:slack:T1:C1/2026-W10",
        title=title,
        suppressed=False,
        sections=(SummarySection(heading="Load", lines=(title,)),),
        text=title,
    )


async def test_replace_payload_keeps_the_key_recipient_and_delivery_state(store: Store) -> None:
    [message_id] = await queue(store, digest("Week 10"))
    async with store.unit_of_work() as uow:
        await uow.outbox.claim_due(now=T0, platforms=PLATFORMS, limit=1, lease_seconds=30)
        await uow.outbox.mark_sent(message_id, platform_message_id="1700000000.0001", now=at(1))
        before = await uow.outbox.get(digest("Week 10").idempotency_key)
        await uow.outbox.replace_payload(message_id, digest("Week 10 (notes removed)"))
        with pytest.raises(KeyError):
            await uow.outbox.replace_payload(message_id + 1000, digest("nobody"))
        await uow.commit()
    assert before is not None
    assert (before.status, before.attempts) == (OutboxStatus.SENT, 1)
    async with store.unit_of_work() as uow:
        after = await uow.outbox.get(digest("Week 10").idempotency_key)
    assert after == replace(before, payload=digest("Week 10 (notes removed)"))


async def test_purge_settled_before_takes_rows_settled_or_created_strictly_before(
    store: Store,
) -> None:
    cutoff = at(60)
    await queue(store, text("created-early"), now=at(59))
    keys = ["pending-edge", "sent-early", "failed-early", "sent-edge", "sending-edge"]
    ids = dict(zip(keys, await queue(store, *(text(k) for k in keys), now=cutoff), strict=True))
    await queue(store, text("pending-later"), now=at(61))
    async with store.unit_of_work() as uow:
        await uow.outbox.claim_due(now=cutoff, platforms=PLATFORMS, limit=10, lease_seconds=30)
        await uow.outbox.mark_retry(ids["pending-edge"], next_attempt_at=at(90), error="x")
        await uow.outbox.mark_sent(ids["sent-early"], platform_message_id="a", now=at(59))
        await uow.outbox.mark_failed(ids["failed-early"], error="gone", now=at(59.5))
        await uow.outbox.mark_sent(ids["sent-edge"], platform_message_id="b", now=cutoff)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.purge_settled_before(cutoff.astimezone(BERLIN)) == 3
        assert await uow.outbox.purge_settled_before(cutoff) == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        left = {
            key
            for key in ["created-early", *keys, "pending-later"]
            if await uow.outbox.get(key) is not None
        }
    assert left == {"pending-edge", "sent-edge", "sending-edge", "pending-later"}


# Processed events and addresses


async def test_events_purge_before_forgets_only_strictly_earlier_ids(store: Store) -> None:
    async with store.unit_of_work() as uow:
        for event_id, recorded in (("old", at(-1)), ("edge", T0), ("new", at(1))):
            assert await uow.events.record(event_id, now=recorded.astimezone(BERLIN))
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.events.purge_before(T0) == 1
        assert await uow.events.purge_before(T0) == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.events.record("old", now=at(2))
        assert not await uow.events.record("edge", now=at(2))
        assert not await uow.events.record("new", now=at(2))


async def save_addresses(store: Store, *addresses: Address) -> None:
    async with store.unit_of_work() as uow:
        for address in addresses:
            await uow.addresses.save(address)
        await uow.commit()


async def test_address_delete_removes_only_that_owner(store: Store) -> None:
    await save_addresses(
        store,
        Address(owner_id="teams:t1:u1", data="{}", updated_at=T0),
        Address(owner_id="teams:t1:u10", data="{}", updated_at=T0),
    )
    async with store.unit_of_work() as uow:
        assert await uow.addresses.delete("teams:t1:u1")
        assert not await uow.addresses.delete("teams:t1:u1")
        assert not await uow.addresses.delete("teams:t1:nobody")
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.addresses.get("teams:t1:u1") is None
        assert await uow.addresses.get("teams:t1:u10") is not None


async def test_purge_unreachable_before_takes_only_long_unreachable_addresses(
    store: Store,
) -> None:
    await save_addresses(
        store,
        Address(owner_id="reachable-old", data="{}", updated_at=at(-600)),
        Address(owner_id="gone-old", data="{}", updated_at=at(-600), reachable=False),
        Address(owner_id="gone-edge", data="{}", updated_at=T0, reachable=False),
        Address(owner_id="gone-new", data="{}", updated_at=at(1), reachable=False),
        Address(owner_id="marked-old", data="{}", updated_at=at(-600)),
        Address(owner_id="marked-new", data="{}", updated_at=at(-600)),
    )
    async with store.unit_of_work() as uow:
        assert await uow.addresses.mark_unreachable("marked-old", now=at(-1))
        assert await uow.addresses.mark_unreachable("marked-new", now=at(1))
        assert await uow.addresses.purge_unreachable_before(T0.astimezone(BERLIN)) == 2
        assert await uow.addresses.purge_unreachable_before(T0) == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        kept = [a.owner_id for a in await uow.addresses.list_with_prefix("")]
    assert kept == ["gone-edge", "gone-new", "marked-new", "reachable-old"]
