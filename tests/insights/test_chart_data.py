"""A digest's chart data: a week too small to share is a gap (None), never a zero, in words too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.insights.render import render_digest
from bot.memory import MemoryStore
from bot.outgoing import SummaryMessage, TrendChart
from bot.ripple import Ripple
from tests.engine.conftest import MANAGER as ENGINE_MANAGER
from tests.engine.conftest import MONDAY, TEAM, set_up_team
from tests.engine.test_digests import HEAVY, WEEK1, run_week

from .support import (
    CATALOG,
    LOCALES,
    MANAGER,
    load_insight_messages,
    make_channel,
    make_round,
    summarise,
    workloads,
)


def digest_with_a_suppressed_week(locale: str = "en") -> tuple[SummaryMessage, list[str]]:
    channel = make_channel(k=5, locale=locale)
    oldest, suppressed, current = (make_round(week) for week in (1, 2, 3))
    history = [  # newest first
        (suppressed, workloads(suppressed, "1", "1", "1", "1")),
        (oldest, workloads(oldest, "5", "5", "5", "5", "5")),
    ]
    summary = summarise(
        channel, current, workloads(current, "3", "3", "3", "3", "4"), history=history
    )
    periods = [r.period for r in (oldest, suppressed, current)]
    message = render_digest(
        published=summary.published,
        view=summary.view,
        history=summary.history,
        periods=periods,
        channel=channel.name,
        catalog=CATALOG,
        locale=locale,
        recipient=MANAGER,
        idempotency_key="digest:test",
    )
    return message, periods


def test_a_suppressed_week_is_a_gap_in_the_chart_not_a_zero():
    message, periods = digest_with_a_suppressed_week()

    chart = message.chart
    assert chart is not None
    assert chart.periods == tuple(periods)
    (workload,) = chart.series  # the only signal anyone answered
    assert workload.signal == "workload"
    assert workload.points == (5.0, None, 3.2)
    assert (workload.low, workload.high) == (1.0, 5.0)
    assert chart.gap_label == "A gap is a week with too few answers to share."


def test_the_alt_text_names_every_week_and_says_the_gap_was_not_shared():
    message, (oldest, suppressed, current) = digest_with_a_suppressed_week()

    assert message.chart is not None
    assert message.chart.alt_text == (
        "Recent check-ins, oldest first. Average workload (higher is heavier): "
        f"{oldest} 5.0, {suppressed} not shared, {current} 3.2."
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_says_what_a_gap_is(locale: str):
    message, (_, suppressed, _) = digest_with_a_suppressed_week(locale)
    words = load_insight_messages(locale)

    assert message.chart is not None
    assert f"{suppressed} {words['digest.chart.gap']}" in message.chart.alt_text
    assert message.chart.gap_label == words["digest.chart.gap_legend"]
    assert "0.0" not in message.chart.alt_text


async def test_the_published_digest_carries_the_gap_from_the_stored_weeks():
    clock = ManualClock(MONDAY)
    sender = ConsoleSender()
    ripple = Ripple(
        store=MemoryStore(),
        catalog=YamlPromptCatalog.load(),
        clock=clock,
        senders={"console": sender},
    )
    await set_up_team(ripple)
    everyone: dict[str, tuple[str, ...] | str] = {pid: HEAVY for pid in TEAM}
    await run_week(ripple, clock, WEEK1, everyone)
    await run_week(ripple, clock, WEEK1 + timedelta(weeks=1), {pid: HEAVY for pid in TEAM[:2]})
    await run_week(ripple, clock, WEEK1 + timedelta(weeks=2), everyone)

    digests = [m for m in sender.to(ENGINE_MANAGER) if isinstance(m, SummaryMessage)]
    assert [d.suppressed for d in digests] == [False, True, False]
    assert digests[0].chart is None  # one week is no trend yet
    chart = digests[-1].chart
    assert isinstance(chart, TrendChart)
    assert len(chart.periods) == 3
    gap = chart.periods[1]
    for series in chart.series:
        assert series.points[1] is None
        assert None not in (series.points[0], series.points[2])
    assert f"{gap} not shared" in chart.alt_text
    for period in chart.periods:
        assert period in chart.alt_text
