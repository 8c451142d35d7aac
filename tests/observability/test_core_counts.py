"""What the core counts for an operator, against the in-memory tally: every delivery outcome,
429s and retries, and the rhythm's report."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.clock import ManualClock
from bot.delivery import MAX_ATTEMPTS, Dispatcher
from bot.memory import MemoryStore
from bot.metrics import TalliedMetrics
from bot.ports import DeliveryResult, SendOutcome, SendResult
from bot.rhythm import TickReport
from tests.engine.conftest import MONDAY
from tests.engine.test_delivery import ScriptedSender, queue, text


async def test_every_outcome_of_a_send_is_counted_by_platform() -> None:
    store, clock, metrics = MemoryStore(), ManualClock(MONDAY), TalliedMetrics()
    too_many = SendResult(outcome=SendOutcome.DEFERRED, retry_after=2, rate_limited=True)
    down = SendResult(outcome=SendOutcome.RETRY, error="HTTP 503")
    sender = ScriptedSender(
        outcomes={
            "limited": [too_many],
            "flaky": [down],
            "gone": [SendResult(outcome=SendOutcome.UNREACHABLE, error="user_not_found")],
            "uninstalled": [SendResult(outcome=SendOutcome.INACTIVE, error="token_revoked")],
        }
    )
    await queue(
        store,
        text("limited", to="console:a"),
        text("flaky", to="console:b"),
        text("gone", to="console:c"),
        text("uninstalled", to="console:d"),
        text("fine", to="console:e"),
        text("after-limited", to="console:a"),  # waits behind the earlier one, unsent
    )
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock, metrics=metrics)

    await dispatcher.drain()
    clock.advance(timedelta(minutes=5))
    await dispatcher.drain_all()

    assert metrics.deliveries == Counter(
        {
            ("console", DeliveryResult.SENT): 4,  # fine, then limited, after-limited, flaky
            ("console", DeliveryResult.DEFERRED): 1,
            ("console", DeliveryResult.RETRY): 1,
            ("console", DeliveryResult.UNREACHABLE): 1,
            ("console", DeliveryResult.INACTIVE): 1,
        }
    )
    assert metrics.rate_limits == Counter({"console": 1})
    # limited and flaky went back for later, and after-limited waited behind limited.
    assert metrics.retries == Counter({"console": 3})


async def test_the_last_retry_allowed_counts_as_given_up() -> None:
    store, clock, metrics = MemoryStore(), ManualClock(MONDAY), TalliedMetrics()
    down = SendResult(outcome=SendOutcome.RETRY, retry_after=1, error="HTTP 503")
    sender = ScriptedSender(outcomes={"m": [down] * MAX_ATTEMPTS})
    await queue(store, text("m"))
    dispatcher = Dispatcher(store=store, senders={"console": sender}, clock=clock, metrics=metrics)

    for _ in range(MAX_ATTEMPTS):
        await dispatcher.drain()
        clock.advance(timedelta(seconds=1))

    assert metrics.deliveries == Counter(
        {
            ("console", DeliveryResult.RETRY): MAX_ATTEMPTS - 1,
            ("console", DeliveryResult.GAVE_UP): 1,
        }
    )
    assert metrics.retries == Counter({"console": MAX_ATTEMPTS - 1})
    assert sender.delivered == []


def test_tick_reports_add_up_in_the_tally() -> None:
    metrics = TalliedMetrics()
    metrics.ticked(TickReport(opened=1, asked=5))
    metrics.ticked(TickReport(asked=2, reminded=3, digests=1))
    assert metrics.rhythm == TickReport(opened=1, asked=7, reminded=3, digests=1)
