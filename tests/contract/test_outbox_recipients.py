"""Claiming the outbox for a few recipients only, on memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.outgoing import Outgoing, TextMessage
from bot.ports import OutboxStatus, Store
from storage.store import SqlStore

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PLATFORMS = frozenset({"slack", "teams"})
SAM, KIM, LEE = "slack:T1:Usam", "slack:T1:Ukim", "teams:t1:lee"


def text(key: str, recipient: str) -> TextMessage:
    return TextMessage(recipient=recipient, idempotency_key=key, text=key)


async def queue(store: Store, *messages: Outgoing, now: datetime = T0) -> None:
    async with store.unit_of_work() as uow:
        for message in messages:
            assert await uow.outbox.add(message, now=now)
        await uow.commit()


async def claim(
    store: Store,
    *,
    recipients: frozenset[str] | None,
    now: datetime = T0,
    limit: int = 10,
    platforms: frozenset[str] = PLATFORMS,
) -> list[str]:
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim_due(
            now=now, platforms=platforms, limit=limit, lease_seconds=30, recipients=recipients
        )
        await uow.commit()
    return [m.idempotency_key for m in claimed]


async def test_only_the_given_recipients_are_claimed_oldest_first(store: Store) -> None:
    await queue(
        store,
        text("kim-1", KIM),
        text("sam-1", SAM),
        text("lee-1", LEE),
        text("sam-2", SAM),
        text("kim-2", KIM),
        text("lee-2", LEE),
    )
    assert await claim(store, recipients=frozenset({SAM, LEE}), limit=3) == [
        "sam-1",
        "lee-1",
        "sam-2",
    ]
    assert await claim(store, recipients=frozenset({SAM, LEE})) == ["lee-2"]
    assert await claim(store, recipients=None) == ["kim-1", "kim-2"]


async def test_a_recipient_claim_leases_like_any_other(store: Store) -> None:
    await queue(store, text("sam-1", SAM), text("kim-1", KIM))
    async with store.unit_of_work() as uow:
        [claimed] = await uow.outbox.claim_due(
            now=T0, platforms=PLATFORMS, limit=10, lease_seconds=30, recipients=frozenset({SAM})
        )
        await uow.commit()
    assert (claimed.status, claimed.attempts) == (OutboxStatus.SENDING, 1)
    assert claimed.next_attempt_at == T0 + timedelta(seconds=30)
    async with store.unit_of_work() as uow:
        untouched = await uow.outbox.get("kim-1")
    assert untouched is not None
    assert (untouched.status, untouched.attempts) == (OutboxStatus.PENDING, 0)
    assert await claim(store, recipients=None) == ["kim-1"]
    assert await claim(store, recipients=frozenset({SAM}), now=T0 + timedelta(seconds=20)) == []
    assert await claim(store, recipients=frozenset({SAM}), now=T0 + timedelta(seconds=30)) == [
        "sam-1"
    ]


async def test_a_recipient_claim_keeps_the_platform_and_due_time_filters(store: Store) -> None:
    await queue(store, text("sam-now", SAM), text("lee-now", LEE))
    await queue(store, text("sam-later", SAM), now=T0 + timedelta(seconds=10))
    both = frozenset({SAM, LEE})
    assert await claim(store, recipients=both, platforms=frozenset({"teams"})) == ["lee-now"]
    assert await claim(store, recipients=both, platforms=frozenset()) == []
    assert await claim(store, recipients=both, limit=0) == []
    assert await claim(store, recipients=both) == ["sam-now"]
    assert await claim(store, recipients=both, now=T0 + timedelta(seconds=10)) == ["sam-later"]


async def test_no_recipients_claims_nothing(store: Store) -> None:
    await queue(store, text("sam-1", SAM), text("kim-1", KIM))
    assert await claim(store, recipients=frozenset()) == []
    assert await claim(store, recipients=frozenset({"slack:T1:Unobody"})) == []
    assert await claim(store, recipients=None) == ["sam-1", "kim-1"]


async def test_concurrent_recipient_claims_never_take_the_same_row(store: Store) -> None:
    if not isinstance(store, SqlStore):
        pytest.skip("the memory twin has no concurrent transactions")
    await queue(store, *(text(f"sam-{i:02d}", SAM) for i in range(20)))
    await queue(store, *(text(f"kim-{i:02d}", KIM) for i in range(5)))

    async def claim_until_empty() -> list[str]:
        taken: list[str] = []
        while batch := await claim(store, recipients=frozenset({SAM}), limit=3):
            taken.extend(batch)
            await asyncio.sleep(0)
        return taken

    results = await asyncio.gather(*(claim_until_empty() for _ in range(4)))
    everything = sorted(key for result in results for key in result)
    assert everything == [f"sam-{i:02d}" for i in range(20)]


@pytest.mark.postgres
async def test_a_held_row_is_skipped_by_a_recipient_claim(postgres_store: SqlStore) -> None:
    await queue(postgres_store, *(text(f"sam-{i}", SAM) for i in range(4)), text("kim-0", KIM))
    sam = frozenset({SAM})
    async with postgres_store.unit_of_work() as first, postgres_store.unit_of_work() as second:
        held = await first.outbox.claim_due(
            now=T0, platforms=PLATFORMS, limit=2, lease_seconds=30, recipients=sam
        )
        skipped = await asyncio.wait_for(
            second.outbox.claim_due(
                now=T0, platforms=PLATFORMS, limit=5, lease_seconds=30, recipients=sam
            ),
            timeout=5,
        )
        assert [m.idempotency_key for m in held] == ["sam-0", "sam-1"]
        assert [m.idempotency_key for m in skipped] == ["sam-2", "sam-3"]
        await second.commit()
        await first.commit()


async def test_a_retry_that_does_not_count_gives_the_attempt_back(store: Store) -> None:
    await queue(store, text("sam-1", SAM))
    for count_attempt, expected in ((False, 0), (True, 1), (False, 1)):
        async with store.unit_of_work() as uow:
            (row,) = await uow.outbox.claim_due(
                now=T0 + timedelta(hours=1), platforms=PLATFORMS, limit=1, lease_seconds=30
            )
            assert row.message_id is not None
            await uow.outbox.mark_retry(
                row.message_id, next_attempt_at=T0, error="paced", count_attempt=count_attempt
            )
            await uow.commit()
        async with store.unit_of_work() as uow:
            (stored,) = await uow.outbox.list_for_recipient(SAM)
        assert (stored.attempts, stored.status) == (expected, OutboxStatus.PENDING)
