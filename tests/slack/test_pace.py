"""Slack's pace: the configured messages a minute, halved after a 429, recovering after."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.pacing import RECOVER_SECONDS, SLOWEST_SHARE, SlackPacer

TEAM = "T0001"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def post_for(pacer: SlackPacer, clock: Clock, seconds: float) -> list[float]:
    """Post as fast as the pacer allows, each to its own DM, for ``seconds``; the times."""
    posted, end, n = [], clock.t + seconds, 0
    while True:
        wait = pacer.wait(team_id=TEAM, channel=f"D{n}")
        if clock.t + wait >= end:
            return posted
        clock.t += wait
        pacer.record(team_id=TEAM, channel=f"D{n}")
        posted.append(clock.t)
        n += 1


def busiest_minute(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 60) for t in times)


def test_the_configured_pace_is_kept_and_reached() -> None:
    clock = Clock()
    pacer = SlackPacer(messages_per_minute=120, now=clock)

    posted = post_for(pacer, clock, 600)

    assert busiest_minute(posted) <= 120
    assert len(posted) >= 0.95 * 120 * 10


def test_a_429_waits_out_retry_after_then_halves_the_pace_and_it_recovers() -> None:
    clock = Clock()
    pacer = SlackPacer(messages_per_minute=120, now=clock)
    post_for(pacer, clock, 120)
    clock.t += 60  # the windows have emptied

    pacer.hold(team_id=TEAM, seconds=5)
    assert pacer.wait(team_id=TEAM, channel="Dx") == 5
    clock.t += 5
    slowed = post_for(pacer, clock, RECOVER_SECONDS)
    assert pacer.share(TEAM) == 0.5
    assert min(b - a for a, b in itertools.pairwise(slowed)) >= 60 / 60 - 1e-9

    clock.t += 5 * RECOVER_SECONDS  # a tenth back for every half minute without a 429
    assert pacer.share(TEAM) == 1.0
    recovered = post_for(pacer, clock, 120)
    assert len(recovered) >= 0.95 * 240


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(st.booleans(), st.floats(0, 120)), max_size=30))
def test_the_share_of_the_pace_stays_between_a_tenth_and_all(
    steps: list[tuple[bool, float]],
) -> None:
    clock = Clock()
    pacer = SlackPacer(messages_per_minute=300, now=clock)
    for limited, seconds in steps:
        if limited:
            before = pacer.share(TEAM)
            pacer.hold(team_id=TEAM, seconds=1)
            assert pacer.share(TEAM) == max(SLOWEST_SHARE, before / 2)
        clock.t += seconds
        assert SLOWEST_SHARE <= pacer.share(TEAM) <= 1.0
        assert pacer.wait(team_id=TEAM, channel="D1") >= 0
