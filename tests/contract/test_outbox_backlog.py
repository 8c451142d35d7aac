"""The outbox's backlog, the same on every store: what waits, and since when the oldest has."""

from __future__ import annotations

from bot.ports import OutboxBacklog, Store
from tests.contract.test_repositories import PLATFORMS, T0, assert_utc, at, queue, text


async def test_an_empty_outbox_has_no_backlog(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.outbox.backlog() == OutboxBacklog(waiting=0, oldest_created_at=None)


async def test_the_backlog_counts_pending_and_sending_and_dates_the_oldest(store: Store) -> None:
    ids = await queue(store, text("old"), now=T0)
    ids += await queue(store, *(text(f"m{i}") for i in range(4)), now=at(5))
    async with store.unit_of_work() as uow:
        # "old" and "m0" are claimed (sending); "m1" is put back for later; "m2" is sent and
        # "m3" failed, so neither waits any more.
        await uow.outbox.claim_due(now=at(5), platforms=PLATFORMS, limit=3, lease_seconds=30)
        await uow.outbox.mark_retry(ids[2], next_attempt_at=at(60), error="HTTP 503")
        await uow.outbox.mark_sent(ids[3], platform_message_id="x", now=at(6))
        await uow.outbox.mark_failed(ids[4], error="user_not_found", now=at(6))
        await uow.commit()

    async with store.unit_of_work() as uow:
        backlog = await uow.outbox.backlog()

    assert backlog == OutboxBacklog(waiting=3, oldest_created_at=T0)
    assert_utc(store, backlog.oldest_created_at)


async def test_once_the_oldest_is_sent_the_next_oldest_dates_the_backlog(store: Store) -> None:
    (first,) = await queue(store, text("a"), now=T0)
    await queue(store, text("b"), now=at(3))
    async with store.unit_of_work() as uow:
        await uow.outbox.mark_sent(first, platform_message_id="x", now=at(4))
        await uow.commit()

    async with store.unit_of_work() as uow:
        backlog = await uow.outbox.backlog()

    assert backlog == OutboxBacklog(waiting=1, oldest_created_at=at(3))
