"""Speed of the hot paths: one check-in, a round's fan-out, a digest. Run with `make bench`."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.console.sender import ConsoleSender
from benchmarks.conftest import START, make_team
from bot.app.catalog import YamlPromptCatalog
from bot.insights.privacy import Neighbour, Shape, decide_view, publishable_counts
from bot.insights.published import Published, seen_by
from bot.insights.render import render_digest
from bot.model import CheckIn, CheckInState, Round, RoundStatus, RoundTerms, freeze
from bot.ripple import Ripple
from tests.scripted import STANDARD_CHECKIN, Conversation

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


ANSWERS = freeze(
    {"workload": "4", "energy": "2", "extra_hours": "some", "covering": "no", "real_rest": "partly"}
)


def _closed_round(size: int) -> tuple[Round, list[CheckIn]]:
    round_ = Round(
        round_id="console:team/2026-W45",
        channel_id="console:team",
        period="2026-W45",
        scheduled_date=START.date(),
        opens_at=START,
        closes_at=START + timedelta(days=3),
        status=RoundStatus.CLOSED,
    )
    checkins = [
        CheckIn(
            round_id=round_.round_id,
            person_id=f"console:p{i}",
            channel_id=round_.channel_id,
            state=CheckInState.DONE if i % 5 else CheckInState.RESTED,
            due_at=START,
            answers=ANSWERS if i % 5 else freeze({}),
            updated_at=START,
        )
        for i in range(size)
    ]
    return round_, checkins


def test_deciding_and_rendering_a_1000_person_summary(benchmark: Any) -> None:
    """The pure part of publishing: counts, one manager's view, and the digest with a trend."""
    round_, checkins = _closed_round(1000)
    catalog = YamlPromptCatalog.load()
    terms = RoundTerms()

    def digest() -> None:
        counts = publishable_counts(checkins, terms=terms)
        shape = Shape.of(checkins)
        view = decide_view(
            viewer="console:m",
            round_id=round_.round_id,
            counts=counts,
            terms=terms,
            shape=shape,
            neighbours=[Neighbour(shape=shape, k=5, hidden=frozenset())],
        )
        published = Published(
            round_id=round_.round_id,
            channel_id=round_.channel_id,
            period=round_.period,
            scheduled_date=round_.scheduled_date,
            published_at=round_.closes_at,
            terms=terms,
            members=1000,
            counts=counts,
        )
        seen = seen_by(published, view)
        render_digest(
            published=published,
            view=view,
            history=[seen] * 8,
            channel="#team",
            catalog=catalog,
            locale="en",
            recipient="console:m",
            idempotency_key="k",
        )

    benchmark(digest)


def test_closing_and_publishing_a_1000_person_round_on_sqlite(
    benchmark: Any, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """The scheduler tick that closes a 1,000-person round, publishes it and queues digests."""
    teams: list[Ripple] = []

    def set_up() -> tuple[tuple[Ripple], dict[str, Any]]:
        path = tmp_path / f"publish-{next(counter)}.db"
        ripple, _, clock = loop.run_until_complete(make_team(path, 1000))
        loop.run_until_complete(ripple.tick())
        loop.run_until_complete(_answer_everyone(ripple))
        clock.advance(timedelta(days=3, minutes=1))
        teams.append(ripple)
        return (ripple,), {}

    def publish(ripple: Ripple) -> None:
        report = loop.run_until_complete(ripple.tick())
        assert report.closed == 1 and report.digests >= 1

    benchmark.pedantic(publish, setup=set_up, rounds=3, iterations=1)
    for ripple in teams:
        loop.run_until_complete(ripple.store.close())


async def _answer_everyone(ripple: Ripple) -> None:
    """Every check-in of the open round, finished, written straight to the store."""
    async with ripple.store.unit_of_work() as uow:
        (round_,) = await uow.rounds.list_open()
        for index, checkin in enumerate(await uow.checkins.list_for_round(round_.round_id)):
            rested = index % 5 == 0
            await uow.checkins.save(
                replace(
                    checkin,
                    state=CheckInState.RESTED if rested else CheckInState.DONE,
                    answers=freeze({}) if rested else ANSWERS,
                )
            )
        await uow.commit()


def test_the_retention_purge_each_tick_runs_on_a_1000_person_database(
    benchmark: Any, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """The purge every scheduler tick runs, when a published 1,000-person week is not yet due."""
    ripple, _, clock = loop.run_until_complete(make_team(tmp_path / "purge.db", 1000))
    loop.run_until_complete(ripple.tick())
    loop.run_until_complete(_answer_everyone(ripple))
    clock.advance(timedelta(days=3, minutes=1))
    loop.run_until_complete(ripple.tick())
    loop.run_until_complete(ripple.drain(limit=1000))

    def purge() -> None:
        report = loop.run_until_complete(ripple.purge())
        assert report.total == 0

    benchmark.pedantic(purge, rounds=30, iterations=1)
    loop.run_until_complete(ripple.store.close())
