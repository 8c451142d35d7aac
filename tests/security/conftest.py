"""Worlds for the edge tests: Slack in both modes and Teams with and without tokens, on SQLite."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from storage.store import SqlStore
from tests.console import migrated_sqlite_store
from tests.slack.test_oauth import install
from tests.slack.world import TEAM, SlackWorld, slack_world
from tests.teams import SAM, Harness, teams_harness

SLACK_USER = "U0001"
TEAMS_NOW = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("RIPPLE_", "SLACK_"))]:
        monkeypatch.delenv(name)


@pytest.fixture(params=["single-workspace", "oauth"])
async def slack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    """Ripple serving Slack, with one workspace (installed through OAuth in that mode)."""
    oauth = request.param == "oauth"
    async with slack_world(tmp_path, oauth=oauth) as world:
        if oauth:
            world.slack.add_workspace(TEAM)
            world.slack.add_oauth_code("install-1", team_id=TEAM)
            await install(world, code="install-1")
        world.slack.add_user(TEAM, SLACK_USER, real_name="Sam", locale="en-US")
        yield world


@pytest.fixture
async def teams_store(tmp_path: Path) -> SqlStore:
    return await migrated_sqlite_store(tmp_path / "ripple.db")


@pytest.fixture
async def teams(teams_store: SqlStore) -> AsyncIterator[Harness]:
    """Ripple serving Teams with token validation on, against the local issuer."""
    async with teams_harness(store=teams_store, clock=ManualClock(TEAMS_NOW)) as harness:
        harness.connector.roster = [SAM.member()]
        yield harness


@pytest.fixture
async def anonymous_teams(teams_store: SqlStore) -> AsyncIterator[Harness]:
    """Ripple serving Teams in local anonymous mode: no tokens to check."""
    async with teams_harness(
        store=teams_store, clock=ManualClock(TEAMS_NOW), authenticated=False
    ) as harness:
        harness.connector.roster = [SAM.member()]
        yield harness
