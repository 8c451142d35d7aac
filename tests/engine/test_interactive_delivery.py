"""An interactive reply goes out at once, without waiting behind a large fan-out."""

from __future__ import annotations

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.delivery import DrainReport
from bot.memory import MemoryStore, MemoryUnitOfWork
from bot.outgoing import Outgoing, TextMessage
from bot.ports import OutboxStatus, Store
from bot.ripple import Ripple
from tests.engine.conftest import MONDAY

SAM = "console:sam"


def text(key: str, *, to: str) -> TextMessage:
    return TextMessage(recipient=to, idempotency_key=key, text=key)


async def queue(store: Store, *messages: Outgoing) -> None:
    async with store.unit_of_work() as uow:
        for message in messages:
            assert await uow.outbox.add(message, now=MONDAY)
        await uow.commit()


async def pending(store: Store) -> int:
    async with store.unit_of_work() as uow:
        return (await uow.outbox.count_by_status())[OutboxStatus.PENDING]


async def test_deliver_sends_only_the_recipients_messages(
    ripple: Ripple, sender: ConsoleSender
) -> None:
    fan_out = [text(f"ask:{i:03d}", to=f"console:p{i:03d}") for i in range(100)]
    await queue(ripple.store, *fan_out[:60], text("reply:1", to=SAM), *fan_out[60:])
    await queue(ripple.store, text("reply:2", to=SAM))

    report = await ripple.deliver(recipients={SAM})

    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    assert [d.message.idempotency_key for d in sender.delivered] == ["reply:1", "reply:2"]
    assert await pending(ripple.store) == 100

    assert (await ripple.drain()).sent == 100
    assert await pending(ripple.store) == 0


class UnopenableStore(MemoryStore):
    def unit_of_work(self) -> MemoryUnitOfWork:
        raise AssertionError("the store was opened")


async def test_deliver_to_nobody_does_not_touch_the_store(
    catalog: YamlPromptCatalog, clock: ManualClock, sender: ConsoleSender
) -> None:
    ripple = Ripple(
        store=UnopenableStore(), catalog=catalog, clock=clock, senders={"console": sender}
    )

    report = await ripple.deliver(recipients=[])

    assert report == DrainReport()
    assert sender.delivered == []
