"""The outbox dispatcher: durable, ordered, paced by the platform, never doubled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import ManualClock
from bot.delivery import MAX_ATTEMPTS, Dispatcher
from bot.memory import MemoryStore
from bot.outgoing import Outgoing, TextMessage
from bot.ports import OutboxStatus, SendOutcome, SendResult
from tests.engine.conftest import MONDAY


@dataclass
class ScriptedSender:
    """A platform that answers with the outcomes it is given, then succeeds."""

    outcomes: dict[str, list[SendResult]] = field(default_factory=dict)
    delivered: list[tuple[str, str | None]] = field(default_factory=list)
    platform: str = "console"
    crash_on: set[str] = field(default_factory=set)

    async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
        key = message.idempotency_key
        if key in self.crash_on:
            self.crash_on.discard(key)
            raise ConnectionError("connection reset by peer")
        queued = self.outcomes.get(key)
        if queued:
            return queued.pop(0)
        self.delivered.append((key, replaces))
        return SendResult(outcome=SendOutcome.SENT, platform_message_id=f"id-{len(self.delivered)}")


def text(key: str, *, to: str = "console:a", thread: str | None = None) -> TextMessage:
    return TextMessage(recipient=to, idempotency_key=key, thread_key=thread, text=key)


async def queue(store: MemoryStore, *messages: Outgoing) -> None:
    async with store.unit_of_work() as uow:
        for message in messages:
            await uow.outbox.add(message, now=MONDAY)
        await uow.commit()


async def statuses(store: MemoryStore) -> dict[str, OutboxStatus]:
    async with store.unit_of_work() as uow:
        rows = await uow.outbox.list_for_recipient(
            "console:a"
        ) + await uow.outbox.list_for_recipient("console:b")
    return {row.idempotency_key: row.status for row in rows}


async def test_a_rate_limit_waits_for_retry_after_and_loses_nothing():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    limited = SendResult(outcome=SendOutcome.RETRY, retry_after=30, error="ratelimited")
    sender = ScriptedSender(outcomes={"m1": [limited]})
    await queue(store, text("m1"), text("m2", to="console:b"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    first = await dispatcher.drain()
    assert (first.sent, first.retried) == (1, 1)
    clock.advance(timedelta(seconds=29))
    assert (await dispatcher.drain()).handled == 0
    clock.advance(timedelta(seconds=1))
    assert (await dispatcher.drain()).sent == 1
    assert sorted(key for key, _ in sender.delivered) == ["m1", "m2"]
    assert set((await statuses(store)).values()) == {OutboxStatus.SENT}


async def test_a_later_message_to_the_same_person_waits_for_the_earlier_one():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    limited = SendResult(outcome=SendOutcome.RETRY, retry_after=5)
    sender = ScriptedSender(outcomes={"m1": [limited]})
    await queue(store, text("m1"), text("m2"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    await dispatcher.drain()
    assert sender.delivered == []
    clock.advance(timedelta(seconds=5))
    await dispatcher.drain_all()
    assert [key for key, _ in sender.delivered] == ["m1", "m2"]


async def test_an_unreachable_person_is_skipped_and_the_rest_go_on():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    gone = SendResult(outcome=SendOutcome.UNREACHABLE, error="user_not_found")
    sender = ScriptedSender(outcomes={"m1": [gone]})
    await queue(store, text("m1"), text("m2", to="console:b"))
    report = await Dispatcher(store=store, senders={"console": sender}, clock=clock).drain()
    assert (report.sent, report.failed) == (1, 1)
    async with store.unit_of_work() as uow:
        row = await uow.outbox.get("m1")
    assert (
        row is not None and row.status is OutboxStatus.FAILED and row.last_error == "user_not_found"
    )


async def test_a_crash_mid_send_is_retried_and_sent_once():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    sender = ScriptedSender(crash_on={"m1"})
    await queue(store, text("m1"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    assert (await dispatcher.drain()).retried == 1
    clock.advance(timedelta(seconds=2))
    assert (await dispatcher.drain()).sent == 1
    clock.advance(timedelta(hours=1))
    assert (await dispatcher.drain()).handled == 0
    assert sender.delivered == [("m1", None)]


async def test_a_claimed_message_whose_sender_died_is_reclaimed_after_its_lease():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    await queue(store, text("m1"))
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim_due(
            now=clock.now(), platforms=frozenset({"console"}), limit=10, lease_seconds=120
        )
        await uow.commit()
    assert len(claimed) == 1  # ...and then this replica vanished
    sender = ScriptedSender()
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    assert (await dispatcher.drain()).handled == 0
    clock.advance(timedelta(seconds=121))
    assert (await dispatcher.drain()).sent == 1


async def test_retries_give_up_after_the_limit():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    busy = SendResult(outcome=SendOutcome.RETRY, retry_after=1, error="503")
    sender = ScriptedSender(outcomes={"m1": [busy] * (MAX_ATTEMPTS + 2)})
    await queue(store, text("m1"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    for _ in range(MAX_ATTEMPTS + 1):
        await dispatcher.drain()
        clock.advance(timedelta(seconds=2))
    assert (await statuses(store))["m1"] is OutboxStatus.FAILED


async def test_messages_in_a_thread_update_the_earlier_one_in_place():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    sender = ScriptedSender()
    first = TextMessage(
        recipient="console:a", idempotency_key="t1", thread_key="th", text="a", new_message=True
    )
    await queue(store, first, text("t2", thread="th"))
    await Dispatcher(store=store, senders={"console": sender}, clock=clock).drain_all()
    assert sender.delivered == [("t1", None), ("t2", "id-1")]


async def test_the_same_key_is_queued_once():
    store = MemoryStore()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.add(text("k"), now=MONDAY)
        assert not await uow.outbox.add(text("k"), now=MONDAY)
        await uow.commit()


async def test_a_message_whose_recipient_erased_their_data_mid_send_is_dropped_quietly():
    store, clock = MemoryStore(), ManualClock(MONDAY)

    class ErasingSender(ScriptedSender):
        async def send(self, message: Outgoing, *, replaces: str | None) -> SendResult:
            async with store.unit_of_work() as uow:
                await uow.outbox.delete_for_recipient(message.recipient)
                await uow.commit()
            return await super().send(message, replaces=replaces)

    await queue(store, text("m1"))
    report = await Dispatcher(
        store=store, senders={"console": ErasingSender()}, clock=clock
    ).drain()
    assert report.failed == 1
    assert await statuses(store) == {}


async def test_waiting_for_the_platforms_pace_never_uses_up_the_attempts():
    store, clock = MemoryStore(), ManualClock(MONDAY)
    paced = SendResult(outcome=SendOutcome.DEFERRED, retry_after=2, error="pacing")
    sender = ScriptedSender(outcomes={"m1": [paced] * (MAX_ATTEMPTS * 3)})
    await queue(store, text("m1"), text("m2"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    for _ in range(MAX_ATTEMPTS * 3):
        report = await dispatcher.drain()
        assert report.sent == 0  # m2 waits for m1: one person's messages stay in order
        clock.advance(timedelta(seconds=1))
        assert (await dispatcher.drain()).handled == 0  # not due before retry_after
        clock.advance(timedelta(seconds=1))
    assert (await dispatcher.drain()).sent == 2
    assert [key for key, _ in sender.delivered] == ["m1", "m2"]
    async with store.unit_of_work() as uow:
        rows = await uow.outbox.list_for_recipient("console:a")
    assert {row.idempotency_key: row.attempts for row in rows} == {"m1": 1, "m2": 1}


async def test_a_failed_delivery_is_logged_without_its_key_or_contents(caplog):
    """Keys such as ``checkin:…:<person>:rest`` say who rested; the log says neither."""
    store, clock = MemoryStore(), ManualClock(MONDAY)
    key = "checkin:console:design/2026-W45:console:a:rest"
    gone = SendResult(outcome=SendOutcome.UNREACHABLE, error="account_inactive")
    sender = ScriptedSender(outcomes={key: [gone]}, crash_on={"checkin:x:console:b:rest"})
    await queue(store, text(key), text("checkin:x:console:b:rest", to="console:b"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock)
    with caplog.at_level("DEBUG"):
        await dispatcher.drain()
    messages = [record.getMessage() for record in caplog.records]
    assert any("giving up on outbox message" in m for m in messages)
    assert any("sending outbox message" in m for m in messages)
    for message in messages:
        assert "rest" not in message and "console:a" not in message, message
