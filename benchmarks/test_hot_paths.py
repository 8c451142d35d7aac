"""Speed of the hot paths: one check-in, a round's fan-out, a digest. Run with `make bench`."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.console.sender import ConsoleSender
from benchmarks.conftest import START, make_team
from bot import insights
from bot.catalog import YamlPromptCatalog
from bot.model import Channel, CheckIn, CheckInState, Round, RoundStatus, freeze
from bot.ripple import Ripple
from bot.testing import STANDARD_CHECKIN, Conversation

counter = itertools.count()


def test_one_whole_checkin_on_sqlite(
    benchmark: Any, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    ripple, _, _ = loop.run_until_complete(make_team(tmp_path / "b.db", 2000))
    loop.run_until_complete(ripple.tick())

    def one_checkin() -> None:
        person = f"console:p{next(counter)}"
        loop.run_until_complete(Conversation(ripple, person_id=person).play(STANDARD_CHECKIN))

    benchmark.pedantic(one_checkin, rounds=40, iterations=1)
    loop.run_until_complete(ripple.store.close())


def test_opening_and_delivering_a_500_person_round(
    benchmark: Any, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """The scheduler tick that opens a round for 500 people, then the delivery of 500 asks."""
    teams: list[tuple[Ripple, ConsoleSender]] = []

    def set_up() -> tuple[tuple[Ripple, ConsoleSender], dict[str, Any]]:
        path = tmp_path / f"fan-{next(counter)}.db"
        ripple, sender, _ = loop.run_until_complete(make_team(path, 500))
        teams.append((ripple, sender))
        return (ripple, sender), {}

    def fan_out(ripple: Ripple, sender: ConsoleSender) -> None:
        loop.run_until_complete(ripple.tick())
        loop.run_until_complete(ripple.drain(limit=500))

    benchmark.pedantic(fan_out, setup=set_up, rounds=3, iterations=1)
    for ripple, sender in teams:
        assert len(sender.delivered) == 500
        loop.run_until_complete(ripple.store.close())


def _closed_round(size: int) -> tuple[Channel, Round, list[CheckIn]]:
    channel = Channel(channel_id="console:team", name="#team")
    round_ = Round(
        round_id="console:team/2026-W45",
        channel_id=channel.channel_id,
        period="2026-W45",
        scheduled_date=START.date(),
        opens_at=START,
        closes_at=START + timedelta(days=3),
        status=RoundStatus.CLOSED,
    )
    answers = freeze(
        {
            "workload": "4",
            "energy": "2",
            "extra_hours": "some",
            "covering": "no",
            "real_rest": "partly",
        }
    )
    checkins = [
        CheckIn(
            round_id=round_.round_id,
            person_id=f"console:p{i}",
            channel_id=channel.channel_id,
            state=CheckInState.DONE if i % 5 else CheckInState.RESTED,
            due_at=START,
            answers=answers if i % 5 else freeze({}),
            updated_at=START,
        )
        for i in range(size)
    ]
    return channel, round_, checkins


def test_summarising_and_rendering_a_1000_person_round(benchmark: Any) -> None:
    channel, round_, checkins = _closed_round(1000)
    history = [(round_, checkins)] * 7
    catalog = YamlPromptCatalog.load()

    def digest() -> None:
        summary = insights.summarise_round(
            channel=channel, round_=round_, checkins=checkins, members=1000, history=history
        )
        insights.render_digest(
            summary=summary,
            channel=channel,
            catalog=catalog,
            recipient="console:m",
            idempotency_key="k",
        )

    benchmark(digest)
