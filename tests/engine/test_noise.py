"""Optional differential privacy: OpenDP noise on published counts, within a quarterly budget."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.insights.noise import SENSITIVITY, OpenDPNoise
from bot.insights.published import Published
from bot.memory import MemoryStore
from bot.model import Round, RoundTerms
from bot.outgoing import SummaryMessage
from bot.ripple import Ripple
from bot.schedule import period_of
from tests.engine.conftest import CHANNEL, MANAGER, MONDAY, set_up_team
from tests.engine.test_digests import HEAVY, WEEK1, run_week

CROWD = tuple(f"console:n{i:02d}" for i in range(24))


@dataclass
class ShiftNoise:
    """Adds one to every count, and remembers what it was asked for."""

    calls: list[tuple[int, float, int]] = field(default_factory=list)

    def laplace(self, counts: Sequence[int], *, epsilon: float, sensitivity: int) -> list[int]:
        self.calls.append((len(counts), epsilon, sensitivity))
        return [count + 1 for count in counts]


@pytest.fixture
def noise() -> ShiftNoise:
    return ShiftNoise()


@pytest.fixture
def noisy_ripple(
    catalog: YamlPromptCatalog, clock: ManualClock, sender: ConsoleSender, noise: ShiftNoise
) -> Ripple:
    return Ripple(
        store=MemoryStore(),
        catalog=catalog,
        clock=clock,
        senders={"console": sender},
        noise=noise,
    )


def digest_of(sender: ConsoleSender) -> SummaryMessage:
    (digest,) = [m for m in sender.to(MANAGER) if isinstance(m, SummaryMessage)]
    return digest


async def stored(ripple: Ripple) -> Published | None:
    async with ripple.store.unit_of_work() as uow:
        return await uow.summaries.get(Round.make_id(CHANNEL, period_of(WEEK1.date())))


def test_opendp_noise_is_calibrated_to_epsilon_and_sensitivity() -> None:
    noise = OpenDPNoise()
    draws = [noise.laplace([50], epsilon=1.0, sensitivity=SENSITIVITY)[0] - 50 for _ in range(4000)]
    assert all(isinstance(value, int) for value in draws)
    spread = statistics.fmean(abs(value) for value in draws)
    assert 5.0 < spread < 7.0, "Laplace noise of scale sensitivity/ε = 6"
    assert abs(statistics.fmean(draws)) < 1.0
    with pytest.raises(ValueError, match="positive"):
        noise.laplace([1], epsilon=0, sensitivity=SENSITIVITY)


async def test_noise_is_off_unless_a_channel_turns_it_on(
    noisy_ripple: Ripple, clock: ManualClock, sender: ConsoleSender, noise: ShiftNoise
) -> None:
    await set_up_team(noisy_ripple, people=CROWD)
    await run_week(noisy_ripple, clock, WEEK1, {pid: HEAVY for pid in CROWD})
    assert noise.calls == []
    published = await stored(noisy_ripple)
    assert published is not None and published.counts is not None
    assert published.counts.respondents == len(CROWD)
    assert published.spent == 0
    assert "random noise" not in digest_of(sender).text


async def test_a_channel_with_noise_publishes_noisy_counts_and_says_what_that_means(
    noisy_ripple: Ripple, clock: ManualClock, sender: ConsoleSender, noise: ShiftNoise
) -> None:
    await set_up_team(noisy_ripple, people=CROWD, noise_budget=3.0)
    await run_week(noisy_ripple, clock, WEEK1, {pid: HEAVY for pid in CROWD})

    per_round = 3.0 / 13  # a weekly channel has 13 rounds a quarter
    assert noise.calls == [(2 + 5 + 5 + 3 + 2 + 3, pytest.approx(per_round), SENSITIVITY)]
    published = await stored(noisy_ripple)
    assert published is not None and published.counts is not None
    assert published.counts.respondents == len(CROWD) + 1  # the noisy figure is what is kept
    assert published.spent == pytest.approx(per_round)
    text = digest_of(sender).text
    assert (
        "These figures include random noise: across this quarter, whether or not any one "
        "person answered, and how, changes the chance of seeing what you see here by at most "
        "20.1 times (ε = 3)."
    ) in text


async def test_when_the_quarters_budget_is_spent_the_summary_is_held_back(
    noisy_ripple: Ripple, clock: ManualClock, sender: ConsoleSender, noise: ShiftNoise
) -> None:
    await set_up_team(noisy_ripple, people=CROWD, noise_budget=1.0)
    async with noisy_ripple.store.unit_of_work() as uow:
        earlier = Round(
            round_id=Round.make_id(CHANNEL, "2026-W41"),
            channel_id=CHANNEL,
            period="2026-W41",
            scheduled_date=date(2026, 10, 5),
            opens_at=MONDAY - timedelta(weeks=4),
            closes_at=MONDAY - timedelta(weeks=4, days=-3),
            terms=RoundTerms(k=5, epsilon=1.0, noise_budget=1.0),
        )
        await uow.rounds.create(earlier)
        await uow.summaries.add(
            Published(
                round_id=earlier.round_id,
                channel_id=CHANNEL,
                period=earlier.period,
                scheduled_date=earlier.scheduled_date,
                published_at=earlier.closes_at,
                terms=earlier.terms,
                members=24,
                counts=None,
                spent=1.0,  # the whole quarter's budget, spent in October
            ),
            [],
        )
        await uow.commit()

    await run_week(noisy_ripple, clock, WEEK1, {pid: HEAVY for pid in CROWD})

    assert noise.calls == []
    published = await stored(noisy_ripple)
    assert published is not None
    assert published.counts is None and published.spent == 0
    digest = digest_of(sender)
    assert digest.suppressed
    assert "used this quarter's noise budget" in digest.text
