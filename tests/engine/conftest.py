"""Fixtures for engine tests: the real core over memory twins and a hand-turned clock."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from adapters.console.sender import ConsoleSender
from bot.app.catalog import YamlPromptCatalog
from bot.clock import ManualClock
from bot.memory import MemoryStore
from bot.model import Cadence, ChannelConfig, Person
from bot.ripple import Ripple

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 09:00 UTC on a Monday
CHANNEL = "console:design"
MANAGER = "console:maya"
ADMIN = "console:ada"
TEAM = tuple(f"console:p{i}" for i in range(6))
PLACE = "console"  # the place the team's channel belongs to, and its admins act from


@pytest.fixture(scope="session")
def catalog() -> YamlPromptCatalog:
    return YamlPromptCatalog.load()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def sender() -> ConsoleSender:
    return ConsoleSender()


@pytest.fixture
def ripple(catalog: YamlPromptCatalog, clock: ManualClock, sender: ConsoleSender) -> Ripple:
    return Ripple(store=MemoryStore(), catalog=catalog, clock=clock, senders={"console": sender})


def team_config(**overrides: object) -> ChannelConfig:
    values: dict[str, object] = {
        "cadence": Cadence(weekday=0, local_time=time(9, 30)),
        "timezone": "UTC",
        "managers": frozenset({MANAGER}),
        "admins": frozenset({ADMIN}),
        "reminders": 1,
    }
    values.update(overrides)
    return ChannelConfig(**values)  # type: ignore[arg-type]


async def set_up_team(
    ripple: Ripple,
    *,
    people: tuple[str, ...] = TEAM,
    zones: dict[str, str] | None = None,
    **config: object,
) -> None:
    await ripple.register_channel(
        channel_id=CHANNEL, name="#design", scope=PLACE, config=team_config(**config)
    )
    zones = zones or {}
    await ripple.sync_members(
        channel_id=CHANNEL,
        people=[
            Person(person_id=pid, display_name=pid.split(":")[1].title(), timezone=zones.get(pid))
            for pid in people
        ],
    )


@pytest.fixture
async def team(ripple: Ripple, clock: ManualClock) -> Ripple:
    """A six-person channel whose round opens at 09:30 UTC; the clock stands at 09:30."""
    await set_up_team(ripple)
    clock.set(MONDAY.replace(minute=30))
    await ripple.tick()
    return ripple
