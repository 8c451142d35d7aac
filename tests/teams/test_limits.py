"""Teams' send limits, on a hand-turned clock: nothing here sleeps."""

from __future__ import annotations

import pytest

from adapters.teams.limits import SendLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def take(
    limiter: SendLimiter, n: int, *, conversation: str = "a:1", tenant: str = "t"
) -> list[float]:
    return [limiter.acquire(conversation=conversation, tenant=tenant) for _ in range(n)]


def test_seven_a_second_then_a_wait_until_the_oldest_leaves_the_window(clock: Clock) -> None:
    limiter = SendLimiter(clock=clock)

    assert take(limiter, 7) == [0.0] * 7
    assert limiter.acquire(conversation="a:1", tenant="t") == pytest.approx(1.0)
    clock.now += 1.0
    assert limiter.acquire(conversation="a:1", tenant="t") == 0.0


def test_eight_in_two_seconds(clock: Clock) -> None:
    limiter = SendLimiter(clock=clock)
    take(limiter, 7)
    clock.now += 1.0
    assert limiter.acquire(conversation="a:1", tenant="t") == 0.0  # the 8th, a second later

    clock.now += 0.5
    assert limiter.acquire(conversation="a:1", tenant="t") == pytest.approx(0.5)


def test_sixty_in_thirty_seconds(clock: Clock) -> None:
    limiter = SendLimiter(clock=clock)
    for _ in range(60):
        while limiter.acquire(conversation="a:1", tenant="t") > 0:
            clock.now += 0.25
    wait = limiter.acquire(conversation="a:1", tenant="t")

    assert wait > 1.0  # now the 30-second window is the one that binds
    clock.now += wait
    assert limiter.acquire(conversation="a:1", tenant="t") == 0.0


def test_eighteen_hundred_an_hour() -> None:
    clock = Clock()
    limiter = SendLimiter(
        clock=clock, conversation_windows=((1800, 3600.0),), tenant_windows=((10_000, 1.0),)
    )
    assert take(limiter, 1800) == [0.0] * 1800

    assert limiter.acquire(conversation="a:1", tenant="t") == pytest.approx(3600.0)


def test_conversations_are_limited_apart_but_share_the_tenants_pace(clock: Clock) -> None:
    limiter = SendLimiter(clock=clock)

    waits = [limiter.acquire(conversation=f"a:{n}", tenant="t") for n in range(51)]
    other_tenant = limiter.acquire(conversation="a:x", tenant="other")

    assert waits[:50] == [0.0] * 50
    assert waits[50] == pytest.approx(1.0)
    assert other_tenant == 0.0


def test_a_refused_request_takes_no_slot(clock: Clock) -> None:
    limiter = SendLimiter(clock=clock)
    take(limiter, 7)
    take(limiter, 5)  # all refused

    clock.now += 1.0
    # Only the seven sent count towards 8-in-2-seconds, so one more fits now.
    assert take(limiter, 2) == [0.0, pytest.approx(1.0)]


def test_idle_conversations_are_forgotten(clock: Clock) -> None:
    limiter = SendLimiter(
        clock=clock, conversation_windows=((7, 1.0),), tenant_windows=((10_000, 1.0),)
    )
    for n in range(999):
        limiter.acquire(conversation=f"a:{n}", tenant="t")
        clock.now += 0.01
    clock.now += 10
    limiter.acquire(conversation="a:last", tenant="t")  # the thousandth request tidies up

    assert list(limiter._conversations.keys()) == ["a:last"]
