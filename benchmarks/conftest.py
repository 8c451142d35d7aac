"""Shared set-up for benchmarks: a team of any size on a fresh SQLite database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.model import Cadence, ChannelConfig, Person
from bot.ripple import Ripple
from storage.migrate import upgrade_to_head
from storage.store import SqlStore

START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


async def make_team(path: Path, size: int) -> tuple[Ripple, ConsoleSender, ManualClock]:
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_to_head(url)
    clock = ManualClock(START)
    sender = ConsoleSender()
    ripple = Ripple(
        store=SqlStore.from_url(url),
        catalog=YamlPromptCatalog.load(),
        clock=clock,
        senders={"console": sender},
    )
    config = ChannelConfig(
        cadence=Cadence(weekday=0, local_time=time(9, 30)), managers=frozenset({"console:m"})
    )
    await ripple.register_channel(channel_id="console:team", name="#team", config=config)
    people = [Person(person_id=f"console:p{i}", display_name=f"P{i}") for i in range(size)]
    await ripple.sync_members(channel_id="console:team", people=people)
    return ripple, sender, clock
