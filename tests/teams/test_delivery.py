"""Delivery to Teams through the outbox: pacing, retries as Teams asks, and never a 403 twice."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import Actor, Role
from bot.outgoing import TextMessage
from bot.ports import OutboxStatus, SendOutcome
from tests.teams import CHANNEL_ID, SAM, TEAM_ID, TENANT, Harness, teams_harness, user
from tests.teams.fake_connector import Failure

MONDAY_0900 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
ASK_TIME = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)  # a new channel's default: Monday 09:30 UTC
PEOPLE = [user(100 + n) for n in range(300)]
TENANT_PER_SECOND = 50

ADMIN_ROLES = frozenset({Role.WORKSPACE_ADMIN})


async def outbox_rows(h: Harness, people: list) -> dict[str, list]:
    async with h.ripple.store.unit_of_work() as uow:
        return {p.person_id: await uow.outbox.list_for_recipient(p.person_id) for p in people}


async def drain_until_settled(h: Harness, *, step: timedelta, rounds: int = 100) -> None:
    """Drain, let the clock move on past the retries, and drain again until nothing is left."""
    for _ in range(rounds):
        await h.ripple.drain()
        async with h.ripple.store.unit_of_work() as uow:
            counts = await uow.outbox.count_by_status()
        if not counts.get(OutboxStatus.PENDING) and not counts.get(OutboxStatus.SENDING):
            return
        h.clock.advance(step)
    raise AssertionError(f"the outbox did not settle: {counts}")


def busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max(
        (bisect_right(ordered, t) - bisect_right(ordered, t - 1.0) for t in ordered), default=0
    )


async def test_a_fan_out_to_300_people_through_429_bursts_loses_nothing_and_doubles_nothing() -> (
    None
):
    async with teams_harness(store=MemoryStore(), clock=ManualClock(MONDAY_0900)) as h:
        await h.install_in_team(by=PEOPLE[0], roster=PEOPLE)
        blocked = PEOPLE[7]
        h.connector.blocked.add(blocked.conversation_id)
        h.connector.burst_every(40, Failure(status=429, times=4, retry_after="2"))
        for status in (412, 502, 504):
            h.connector.fail(status)
        h.clock.set(ASK_TIME)

        await h.ripple.tick()
        await drain_until_settled(h, step=timedelta(seconds=5))

        rows = await outbox_rows(h, PEOPLE)
        async with h.ripple.store.unit_of_work() as uow:
            blocked_address = await uow.addresses.get(blocked.person_id)
        calls = list(h.connector.calls)

    assert {p.person_id: len(r) for p, r in zip(PEOPLE, rows.values(), strict=True)} == {
        p.person_id: 1 for p in PEOPLE
    }
    delivered = [p for p in PEOPLE if p is not blocked]
    # Everyone but the blocked person has exactly one gate in their personal chat.
    assert all(len(h.connector.sent(p.conversation_id)) == 1 for p in delivered)
    assert h.connector.sent(blocked.conversation_id) == []
    assert len(h.connector.sent()) == len(delivered)
    for person in delivered:
        (row,) = rows[person.person_id]
        (call,) = h.connector.sent(person.conversation_id)
        assert row.status is OutboxStatus.SENT
        assert row.platform_message_id in h.connector.messages[person.conversation_id]
        assert "capacity" in call.body["attachments"][0]["content"]["body"][0]["text"]
    (blocked_row,) = rows[blocked.person_id]
    assert blocked_row.status is OutboxStatus.FAILED
    assert blocked_address is not None and not blocked_address.reachable
    # Teams did push back, and Ripple kept to the tenant's pace throughout.
    assert sum(c.status == 429 for c in calls) >= 20
    assert {412, 502, 504} <= {c.status for c in calls}
    assert [c.status for c in calls if c.conversation_id == blocked.conversation_id] == [403]
    assert busiest_second([c.at for c in calls]) <= TENANT_PER_SECOND


def a_message(text: str = "Hello") -> TextMessage:
    return TextMessage(recipient=SAM.person_id, idempotency_key=f"test:{text}", text=text)


@pytest.fixture
async def harness():
    async with teams_harness(store=MemoryStore(), clock=ManualClock(MONDAY_0900)) as h:
        await h.install_personally(SAM)
        yield h


@pytest.mark.parametrize(
    ("status", "retry_after", "expected_wait"),
    [(429, "7", 7.0), (429, None, None), (412, None, None), (502, None, None), (504, None, None)],
)
async def test_throttling_and_outages_are_retried_later(
    harness: Harness, status: int, retry_after: str | None, expected_wait: float | None
) -> None:
    harness.connector.fail(status, retry_after=retry_after)

    result = await harness.platform.sender.send(a_message(), replaces=None)

    # Waiting as told (429 with Retry-After) doesn't count as an attempt; the rest back off.
    expected = SendOutcome.DEFERRED if expected_wait is not None else SendOutcome.RETRY
    assert result.outcome is expected
    assert result.retry_after == expected_wait
    assert (
        await harness.platform.sender.send(a_message(), replaces=None)
    ).outcome is SendOutcome.SENT


async def test_a_403_is_never_retried_and_marks_the_person_unreachable(harness: Harness) -> None:
    h = harness
    h.connector.fail(403, code="BotNotInConversationRoster")

    first = await h.platform.sender.send(a_message("one"), replaces=None)
    second = await h.platform.sender.send(a_message("two"), replaces=None)

    assert (first.outcome, second.outcome) == (SendOutcome.UNREACHABLE, SendOutcome.UNREACHABLE)
    assert "BotNotInConversationRoster" in (first.error or "")
    assert len([c for c in h.connector.calls if c.conversation_id == SAM.conversation_id]) == 1


async def test_a_message_to_update_that_is_gone_is_posted_afresh(harness: Harness) -> None:
    result = await harness.platform.sender.send(a_message(), replaces="act-404")

    assert result.outcome is SendOutcome.SENT
    assert result.platform_message_id != "act-404"
    assert len(harness.connector.sent(SAM.conversation_id)) == 1


async def test_a_person_with_no_known_conversation_is_unreachable_without_a_request(
    harness: Harness,
) -> None:
    stranger = TextMessage(recipient="teams:elsewhere:nobody", idempotency_key="k", text="Hi")

    result = await harness.platform.sender.send(stranger, replaces=None)

    assert result.outcome is SendOutcome.UNREACHABLE
    assert harness.connector.calls == []


async def test_a_conversation_is_paced_to_teams_limits_without_sleeping(harness: Harness) -> None:
    h = harness
    started = h.clock.now()

    results = [await h.platform.sender.send(a_message(str(n)), replaces=None) for n in range(9)]

    assert all(r.outcome is SendOutcome.SENT for r in results)
    times = [c.at for c in h.connector.sent(SAM.conversation_id)]
    assert max(bisect_right(times, t) - bisect_right(times, t - 1.0) for t in times) <= 7
    assert max(bisect_right(times, t) - bisect_right(times, t - 2.0) for t in times) <= 8
    assert h.clock.now() - started >= timedelta(seconds=1)  # the test's clock, not the wall's


async def test_a_managers_digest_arrives_as_an_adaptive_card_in_their_personal_chat() -> None:
    team = [user(400 + n) for n in range(6)]
    manager = team[0]
    async with teams_harness(store=MemoryStore(), clock=ManualClock(ASK_TIME)) as h:
        await h.install_in_team(by=manager, roster=team)
        await h.ripple.configure_channel(
            actor=Actor(
                person_id=manager.person_id, place=f"teams:{TENANT}:{TEAM_ID}", roles=ADMIN_ROLES
            ),
            channel_id=CHANNEL_ID,
            config={"managers": frozenset({manager.person_id})},
        )
        await h.ripple.tick()  # the round opens and everyone is asked
        await drain_until_settled(h, step=timedelta(seconds=5))
        h.clock.advance(timedelta(hours=73))  # the round closes, the digest goes out

        await h.ripple.tick()
        await drain_until_settled(h, step=timedelta(seconds=5))

        chat = h.connector.thread(manager.conversation_id)
    summaries = [
        a["attachments"][0]["content"]
        for a in chat
        if a["attachments"][0]["content"]["body"][0]["text"].startswith("Check-in summary for")
    ]
    assert len(summaries) == 1
    (card,) = summaries
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "Check-in summary for Design, 2026-W41",
        "wrap": True,
        "size": "Medium",
        "weight": "Bolder",
    }
    assert card["body"][1]["text"] == "Not enough responses to share this week."


@pytest.mark.parametrize(
    ("status", "code", "outcome", "reachable"),
    [
        # Ripple's credentials were refused: nothing is wrong with the person; try later.
        (401, "Unauthorized", SendOutcome.RETRY, True),
        # The conversation is gone: never retried, and the person can't be reached there.
        (404, "ConversationNotFound", SendOutcome.UNREACHABLE, False),
        # The message itself is too big: that message fails, the person stays reachable.
        (413, "MessageSizeTooBig", SendOutcome.UNREACHABLE, True),
    ],
)
async def test_the_connectors_refusals_are_told_apart(
    harness: Harness, status: int, code: str, outcome: SendOutcome, reachable: bool
) -> None:
    h = harness
    h.connector.fail(status, code=code)

    refused = await h.platform.sender.send(a_message("one"), replaces=None)
    after = await h.platform.sender.send(a_message("two"), replaces=None)

    assert refused.outcome is outcome
    assert code in (refused.error or "")
    expected_after = SendOutcome.SENT if reachable else SendOutcome.UNREACHABLE
    assert after.outcome is expected_after
    async with h.ripple.store.unit_of_work() as uow:
        address = await uow.addresses.get(SAM.person_id)
    assert address is not None and address.reachable is reachable
