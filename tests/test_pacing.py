"""The shared sliding-window pacer, on a hand-turned clock: nothing here sleeps.

Times and window lengths are whole eighths of a second, so every sum the pacer makes is exact
and a wait can be checked to the tick.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.pacing import Limits, SlidingWindows

TICK = 1 / 8
KEYS = ("a", "b", "c")


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def ticks(low: int, high: int) -> st.SearchStrategy[float]:
    return st.integers(low, high).map(lambda n: n * TICK)


LIMITS = st.lists(st.tuples(st.integers(1, 6), ticks(1, 80)), min_size=1, max_size=4).map(tuple)
# Each step: which key wants to send, and how long after the last send it asks.
STEPS = st.lists(st.tuples(st.sampled_from(KEYS), ticks(0, 40)), max_size=120)


def inside(sent: list[float], now: float, seconds: float) -> int:
    return sum(1 for t in sent if t <= now and now - t < seconds)


def has_room(sent: list[float], now: float, limits: Limits) -> bool:
    return all(inside(sent, now, seconds) < count for count, seconds in limits)


def run(limits: Limits, steps: list[tuple[str, float]]) -> list[tuple[str, float, float]]:
    """Send each step as soon as the pacer allows; each key's (asked at, wait) in order."""
    clock = Clock()
    windows = SlidingWindows(limits, clock)
    seen = []
    for key, gap in steps:
        clock.now += gap
        wait = windows.wait(key)
        seen.append((key, clock.now, wait))
        clock.now += wait
        windows.record(key)
    return seen


@settings(max_examples=300, deadline=None)
@given(limits=LIMITS, steps=STEPS)
def test_a_send_waits_exactly_until_it_fits_every_window(
    limits: Limits, steps: list[tuple[str, float]]
) -> None:
    clock = Clock()
    windows = SlidingWindows(limits, clock)
    sent: dict[str, list[float]] = defaultdict(list)
    for key, gap in steps:
        clock.now += gap
        wait = windows.wait(key)

        assert wait >= 0
        assert (wait == 0) == has_room(sent[key], clock.now, limits)
        if wait > 0:
            assert not has_room(sent[key], clock.now + wait - TICK, limits)  # not a tick sooner
            clock.now += wait
            assert windows.wait(key) == 0
            assert has_room(sent[key], clock.now, limits)
        windows.record(key)
        sent[key].append(clock.now)

    for history in sent.values():
        for i, now in enumerate(history):
            for count, seconds in limits:
                assert inside(history[: i + 1], now, seconds) <= count


@settings(max_examples=200, deadline=None)
@given(limits=LIMITS, steps=STEPS)
def test_keys_are_paced_apart(limits: Limits, steps: list[tuple[str, float]]) -> None:
    together = run(limits, steps)

    for key in KEYS:
        clock = Clock()
        alone = SlidingWindows(limits, clock)
        for _, asked, wait in [seen for seen in together if seen[0] == key]:
            clock.now = asked
            assert alone.wait(key) == wait
            clock.now += wait
            alone.record(key)


@settings(max_examples=200, deadline=None)
@given(limits=LIMITS, steps=STEPS, tidy_after=st.integers(0, 120))
def test_forgetting_idle_keys_changes_no_wait(
    limits: Limits, steps: list[tuple[str, float]], tidy_after: int
) -> None:
    clock = Clock()
    tidied, kept = SlidingWindows(limits, clock), SlidingWindows(limits, clock)
    for n, (key, gap) in enumerate(steps):
        clock.now += gap
        if n == tidy_after:
            tidied.forget_idle()
        wait = kept.wait(key)
        assert tidied.wait(key) == wait
        clock.now += wait
        tidied.record(key)
        kept.record(key)


def test_a_key_is_forgotten_once_its_longest_window_is_empty() -> None:
    clock = Clock()
    windows = SlidingWindows(((1, 1.0), (3, 10.0)), clock)
    windows.record("old")
    clock.now += 5
    windows.record("recent")

    clock.now += 5
    windows.forget_idle()

    assert list(windows.keys()) == ["recent"]


def test_one_instant_can_be_asked_about_without_the_clock() -> None:
    windows = SlidingWindows(((2, 1.0),), now=lambda: pytest.fail("the clock was read"))
    windows.record("a", at=10.0)
    windows.record("a", at=10.5)

    assert windows.wait("a", at=10.75) == 0.25
    assert windows.wait("a", at=11.0) == 0.0


@pytest.mark.parametrize("limits", [(), ((0, 1.0),), ((1, 0.0),)])
def test_a_window_needs_a_count_and_a_length(limits: Limits) -> None:
    with pytest.raises(ValueError, match="each window"):
        SlidingWindows(limits)
